"""A roster's scope by name (`scope: {group: Paris desk}`) in the commands that read the
operators of a roster's scope without planning it: `status`, `status --watch`, `live`,
`stats`. The scope's names were once sent to the API as the listing's filters
(`filters[group_id]=Paris desk`), which the API refuses."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner, Result

from rostersync.cli.main import cli
from rostersync.sandbox import Sandbox


def run(*args: str) -> Result:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert "Traceback" not in result.output
    return result


def by_name(roster: Path, scope: str) -> Path:
    """The team's roster with its scope (the id 7, Paris desk, in the demo catalog) written as ``scope``."""
    path = roster.with_name("by-name.yaml")
    text = roster.read_text()
    assert "scope: {group_id: 7}\n" in text
    path.write_text(text.replace("scope: {group_id: 7}\n", f"scope: {scope}\n"))
    return path


def emails_of(status_json: str) -> list[str]:
    return [operator["email"] for operator in json.loads(status_json)["operators"]]


def test_status_reads_the_scope_a_name_gives(account: Sandbox, team: dict[str, int], roster: Path) -> None:
    by_id = run("status", "-q", "--format", "json", str(roster))
    assert by_id.exit_code == 0, by_id.output
    named = by_name(roster, "{group: paris DESK, website: Maison lumiere FR}")
    for store_id in team.values():  # the scope's website: every operator of the team is on it
        account.store._fields[store_id]["website_list"] = [123]
    result = run("status", "-q", "--format", "json", str(named))
    assert result.exit_code == 0, result.output
    assert emails_of(result.stdout) == emails_of(by_id.stdout)
    assert "out@example.com" not in emails_of(result.stdout)  # group 8: outside the scope
    # Not once watched (no terminal: printed once), the same operators.
    watched = run("status", "--watch", "--interval", "1", "-q", str(named))
    assert watched.exit_code == 0, watched.output
    assert "ada@example.com" in watched.stdout and "out@example.com" not in watched.stdout


def test_live_set_acts_on_the_scope_a_parent_child_name_gives(account: Sandbox, team: dict[str, int],
                                                             roster: Path) -> None:
    named = by_name(roster, "{group: Maison Lumiere/Paris desk}")
    result = run("live", "set", str(named), "--chat", "off", "--yes")
    assert result.exit_code == 0, result.output
    assert "Done: 2 changed." in result.stdout
    assert account.store.live(team["ada@example.com"])["chat"]["available"] is False
    assert account.store.live(team["out@example.com"])["chat"]["available"] is True  # group 8


def test_stats_reads_the_scope_a_name_gives(account: Sandbox, team: dict[str, int], roster: Path) -> None:
    result = run("stats", "--format", "json", str(by_name(roster, "{group: Paris desk}")))
    assert result.exit_code == 0, result.output
    assert "ada@example.com" in result.stdout and "out@example.com" not in result.stdout


def test_a_scope_name_that_names_nothing_or_several_is_refused_where_written(
        account: Sandbox, team: dict[str, int], roster: Path) -> None:
    for scope, reason in [("{group: Pariss desk}", "unknown group 'Pariss desk' (did you mean 'Paris desk'?)"),
                          ("{group: night shift}", "group 'night shift' is ambiguous"),
                          ("{group: 55}", None)]:
        named = by_name(roster, scope)
        account.reset_counts()
        for command in (["status"], ["live", "logout", "--yes"]):
            result = run(*command, str(named))
            if reason is None:  # an id is sent as written: the account has nobody in group 55
                assert "ada@example.com" not in result.stdout
                continue
            assert result.exit_code == 1, result.output
            assert f"{named}:2:9: scope.group: {reason}" in result.stderr, result.stderr
            assert "nothing was sent to the API" in result.stderr
        if reason is not None:
            # Only the listing of groups was read; no operator was listed, nothing written.
            assert set(account.request_counts()) == {"GET /group"}, account.request_counts()
    assert account.store.live(team["ada@example.com"])["connected"] is True
