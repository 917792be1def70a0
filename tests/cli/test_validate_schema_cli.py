"""`validate` and `schema` through the CLI."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from rostersync.cli.main import cli
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
    assert (ROOT / "schema" / "roster.schema.json").read_text() == result.stdout
    assert "# yaml-language-server: $schema=../schema/roster.schema.json" in (ROOT / "examples/operators.yaml").read_text()


def test_the_schema_describes_the_format() -> None:
    schema = roster_json_schema()
    assert schema["required"] == ["version", "operators"]
    assert schema["additionalProperties"] is False
    operator = schema["$defs"]["OperatorEntry"]
    assert operator["required"] == ["email"]
    assert {"chat", "call", "video", "call_config", "languages", "sso_key"} <= set(operator["properties"])
