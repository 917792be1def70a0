"""`status` names each operator's group (issue 12): the table's GROUP column and the
JSON's ``group``, from one listing of the account's groups."""

from __future__ import annotations

import json
import unicodedata

import pytest
from click.testing import CliRunner, Result

from rostersync.cli.main import cli
from rostersync.sandbox import Sandbox
from rostersync.sandbox.catalog import Catalog, CatalogGroup


def run(*args: str) -> Result:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert "Traceback" not in result.output
    return result


def test_the_table_names_each_operators_group(account: Sandbox, team: dict[str, int]) -> None:
    nobody = account.store.create({"email": "nogroup@example.com", "roles": ["operator"]})["id"]
    unnamed = account.store.create({"email": "unnamed@example.com", "roles": ["operator"], "group_id": 999})["id"]
    assert nobody and unnamed
    result = run("status", "-q")
    assert result.exit_code == 0, result.output
    rows = {line.split()[0]: line.split()[1:] for line in result.stdout.splitlines()[1:] if "@" in line}
    assert result.stdout.splitlines()[0].split() == ["OPERATOR", "GROUP", "CONNECTED", "CHAT", "CALL", "VIDEO"]
    assert rows["ada@example.com"][:3] == ["Paris", "desk", "yes"]  # group 7 of the demo catalog
    assert rows["out@example.com"][0] != "-"  # group 8, named too
    assert rows["nogroup@example.com"][0] == "-"
    assert rows["unnamed@example.com"][0] == "#999"  # a group the account does not list


def test_the_json_gives_each_group_id_and_name(account: Sandbox, team: dict[str, int]) -> None:
    result = run("status", "-q", "--format", "json")
    assert result.exit_code == 0, result.output
    by_email = {operator["email"]: operator for operator in json.loads(result.stdout)["operators"]}
    assert by_email["ada@example.com"]["group"] == {"id": 7, "name": "Paris desk"}


def test_the_groups_cost_one_listing(account: Sandbox, team: dict[str, int]) -> None:
    account.reset_counts()
    assert run("status", "-q").exit_code == 0
    assert account.request_counts().get("GET /group") == 1


def test_a_group_named_like_the_columns_own_marks_is_shown_by_its_id(account: Sandbox,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    # A group named "-" read as no group, and one named "#7" as group 7.
    monkeypatch.setattr(account.store, "catalog", Catalog(groups=(CatalogGroup(7, "Paris desk"),
                                                                 CatalogGroup(9, "-"), CatalogGroup(10, "#7"))))
    for email, group in (("a@example.com", 7), ("b@example.com", 9), ("c@example.com", 10)):
        account.store.add({"email": email, "group_id": group})
    result = run("status", "-q")
    assert result.exit_code == 0, result.output
    rows = {line.split()[0]: line.split()[1] for line in result.stdout.splitlines()[1:] if "@" in line}
    assert rows == {"a@example.com": "Paris", "b@example.com": "#9", "c@example.com": "#10"}
    by_email = {o["email"]: o for o in json.loads(run("status", "-q", "--format", "json").stdout)["operators"]}
    assert by_email["b@example.com"]["group"] == {"id": 9, "name": "-"}  # the JSON keeps the name as it is


def test_columns_stay_aligned_after_wide_and_combining_characters(account: Sandbox,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """A terminal gives a wide character (東京) two columns and a combining mark none:
    the table pads by those columns, not by characters, so CONNECTED starts in one
    column on every row."""
    monkeypatch.setattr(account.store, "catalog", Catalog(groups=(
        CatalogGroup(7, "Paris desk"), CatalogGroup(8, "東京デスク"), CatalogGroup(9, "Zoe\u0301 team"))))
    for email, group in (("a@example.com", 7), ("b@example.com", 8), ("c@example.com", 9)):
        account.store.add({"email": email, "group_id": group})
    result = run("status", "-q")
    assert result.exit_code == 0, result.output
    lines = [line for line in result.stdout.splitlines() if line.startswith(("OPERATOR", "a@", "b@", "c@"))]
    assert len(lines) == 4

    def columns_before(line: str, text: str) -> int:
        prefix = line[:line.index(text)]
        return sum(2 if unicodedata.east_asian_width(c) in "WF" else 0 if unicodedata.combining(c) else 1
                   for c in prefix)

    starts = {columns_before(line, "CONNECTED" if line.startswith("OPERATOR") else "never") for line in lines}
    assert len(starts) == 1, result.stdout
