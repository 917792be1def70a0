"""Edit a roster in place: add, update and remove operators, merge an HR export.

Edits keep every byte of the files outside the entries they touch (comments,
order, formatting, line endings), are validated as a whole roster before
anything is written, and are idempotent. Nothing here prints: each operation
returns an `EditResult` saying what changed, with the new text of each file.
"""

from rostersync.edit.columns import HeaderMap
from rostersync.edit.csv_import import HrExport, import_csv, read_csv
from rostersync.edit.errors import EditError, NeedsTargetFile, SharedAnchors, UnsafeRemoval
from rostersync.edit.operations import add_operator, add_operators, remove_operator, sync_operators
from rostersync.edit.paths import (
    EDITABLE,
    EditablePath,
    UnknownField,
    find_path,
    parse_assignment,
)
from rostersync.edit.results import EditResult, FieldUpdate, OperatorChange, OperatorWish, Origin

__all__ = [
    "EDITABLE",
    "EditError",
    "EditResult",
    "EditablePath",
    "FieldUpdate",
    "HeaderMap",
    "HrExport",
    "NeedsTargetFile",
    "OperatorChange",
    "OperatorWish",
    "Origin",
    "SharedAnchors",
    "UnknownField",
    "UnsafeRemoval",
    "add_operator",
    "add_operators",
    "find_path",
    "import_csv",
    "parse_assignment",
    "read_csv",
    "remove_operator",
    "sync_operators",
]
