"""Which roster field each column of an HR export holds.

An HR system names its columns its own way (``E-mail``, ``First Name``, ``Last
Name``). A header is matched, in this order:

1. by a mapping the caller gives (``--map "Surname=name"``; ``--map "Notes="`` to
   leave a column out on purpose);
2. by its spelling, ignoring case, accents, spaces and punctuation, against the
   roster's own paths (``chat.max``, ``First_Name``), the API's field names
   (``chat_max_number``, ``language_list``) and the common HR spellings in
   `_SPELLINGS`.

Anything else is an unknown column: the import leaves it out and says so, with the
closest field when there is one. Nothing here reads a file.
"""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from rostersync.edit.paths import BY_LABEL, EditablePath, find_path
from rostersync.roster.fields import FIELDS

#: How HR exports commonly name the roster's fields, beyond the roster's and the API's names.
_SPELLINGS: dict[str, tuple[str, ...]] = {
    "email": ("e-mail", "email address", "e-mail address", "mail", "work email", "courriel"),
    "external_id": ("employee id", "employee number", "hr id", "staff id", "matricule"),
    "first_name": ("given name", "forename", "firstname", "prénom"),
    "name": ("last name", "surname", "family name", "lastname", "nom", "nom de famille"),
    "pseudo": ("pseudonym", "nickname"),
    "profile": ("profiles",),
    "roles": ("role",),
    "languages": ("language", "langues"),
    "language_admin": ("admin language", "interface language"),
    "group": ("group id",),
    "websites": ("website", "website ids", "sites"),
    "skills": ("skill", "skill ids"),
}


def spelling(header: str) -> str:
    """The header as it is compared: lower case, no accents, letters and digits only."""
    decomposed = unicodedata.normalize("NFKD", header)
    return "".join(c for c in decomposed.lower() if c.isalnum() and not unicodedata.combining(c))


def _known() -> dict[str, EditablePath]:
    known: dict[str, EditablePath] = {}

    def add(name: str, editable: EditablePath) -> None:
        other = known.setdefault(spelling(name), editable)
        if other is not editable:  # a spelling for two fields: a mistake in this table
            raise ValueError(f"'{name}' would name both {other.label} and {editable.label}")

    for label, editable in BY_LABEL.items():
        add(label, editable)
    for spec in FIELDS:
        if spec.label in BY_LABEL:  # not call_config, whose keys are columns of their own
            add(spec.api, BY_LABEL[spec.label])
    for label, names in _SPELLINGS.items():
        for name in names:
            add(name, BY_LABEL[label])
    return known


#: Every spelling a header may have, by its `spelling`.
KNOWN: dict[str, EditablePath] = _known()


@dataclass(frozen=True)
class Column:
    """One column of the header, numbered from 1, and the field it holds (None: left out)."""

    number: int
    header: str
    field: EditablePath | None
    mapped: bool = False  # named by the caller's mapping

    @property
    def label(self) -> str:
        """How messages name the column: its header, with the field when it reads otherwise."""
        if self.field is None or spelling(self.header) == spelling(self.field.label):
            return self.header
        return f"{self.header} ({self.field.label})"


@dataclass(frozen=True)
class HeaderMap:
    """The caller's mapping: header spelling -> field (None: leave the column out)."""

    fields: dict[str, EditablePath | None]
    headers: dict[str, str]  # spelling -> the header as the caller wrote it

    @classmethod
    def parse(cls, items: Iterable[str]) -> HeaderMap:
        """From ``HEADER=FIELD`` items; ValueError (UnknownField for the field) naming the wrong one."""
        fields: dict[str, EditablePath | None] = {}
        headers: dict[str, str] = {}
        for item in items:
            # At the last "=": no field has one in its name, a header may ("Max=chats").
            header, equals, label = item.rpartition("=")
            header, label = header.strip(), label.strip()
            if not equals or not header:
                raise ValueError(f"'{item}' is not HEADER=FIELD, such as 'Last Name=name'")
            key = spelling(header)
            if key in fields:
                raise ValueError(f"'{header}' is mapped twice")
            fields[key] = find_path(label, "field") if label else None
            headers[key] = header
        return cls(fields, headers)


def resolve(number: int, header: str, mapping: HeaderMap) -> Column:
    """The column `header` names, by the caller's mapping first, then by spelling."""
    key = spelling(header)
    if key in mapping.fields:
        return Column(number, header, mapping.fields[key], mapped=True)
    return Column(number, header, KNOWN.get(key))


def suggestion(header: str) -> str | None:
    """The field an unknown header most likely means, if one is close enough."""
    close = difflib.get_close_matches(spelling(header), list(KNOWN), n=1, cutoff=0.75)
    return KNOWN[close[0]].label if close else None


__all__ = ["KNOWN", "Column", "HeaderMap", "resolve", "spelling", "suggestion"]
