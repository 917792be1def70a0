"""The JSON Schema of the roster format, for editors (yaml-language-server)."""

from __future__ import annotations

import json
from typing import Any

from rostersync.roster.model import RosterDocument

SCHEMA_ID = "https://github.com/rostersync/rostersync/blob/main/schema/roster.schema.json"


def roster_json_schema() -> dict[str, Any]:
    schema = RosterDocument.model_json_schema()
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "rostersync roster, format version 1",
        **{k: v for k, v in schema.items() if k != "title"},
    }


def roster_json_schema_text() -> str:
    return json.dumps(roster_json_schema(), indent=2, ensure_ascii=False) + "\n"
