"""`validate` and `schema` through the CLI."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from rostersync.cli.main import cli
from rostersync.roster.iso639 import ISO_639_1
from rostersync.roster.schema import roster_json_schema

ROOT = Path(__file__).parents[2]


def test_a_valid_roster_gets_a_one_line_summary() -> None:
    result = CliRunner().invoke(cli, ["validate", "examples/operators.yaml"], catch_exceptions=False)
    assert (result.exit_code, result.stdout) == (0, "examples/operators.yaml: valid, 9 operators in 1 file, 3 profiles.\n")


def test_an_invalid_roster_lists_every_problem_and_exits_1(tmp_path: Path) -> None:
    roster = tmp_path / "team-fr.yaml"
    roster.write_text("version: 1\noperators:\n  - email: ada@example.com\n    chat: {priority: 5}\n    rols: [operator]\n")
    result = CliRunner().invoke(cli, ["validate", str(roster)], catch_exceptions=False)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (
        f"{roster}:4:12: operators[0].chat.priority: must be 0 or 10, got 5\n"
        f"{roster}:5:5: operators[0].rols: unknown field (did you mean 'roles'?)\n"
        "2 problems found; nothing was sent to the API.\n"
    )


def test_a_yaml_syntax_error_is_a_clean_message(tmp_path: Path) -> None:
    roster = tmp_path / "broken.yaml"
    roster.write_text("version: 1\noperators:\n  - email: [unclosed\n")
    result = CliRunner().invoke(cli, ["validate", str(roster)], catch_exceptions=False)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"{roster}:")
    assert "invalid YAML" in result.stderr
    assert "Traceback" not in result.output


def test_schema_prints_the_committed_json_schema() -> None:
    result = CliRunner().invoke(cli, ["schema"], catch_exceptions=False)
    assert result.exit_code == 0
    assert json.loads(result.stdout) == roster_json_schema()
    # The example roster points editors at this file: keep it in step with the model.
    assert (ROOT / "schema" / "roster.schema.json").read_text() == result.stdout, (
        "schema/roster.schema.json is out of date: run rostersync schema > schema/roster.schema.json")
    assert (ROOT / "examples/operators.yaml").read_text().startswith(
        "# yaml-language-server: $schema=../schema/roster.schema.json\n")


def test_the_schema_describes_the_format() -> None:
    schema = roster_json_schema()
    assert schema["required"] == ["version", "operators"]
    assert schema["additionalProperties"] is False
    operator = schema["definitions"]["OperatorEntry"]
    assert operator["required"] == ["email"]
    assert {"chat", "call", "video", "call_config", "languages", "sso_key"} <= set(operator["properties"])


def properties(schema: dict[str, Any], path: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every property of every object in the schema, with a dotted path."""
    for name, sub in schema.get("properties", {}).items():
        yield f"{path}{name}", sub
    for name, sub in schema.get("definitions", {}).items():
        yield from properties(sub, f"{name}.")


def test_every_field_is_described_without_noise_for_completion() -> None:
    schema = roster_json_schema()
    fields = dict(properties(schema))
    assert len(fields) == 54  # 6 top-level keys, and those of the 6 definitions
    assert [path for path, sub in fields.items() if len(sub.get("description", "")) < 10] == []
    text = json.dumps(schema)
    # Hover showed an auto title above each description; completion offered
    # "Default value" and null beside the real values.
    assert '"title"' not in text.replace('"title": "rostersync roster, format version 1"', "")
    assert '"default"' not in text
    assert '"null"' not in text.replace('"type": ["array", "null"]', "")  # `operators:` alone is valid
    assert fields["OperatorFields.chat"]["description"] == (
        "Chat: whether the operator takes chats, how many at once, and their priority.")


def test_closed_sets_of_values_are_enumerated() -> None:
    definitions = roster_json_schema()["definitions"]
    fields, channel = definitions["OperatorFields"]["properties"], definitions["ChannelSettings"]["properties"]
    assert fields["roles"]["items"]["enum"] == ["expert", "operator", "manager", "admin"]
    assert fields["language_admin"]["enum"] == ["de", "en", "es", "fr"]
    assert fields["languages"]["items"]["enum"] == sorted(ISO_639_1)
    assert len(ISO_639_1) == 184 and {"fr", "en", "zu"} <= set(ISO_639_1)
    assert channel["priority"]["enum"] == [0, 10]
    assert definitions["CallConfig"]["properties"]["type"]["enum"] == ["ANSWER_FROM_PHONE", "ANSWER_FROM_DESK"]
    # The editor's twin of the linear email check (model._check_email): one @, a dot
    # after it, and no space, control or bidi character anywhere.
    email = definitions["OperatorEntry"]["properties"]["email"]["pattern"]
    part = "[^@\\s\\u0000-\\u001f\\u007f-\\u009f\\u202a-\\u202e\\u2066-\\u2069]+"
    assert email == f"^{part}@{part}\\.{part}$"
    assert re.fullmatch(email, "ada@example.com")
    for refused in ("ada.example.com", "ada@example", "a da@example.com", "ada\x1b@example.com",
                    "ada@exa\u202emple.com", "ada@exam\u2066ple.com", "ada\x85@example.com"):
        assert not re.fullmatch(email, refused), refused
