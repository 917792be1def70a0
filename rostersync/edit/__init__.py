"""Edit a roster in place: add, update and remove operators, merge an HR export.

Edits keep every byte of the files outside the entries they touch (comments,
order, formatting, line endings), are validated as a whole roster before
anything is written, and are idempotent. Nothing here prints: each operation
returns an `EditResult` saying what changed, with the new text of each file.
"""

from rostersync.edit.csv_import import import_csv, read_csv
from rostersync.edit.errors import EditError, NeedsTargetFile, SharedAnchors
from rostersync.edit.operations import (
    EditResult,
    FieldUpdate,
    OperatorChange,
    OperatorWish,
    add_operator,
    add_operators,
    remove_operator,
)
from rostersync.edit.paths import (
    EDITABLE,
    EditablePath,
    UnknownField,
    find_path,
    parse_assignment,
)

__all__ = [
    "EDITABLE",
    "EditError",
    "EditResult",
    "EditablePath",
    "FieldUpdate",
    "NeedsTargetFile",
    "OperatorChange",
    "OperatorWish",
    "SharedAnchors",
    "UnknownField",
    "add_operator",
    "add_operators",
    "find_path",
    "import_csv",
    "parse_assignment",
    "read_csv",
    "remove_operator",
]
