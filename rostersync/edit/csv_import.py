"""Merge an HR export (CSV, one row per person) into a roster.

Each column holds a roster field, named the roster's way (``email``, ``chat.max``),
the API's (``chat_max_number``), an HR system's (``E-mail``, ``First Name``, ``Last
Name``) or by a mapping (``--map "Surname=name"``): see `rostersync.edit.columns`.
A column that names no field is left out, with a warning unless told to ignore such
columns. Every row is an add: the operator is created, or its fields set; an empty
cell leaves the field as it is. With `prune`, the operators of the target file that
no row names are removed, under plan's delete guard (a full sync from HR).

Cells are typed per the field registry: whole numbers, booleans as
true/false/yes/no/1/0, lists separated by ``;`` or ``|``. Spreadsheets set to French
or German write ``;`` between cells: the separator is taken from the header line
(``,``, ``;`` or a tab), and list cells then use ``|``.

Every problem of the file is reported in one pass, pinned to the CSV as
FILE:LINE:COLUMN: what a cell holds, and what the roster's validation says of the
operator a row asks for (a priority of 5, an unknown profile).

An export is read whole, so it is bounded: at most `MAX_CSV_BYTES` and `MAX_CSV_ROWS`
rows (100,000 people take about a minute), and a cell at most the csv module's
128 KiB. Quoting is strict: a quote left open does not swallow the rest of the file.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from rostersync.edit.columns import Column, HeaderMap, resolve, spelling, suggestion
from rostersync.edit.errors import EditError, SharedAnchors
from rostersync.edit.operations import add_operators, sync_operators
from rostersync.edit.paths import EMAIL, EditablePath, parse_cell, text_problem
from rostersync.edit.results import EditResult, OperatorWish, Origin
from rostersync.plan.safety import DEFAULT_MAX_DELETE_RATIO
from rostersync.roster.problems import Problem, RosterError

_DELIMITERS = (",", ";", "\t")
MAX_CSV_BYTES = 16 * 1024 * 1024  # 16 MiB: 100,000 rows of twenty short cells
MAX_CSV_ROWS = 100_000  # people, besides the header: more than any customer-service team


@dataclass(frozen=True)
class HrExport:
    """The rows of an HR export as operators to add, and what reading them found."""

    file: str
    wishes: tuple[OperatorWish, ...]
    warnings: tuple[Problem, ...] = ()  # columns left out
    problems: tuple[Problem, ...] = ()  # cells that cannot be used; the other cells of their rows are in wishes


def import_csv(roster: str | Path, csv_file: str | Path, file: str | None = None, *,
               mapping: HeaderMap | Iterable[str] = (), ignore_unknown: bool = False, prune: bool = False,
               max_delete_ratio: float = DEFAULT_MAX_DELETE_RATIO, force: bool = False) -> EditResult:
    """Add or update one operator per row of `csv_file` (and with `prune`, remove the
    target file's others), all or nothing; `RosterError` with every problem otherwise."""
    export = read_csv(csv_file, mapping, ignore_unknown=ignore_unknown)
    if export.problems:
        # Check the usable cells against the roster too, so that one run lists every
        # problem; without pruning, as the rows are not all there. Nothing is written.
        found = list(export.problems)
        try:
            add_operators(roster, export.wishes, file)
        except (RosterError, SharedAnchors) as exc:
            found += exc.problems
        except EditError:
            pass  # an edit refused as a whole: said once the export's own problems are fixed
        raise RosterError(found)
    if prune:
        result = sync_operators(roster, export.wishes, file, max_delete_ratio=max_delete_ratio, force=force)
    else:
        result = add_operators(roster, export.wishes, file)
    return replace(result, warnings=export.warnings)


def read_csv(csv_file: str | Path, mapping: HeaderMap | Iterable[str] = (), *, ignore_unknown: bool = False
             ) -> HrExport:
    """Read an HR export. A header it cannot use (no email column, a column twice, a
    mapping naming no column) raises `RosterError`; problems of cells are returned."""
    path = Path(csv_file)
    text = _read_text(path)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text.split("\n", 1)[0]), strict=True)
    header_map = mapping if isinstance(mapping, HeaderMap) else HeaderMap.parse(mapping)
    return _Reader(str(path), reader, header_map, ignore_unknown).export()


def _read_text(path: Path) -> str:
    """The export's text, read up to `MAX_CSV_BYTES` (a pipe or a device too), or
    `RosterError` saying where it stops being UTF-8."""
    try:
        with path.open("rb") as stream:
            data = stream.read(MAX_CSV_BYTES + 1)
    except OSError as exc:
        raise RosterError([Problem(str(path), 0, 0, "", f"cannot be read: {exc.strerror}")]) from None
    if len(data) > MAX_CSV_BYTES:
        raise RosterError([Problem(str(path), 0, 0, "", f"is larger than {MAX_CSV_BYTES:,} bytes, "
                                                        "more than an import reads: split it, and import the "
                                                        "parts without --prune")])
    try:
        return data.decode("utf-8-sig")  # -sig: spreadsheets put a byte-order mark before the header
    except UnicodeDecodeError as exc:
        line_start = data.rfind(b"\n", 0, exc.start) + 1
        line = data.count(b"\n", 0, exc.start) + 1
        column = len(data[line_start:exc.start].decode("utf-8-sig", errors="replace")) + 1
        raise RosterError([Problem(str(path), line, column, "", f"not UTF-8 text ({exc.reason}); "
                                                                "export the sheet as CSV UTF-8")]) from None


def _delimiter(header: str) -> str:
    """The separator the header line uses most, outside quoted headers ("Name, first")."""
    unquoted = re.sub(r'"[^"]*"?', "", header)
    counts = [unquoted.count(d) for d in _DELIMITERS]
    return _DELIMITERS[counts.index(max(counts))] if max(counts) else ","


class _Reader:
    """Reads the rows of one CSV file, collecting every problem before giving up."""

    def __init__(self, name: str, reader: Any, mapping: HeaderMap, ignore_unknown: bool) -> None:
        self.name = name
        self.reader = reader  # a csv.reader, whose type is private
        self.mapping = mapping
        self.ignore_unknown = ignore_unknown
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = []

    def problem(self, line: int, column: int, path: str, message: str) -> None:
        self.problems.append(Problem(self.name, line, column, path, message))

    def export(self) -> HrExport:
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
        return HrExport(self.name, tuple(wishes), tuple(self.warnings), tuple(self.problems))

    def _rows(self) -> Iterator[tuple[int, list[str]]]:
        """Each row with the line it starts on (a quoted cell may span lines)."""
        start = 1
        try:
            for count, row in enumerate(self.reader):
                if count > MAX_CSV_ROWS:
                    self.problem(start, 1, "", f"more than {MAX_CSV_ROWS:,} rows, the most an import reads: "
                                               "split the file, and import the parts without --prune")
                    raise RosterError(self.problems)
                yield start, row
                start = self.reader.line_num + 1
        except csv.Error as exc:
            self.problem(start, 1, "", f"not readable as CSV: {exc}")
            raise RosterError(self.problems) from None

    def _columns(self, header: Sequence[str]) -> list[Column]:
        columns = [resolve(number, raw.strip(), self.mapping) for number, raw in enumerate(header, start=1)]
        by_header: dict[str, Column] = {}
        by_field: dict[str, Column] = {}
        for column in columns:
            if not column.header:
                continue  # an unnamed column may only hold empty cells; see _values
            first = by_header.setdefault(column.header.lower(), column)
            if first is not column:
                self.problem(1, column.number, column.header, f"the column appears twice (also column {first.number})")
            elif column.field is not None:
                other = by_field.setdefault(column.field.label, column)
                if other is not column:
                    self.problem(1, column.number, column.label, f"{other.header} (column {other.number}) "
                                                                 f"already holds {column.field.label}")
            elif not column.mapped:
                self._unknown(column)
        present = {spelling(column.header) for column in columns}
        for key, written in self.mapping.headers.items():
            if key not in present:
                self.problem(1, 1, written, "--map names a column the header does not have; its columns: "
                             + ", ".join(c.header for c in columns if c.header))
        if EMAIL.label not in by_field:
            self.problem(1, 1, "", "the header has no 'email' column: every row names its operator by email "
                                   "(map another column to it with --map 'HEADER=email')")
        return columns

    def _unknown(self, column: Column) -> None:
        if self.ignore_unknown:
            return
        close = suggestion(column.header)
        hint = f" (did you mean '{close}'?)" if close else ""
        self.warnings.append(Problem(self.name, 1, column.number, column.header,
                                     f"not a roster field, so the column is left out{hint}; name its field with "
                                     f"--map '{column.header}=FIELD', or pass --ignore-unknown"))

    def _wish(self, line: int, row: list[str], columns: list[Column], seen: dict[str, int]) -> OperatorWish | None:
        if not any(cell.strip() for cell in row):
            return None  # blank lines between people
        if len(row) > len(columns):
            self.problem(line, len(columns) + 1, "",
                         f"the row has {len(row)} cells, the header names {len(columns)} columns")
            return None
        email_at = next(c for c in columns if c.field is EMAIL)
        email = row[email_at.number - 1].strip() if email_at.number <= len(row) else ""
        values = self._values(line, row, columns)  # its problems are reported whatever the email
        if not email:
            self.problem(line, email_at.number, email_at.label, "is empty: every row needs the operator's email")
            return None
        refused = text_problem(EMAIL, email)
        if refused is not None:
            self.problem(line, email_at.number, email_at.label, refused)
            return None
        first = seen.setdefault(email.lower(), line)
        if first != line:
            self.problem(line, email_at.number, email_at.label,
                         f"'{email}' is also on line {first}: give each person one row")
            return None
        origin = Origin(self.name, line, email_at.number,
                        tuple((c.field.label, c.number, c.header) for c in columns if c.field is not None))
        return OperatorWish(email, tuple(values), origin)

    def _values(self, line: int, row: list[str], columns: list[Column]) -> list[tuple[EditablePath, Any]]:
        values: list[tuple[EditablePath, Any]] = []
        # A short row is fine: the cells it lacks are empty.
        for column, cell in zip(columns, row, strict=False):
            if not cell.strip() or column.field is EMAIL:
                continue  # empty: leave the field as it is
            if column.field is None:
                if not column.header:
                    self.problem(line, column.number, "", "a value in a column that has no name in the header")
                continue  # a column left out
            try:
                value = parse_cell(column.field, cell)
            except ValueError as exc:
                self.problem(line, column.number, column.label, str(exc))
                continue
            if value != []:  # a cell of separators only, such as ";"
                values.append((column.field, value))
        return values

