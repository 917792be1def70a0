"""Compile the roster's pydantic models into what validating a roster needs without them.

Building pydantic models costs more than everything else `rostersync validate` does
for a small roster (importing pydantic's model machinery and building the validator
of each model: about 50 ms, for a command that should feel instant in a pre-commit
hook). The models stay the one description of the format; this module derives from
them, once, what validation needs, and `rostersync.roster.compiled` holds the result
as Python literals:

* ``SCHEMA``: the models' core schema (pydantic-core's, which pydantic builds its
  validators from), each model made a typed dict: the same fields, aliases,
  defaults, strictness, extra keys refused, and the same validator functions, all
  in `rostersync.roster.checks`. Validating with it gives the errors the models give
  (a mapping of the wrong kind is ``dict_type`` where a model says ``model_type``),
  and plain dicts instead of models, which the loader never kept anyway;
* ``FIELDS``: each model's field names, for "did you mean" hints;
* ``ROSTER_PLACE``: how each place of a document reads a plain scalar
  (`rostersync.roster.places`).

The core schema is pydantic-core's own format and may change between its releases:
``SCHEMA`` is used only with the pydantic-core it was compiled with, and with any
other the loader compiles the models in the process (`document_schema`), as slowly
as the models themselves. Regenerate after changing the models, or upgrading
pydantic, with ``python scripts/compile_roster.py``; a test fails while the file
differs from what the models give (run with the pydantic-core the file names: with
another, only its field names and places are compared, and the test of ``SCHEMA``
is skipped).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pydantic_core

from rostersync.roster import checks
from rostersync.roster.places import ANYWHERE, Place

__all__ = ["COMPILED_PATH", "CompileError", "compiled_module_text", "document_schema", "field_names", "model_schema",
           "roster_place"]

COMPILED_PATH = Path(__file__).with_name("compiled.py")

# Keys a core schema node carries for serialization, JSON Schema or model instances,
# which validating into dicts does not use.
_UNUSED = ("metadata", "serialization", "serialization_alias", "serialization_exclude", "serialization_exclude_if",
           "frozen", "cls", "generic_origin", "custom_init", "root_model", "post_init", "revalidate_instances",
           "computed_fields", "model_name", "from_attributes")
# What a model may do when it is validated that a typed dict would not: its own
# __init__, model_post_init. (Dropped with the model, they would be skipped unsaid.)
_MODEL_BEHAVIOUR = ("custom_init", "post_init")


class CompileError(Exception):
    """The models hold what cannot be compiled (a validator outside checks, say)."""


def document_schema() -> dict[str, Any]:
    """The core schema of `RosterDocument`, each model a typed dict."""
    from rostersync.roster.model import RosterDocument

    return model_schema(RosterDocument)


def model_schema(model: type[Any]) -> dict[str, Any]:
    """The core schema of the pydantic model `model`, each model a typed dict; raise
    `CompileError` for what a typed dict would not validate as the model does."""
    compiled: dict[str, Any] = _Compiler().node(model.__pydantic_core_schema__)
    return compiled


def field_names() -> dict[str, tuple[str, ...]]:
    """Each model's field names, by model name."""
    from rostersync.roster import model

    return {name: tuple(cls.model_fields) for name, cls in vars(model).items()
            if isinstance(cls, type) and issubclass(cls, model.StrictModel) and cls is not model.StrictModel}


def roster_place() -> Place:
    """The place of a roster document (`rostersync.roster.places.places_of`)."""
    from rostersync.roster.fields import FIELDS
    from rostersync.roster.model import RosterDocument
    from rostersync.roster.places import places_of

    return places_of(RosterDocument, secrets=frozenset(spec.roster[-1] for spec in FIELDS if spec.sensitive))


class _Compiler:
    def __init__(self) -> None:
        self.refs: dict[str, str] = {}  # pydantic's ref (it holds an id()) -> the model's name

    def node(self, node: Any, config: dict[str, Any] | None = None) -> Any:
        if isinstance(node, list):
            return [self.node(item, config) for item in node]
        if isinstance(node, tuple):
            return tuple(self.node(item, config) for item in node)
        if not isinstance(node, dict):
            return node
        kind = node.get("type")
        if kind == "model":
            return self._model(node)
        if kind == "function-after" and isinstance(node.get("schema"), dict) and node["schema"].get("type") == "model":
            # (A model validator of mode "after" is given the model; here it would get a dict.)
            raise CompileError("an after validator of a model, which is given the model, not a dict: make it a "
                               "before or wrap validator")
        if kind == "model-fields":
            return self._fields(node, config)
        out: dict[str, Any] = {}
        for key, value in node.items():
            if key in _UNUSED:
                continue
            if key in ("ref", "schema_ref"):
                out[key] = self._ref(value)
            else:
                out[key] = self.node(value, config)
        return out

    def _model(self, node: dict[str, Any]) -> dict[str, Any]:
        """A model: its fields as a typed dict, under the model's validators and config."""
        behaviour = [key for key in _MODEL_BEHAVIOUR if node.get(key)]
        if behaviour:
            raise CompileError(f"a model with {' and '.join(behaviour)}, which a typed dict would not run")
        config = dict(node.get("config") or {})
        inner = self.node(node["schema"], config)
        if "ref" in node:
            inner["ref"] = self._ref(node["ref"])
        return inner  # type: ignore[no-any-return]

    def _fields(self, node: dict[str, Any], config: dict[str, Any] | None) -> dict[str, Any]:
        if config is None:
            raise CompileError("model fields outside a model")
        unknown = set(node) - {"type", "fields", *_UNUSED, "extra_behavior", "strict"}
        if unknown:
            raise CompileError(f"model fields with {sorted(unknown)}, which a typed dict may not mean the same by")
        fields = {}
        for name, spec in node["fields"].items():
            field: dict[str, Any] = {"type": "typed-dict-field", "schema": self.node(spec["schema"]),
                                     "required": spec["schema"].get("type") != "default"}
            if "validation_alias" in spec:
                field["validation_alias"] = spec["validation_alias"]
            fields[name] = field
        out: dict[str, Any] = {"type": "typed-dict", "fields": fields, "config": config}
        extra = node.get("extra_behavior", config.get("extra_fields_behavior"))
        if extra is not None:
            out["extra_behavior"] = extra
        if "strict" in node:
            out["strict"] = node["strict"]
        return out

    def _ref(self, ref: str) -> str:
        name = self.refs.get(ref)
        if name is None:
            base = ref.partition(":")[0].rsplit(".", 1)[-1]
            name = self.refs[ref] = base if base not in self.refs.values() else f"{base}-{len(self.refs)}"
        return name


# --- The compiled module's text ---------------------------------------------------


def compiled_module_text() -> str:
    """The text of `rostersync.roster.compiled`, from the models as they are now."""
    place = _place(roster_place(), 0, set())
    lines = [
        '"""Generated by `python scripts/compile_roster.py` from rostersync.roster.model: do not edit.',
        "",
        "What validating a roster needs, without building its pydantic models",
        "(rostersync.roster.compile says what each name is).",
        '"""',
        "",
        "# fmt: off",
        "from __future__ import annotations",
        "",
        "from typing import Any, Final",
        "",
        "from rostersync.roster import checks",
        f"from rostersync.roster.places import {'ANYWHERE, ' if 'ANYWHERE' in place else ''}Place, Reading",
        "",
        f"PYDANTIC_CORE_VERSION: Final = {pydantic_core.__version__!r}",
        "",
        f"SCHEMA: Final[dict[str, Any]] = {_literal(document_schema(), 0)}",
        "",
        f"FIELDS: Final[dict[str, tuple[str, ...]]] = {_literal(field_names(), 0)}",
        "",
        f"ROSTER_PLACE: Final = {place}",
        "",
    ]
    return "\n".join(lines)


def _literal(value: Any, depth: int) -> str:
    pad, inner = "    " * depth, "    " * (depth + 1)
    if isinstance(value, dict):
        if not value:
            return "{}"
        items = [f"{inner}{_literal(k, depth + 1)}: {_literal(v, depth + 1)}," for k, v in value.items()]
        return "{\n" + "\n".join(items) + f"\n{pad}}}"
    if isinstance(value, (list, tuple)):
        opening, closing = ("[", "]") if isinstance(value, list) else ("(", ")")
        if not value:
            return opening + closing
        items = [f"{inner}{_literal(v, depth + 1)}," for v in value]
        return opening + "\n" + "\n".join(items) + f"\n{pad}{closing}"
    if value is None or isinstance(value, (bool, int, float, str)):
        return repr(value)
    name = getattr(value, "__name__", "")
    if callable(value) and getattr(checks, name, None) is value:
        return f"checks.{name}"
    raise CompileError(f"cannot compile {value!r}: a validator must be a function of rostersync.roster.checks")


def _place(place: Place, depth: int, seen: set[int]) -> str:
    if place is ANYWHERE:
        return "ANYWHERE"
    if id(place) in seen:
        raise CompileError("a model that contains itself")
    seen = seen | {id(place)}
    inner = "    " * (depth + 1)
    parts = [f"Reading.{place.reading.name}"]
    if place.fields is not None:
        body = "".join(f"\n{inner}    {key!r}: {_place(sub, depth + 2, seen)}," for key, sub in place.fields.items())
        parts.append(f"fields={{{body}\n{inner}}}")
    for name in ("values", "items"):
        sub = getattr(place, name)
        if sub is not None:
            parts.append(f"{name}={_place(sub, depth + 1, seen)}")
    if place.secret:
        parts.append("secret=True")
    return "Place(" + ", ".join(parts) + ")"
