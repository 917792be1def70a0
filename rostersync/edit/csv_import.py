"""Merge an HR export (CSV, one row per person) into a roster.

Columns are named after roster paths (``email``, ``first_name``, ``chat.max``,
``profile``, ...); every row is an add: the operator is created, or its fields set.
An empty cell leaves the field as it is. Cells are typed per the field registry:
whole numbers, booleans as true/false/yes/no/1/0, lists separated by ``;`` or ``|``.

Spreadsheets set to French or German write ``;`` between cells: the separator is
taken from the header line (``,``, ``;`` or a tab), and list cells then use ``|``.
Problems are pinned to the CSV: FILE:LINE:COLUMN, the column's name, a message.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from rostersync.edit.operations import EditResult, OperatorWish, add_operators
from rostersync.edit.paths import (
    EMAIL,
    EditablePath,
    UnknownField,
    find_path,
    parse_cell,
)
from rostersync.roster.files import read_text_file
from rostersync.roster.problems import Problem, RosterError

_DELIMITERS = (",", ";", "\t")


def import_csv(roster: str | Path, csv_file: str | Path, file: str | None = None) -> EditResult:
    """Add or update one operator per row of `csv_file`, all or nothing."""
    return add_operators(roster, read_csv(csv_file), file)


def read_csv(csv_file: str | Path) -> list[OperatorWish]:
    """The rows of an HR export as operators to add, or `RosterError` with every problem."""
    path = Path(csv_file)
    # utf-8-sig: spreadsheets put a byte-order mark before the header.
    text = read_text_file(path, encoding="utf-8-sig", advice="export the sheet as CSV UTF-8")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text.split("\n", 1)[0]))
    return _Reader(str(path), reader).wishes()


def _delimiter(header: str) -> str:
    found = [d for d in _DELIMITERS if d in header]
    return found[0] if found else ","


class _Reader:
    """Reads the rows of one CSV file, collecting every problem before giving up."""

    def __init__(self, name: str, reader: Any) -> None:  # a csv.reader, whose type is private
        self.name = name
        self.reader = reader
        self.problems: list[Problem] = []

    def problem(self, line: int, column: int, path: str, message: str) -> None:
        self.problems.append(Problem(self.name, line, column, path, message))

    def wishes(self) -> list[OperatorWish]:
        rows = list(self._rows())
        if not rows:
            raise RosterError([Problem(self.name, 1, 1, "", "the file is empty: it needs a header row naming "
                                                            "its columns, such as email,first_name,name")])
        (_, header), body = rows[0], rows[1:]
        columns = self._columns(header)
        if self.problems:
            raise RosterError(self.problems)  # the rows cannot be read without their columns
        wishes: list[OperatorWish] = []
        seen: dict[str, int] = {}
        for line, row in body:
            wish = self._wish(line, row, columns, seen)
            if wish is not None:
                wishes.append(wish)
        if self.problems:
            raise RosterError(self.problems)
        return wishes

    def _rows(self) -> Iterator[tuple[int, list[str]]]:
        """Each row with the line it starts on (a quoted cell may span lines)."""
        start = 1
        try:
            for row in self.reader:
                yield start, row
                start = self.reader.line_num + 1
        except csv.Error as exc:
            self.problem(start, 1, "", f"not readable as CSV: {exc}")
            raise RosterError(self.problems) from None

    def _columns(self, header: Sequence[str]) -> list[EditablePath | None]:
        columns: list[EditablePath | None] = []
        first_at: dict[str, int] = {}
        for number, raw in enumerate(header, start=1):
            name = raw.strip()
            columns.append(self._column(number, name))
            if name and name.lower() in first_at:
                self.problem(1, number, name, f"the column appears twice (also column {first_at[name.lower()]})")
            first_at.setdefault(name.lower(), number)
        if EMAIL not in columns:
            self.problem(1, 1, "", "the header has no 'email' column: every row names its operator by email")
        return columns

    def _column(self, number: int, name: str) -> EditablePath | None:
        if not name:
            return None  # an unnamed column may only hold empty cells; see _wish
        try:
            return find_path(name.lower(), "column")
        except UnknownField as exc:
            hint = f" (did you mean '{exc.suggestion}'?)" if exc.suggestion else ""
            self.problem(1, number, name, f"unknown column{hint}; columns are roster fields such as "
                                          "email, first_name, profile, chat.max")
            return None

    def _wish(self, line: int, row: list[str], columns: list[EditablePath | None],
              seen: dict[str, int]) -> OperatorWish | None:
        if not any(cell.strip() for cell in row):
            return None  # blank lines between people
        if len(row) > len(columns):
            self.problem(line, len(columns) + 1, "",
                         f"the row has {len(row)} cells, the header names {len(columns)} columns")
            return None
        email_column = columns.index(EMAIL) + 1
        email = row[email_column - 1].strip() if email_column <= len(row) else ""
        if not email:
            self.problem(line, email_column, "email", "is empty: every row needs the operator's email")
            return None
        first = seen.setdefault(email.lower(), line)
        if first != line:
            self.problem(line, email_column, "email", f"'{email}' is also on line {first}: give each person one row")
            return None
        values = self._values(line, row, columns)
        return OperatorWish(email, tuple(values), f"{self.name}:{line}")

    def _values(self, line: int, row: list[str], columns: list[EditablePath | None]) -> list[tuple[EditablePath, Any]]:
        values: list[tuple[EditablePath, Any]] = []
        # A short row is fine: the cells it lacks are empty.
        for number, (editable, cell) in enumerate(zip(columns, row, strict=False), start=1):
            if not cell.strip() or editable is EMAIL:
                continue  # empty: leave the field as it is
            if editable is None:
                self.problem(line, number, "", "a value in a column that has no name in the header")
                continue
            try:
                value = parse_cell(editable, cell)
            except ValueError as exc:
                self.problem(line, number, editable.label, str(exc))
                continue
            if value != []:  # a cell of separators only, such as ";"
                values.append((editable, value))
        return values
