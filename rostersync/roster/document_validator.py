"""Validate one roster document against the format (rostersync.roster.model).

With the compiled schema (`rostersync.roster.compiled`) when it was compiled with
the pydantic-core installed: no pydantic model is built, and `rostersync validate`
stays quick. With any other pydantic-core, the models are compiled in the process
(`rostersync.roster.compile.document_schema`), which gives the same validation at
the cost of building them.
"""

from __future__ import annotations

import threading
from typing import Any

import pydantic_core
from pydantic_core import SchemaValidator

from rostersync.roster import compiled
from rostersync.roster.scope import Scope

__all__ = ["compiled_schema_in_use", "validate_document"]

_validator: SchemaValidator | None = None
_lock = threading.Lock()


def compiled_schema_in_use() -> bool:
    """Whether the compiled schema fits the installed pydantic-core (else the models
    are compiled in the process)."""
    return pydantic_core.__version__ == compiled.PYDANTIC_CORE_VERSION


def _document_validator() -> SchemaValidator:
    global _validator
    with _lock:
        if _validator is None:
            if compiled_schema_in_use():
                _validator = SchemaValidator(compiled.SCHEMA)
            else:
                from rostersync.roster.compile import document_schema

                _validator = SchemaValidator(document_schema())
        return _validator


def validate_document(data: Any) -> Scope | None:
    """Check `data` (one parsed roster file) against the format and return its scope,
    or raise `pydantic_core.ValidationError` with every problem."""
    document = _document_validator().validate_python(data)
    scope = document.get("scope")
    return None if scope is None else Scope(website=scope["website"], group=scope["group"])
