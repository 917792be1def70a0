"""Check the documents and variables the backend will send against the live schema.

The live schema comes from one introspection query. graphql-core then does what
the server would do before executing anything: :func:`graphql.validate` checks each
document (field names, arguments, fragments on the right types, variable types),
and :func:`graphql.utilities.validate_input_value` checks sample variables built by
the same mapping as the real ones (unknown input fields, missing non-null fields,
enum values, scalar types). Every problem is collected, then one
:class:`SchemaMismatchError` names them all. Nothing is written before this passes.

The samples matter because a document can validate while its variables would not:
input fields travel in the variables, so a renamed input field, a new non-null one
or a changed enum shows only there. Each mutation gets a sample with every field the
backend can send (both ``respondFrom`` values, between the two) and one with as few
as it ever sends.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from graphql import (
    GraphQLError,
    GraphQLSchema,
    OperationDefinitionNode,
    build_client_schema,
    get_named_type,
    is_input_type,
    parse,
    type_from_ast,
    validate,
)
from graphql.utilities import validate_input_value

from rostersync.api.graphql import documents as docs
from rostersync.api.graphql.documents import MUTATION_INPUT_TYPES, USER_FILTERS, Document
from rostersync.api.graphql.errors import SchemaMismatchError
from rostersync.api.graphql.mapping import to_create_input, to_update_input

__all__ = ["LiveSchema", "Sample", "check_documents", "read_live_schema", "samples_for"]


@dataclass(frozen=True)
class Sample:
    """Variables the backend could send with ``document``, described for messages."""

    document: Document
    variables: Mapping[str, Any]
    label: str


@dataclass(frozen=True)
class LiveSchema:
    """What introspection told: the schema, and the optional parts the backend may use."""

    schema: GraphQLSchema
    user_filters: frozenset[str]  # keys of USER_FILTERS the `users` query accepts
    input_types: Mapping[str, str]  # mutation -> type of its `input` argument, e.g. "UserCreateInput!"


def read_live_schema(introspection: Any) -> LiveSchema:
    """Build the live schema from an introspection result (the ``data`` of the reply)."""
    try:
        schema = build_client_schema(introspection)
    except (TypeError, ValueError, KeyError, GraphQLError) as exc:
        raise SchemaMismatchError([f"the introspection result cannot be read as a schema: {exc}"]) from None
    return LiveSchema(schema, _user_filters(schema), _input_types(schema))


def _user_filters(schema: GraphQLSchema) -> frozenset[str]:
    users = schema.query_type.fields.get("users") if schema.query_type else None
    if users is None:
        return frozenset()
    usable = set()
    for key, (argument, type_name) in USER_FILTERS.items():
        arg = users.args.get(argument)
        if arg is not None and get_named_type(arg.type).name == type_name:
            usable.add(key)
    return frozenset(usable)


def _input_types(schema: GraphQLSchema) -> dict[str, str]:
    found = dict(MUTATION_INPUT_TYPES)
    fields = schema.mutation_type.fields if schema.mutation_type else {}
    for mutation in MUTATION_INPUT_TYPES:
        argument = fields[mutation].args.get("input") if mutation in fields else None
        if argument is not None:
            found[mutation] = str(argument.type)
    return found


def check_documents(schema: GraphQLSchema, documents: Iterable[Document], samples: Sequence[Sample]) -> None:
    """Raise :class:`SchemaMismatchError` naming every problem; return if there is none."""
    problems: list[str] = []
    for document in documents:
        problems.extend(_document_problems(schema, document))
    for sample in samples:
        # Checked even when the document is not valid: an input field renamed along with
        # an output field is a second problem, which its document cannot show.
        problems.extend(_variable_problems(schema, sample))
    if problems:
        raise SchemaMismatchError(list(dict.fromkeys(problems)))


def _document_problems(schema: GraphQLSchema, document: Document) -> list[str]:
    try:
        ast = parse(document.text)
    except GraphQLError as exc:
        return [f"{document.operation}: {exc.message}"]
    return [f"{document.operation}: {error.message}" for error in validate(schema, ast)]


def _variable_problems(schema: GraphQLSchema, sample: Sample) -> list[str]:
    try:
        ast = parse(sample.document.text)
    except GraphQLError:
        return []  # reported with the document
    operation = next(node for node in ast.definitions if isinstance(node, OperationDefinitionNode))
    problems: list[str] = []
    for definition in operation.variable_definitions or ():
        name = definition.variable.name.value
        type_ = type_from_ast(schema, definition.type)
        if type_ is None or not is_input_type(type_):
            continue  # validate() has reported an unknown variable type already
        where = f"{sample.document.operation} ({sample.label}): ${name}"

        def report(error: GraphQLError, path: Sequence[str | int], where: str = where) -> None:
            location = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in path)
            problems.append(f"{where}{location}: {error.message}")

        value = sample.variables.get(name)
        if name not in sample.variables and definition.default_value is None and str(type_).endswith("!"):
            problems.append(f"{where}: required but the backend would not send it")
            continue
        validate_input_value(value, type_, report)
    return problems


# --- the samples ---------------------------------------------------------------

_ROLE_IDS = {base: index for index, base in enumerate(docs.ROLE_NAMES.values(), start=1)}


def _every_field(call_type: str) -> dict[str, Any]:
    """A value for every field the backend can write."""
    return {
        "email": "sample@example.com", "name": "Sample", "first_name": "Sam", "pseudo": "Sam",
        "external_id": "HR-1", "roles": ["manager"], "group_id": 1, "website_list": [1, 2], "skill_list": [3],
        "chat_enabled": True, "chat_max_number": 3, "chat_priority": 10, "chat_to_video": True,
        "chat_and_call": True, "call_enabled": True, "call_priority": 0, "video_enabled": True,
        "video_priority": 10, "language_list": ["en", "fr"], "language_admin": "fr",
        "call_config": {"type": call_type, "phone_number": "+33612345678" if call_type == "ANSWER_FROM_PHONE" else None,
                        "ask_phone_number_at_every_connection": call_type == "ANSWER_FROM_PHONE"},
    }


def samples_for(live: LiveSchema) -> list[Sample]:
    types = live.input_types
    create, update, delete = (docs.create_user(types["userCreate"]), docs.update_user(types["userUpdate"]),
                              docs.delete_user(types["userDelete"]))
    filters = {"email": "sample@example.com", "group_id": 1, "website_id": 1}
    listed = {docs.USER_FILTERS[key][0]: value for key, value in filters.items() if key in live.user_filters}
    minimal = {"email": "sample@example.com", "name": "Sample", "pseudo": "Sam"}
    return [
        Sample(docs.list_users(sorted(live.user_filters)), {"first": docs.PAGE_SIZE, "after": None, **listed},
               "a page"),
        Sample(docs.GET_USER, {"userId": 1}, "one user"),
        Sample(docs.BASE_ROLES, {}, "base roles"),
        Sample(create, {"input": to_create_input(_every_field("ANSWER_FROM_PHONE"), _ROLE_IDS)}, "every field"),
        Sample(create, {"input": to_create_input(minimal, _ROLE_IDS)}, "the fewest fields"),
        Sample(update, {"input": to_update_input(1, _every_field("ANSWER_FROM_DESK"), {}, _ROLE_IDS)},
               "every field"),
        Sample(update, {"input": to_update_input(1, {"first_name": "Sam"}, {}, _ROLE_IDS)}, "one field"),
        Sample(delete, {"input": {"userId": 1}}, "one user"),
    ]
