"""Every write is checked against the operator the API returns. A field the API accepted
but did not take fails that change (exit 1); a faithful API passes every check.

The sandbox's ``ignore_fields`` fault makes it answer 200 to a POST or PUT while
leaving the named fields out, as a service that silently drops a field would.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from resilience_support import roster_text

from rostersync.api import IAdvizeClient, OperatorRecord
from rostersync.cli.main import cli
from rostersync.plan.apply import apply_plan
from rostersync.plan.workflow import plan_roster
from rostersync.roster.loader import load_texts
from rostersync.sandbox import FaultConfig, Sandbox, start_sandbox
from rostersync.sandbox.command import fault_config_from_options

KEY = "verify-key-4be1d09a"
HUGO = {"email": "hugo@example.com", "first_name": "Hugo", "skill_list": [101], "language_list": ["fr"]}
HUGO_WANTED = {"email": "hugo@example.com", "first_name": "Hugo", "skills": [103], "languages": ["en", "fr"]}
HUGO_WANTS = roster_text([HUGO_WANTED])


@pytest.fixture(scope="module")
def server() -> Iterator[Sandbox]:
    sandbox = start_sandbox(api_key=KEY)
    yield sandbox
    sandbox.stop()


@pytest.fixture
def sandbox(server: Sandbox) -> Sandbox:
    server.faults = FaultConfig()
    server.store.clear()
    server.reset_counts()
    return server


def apply_yaml(client: Any, text: str) -> Any:
    return apply_plan(client, plan_roster(client, load_texts([("roster.yaml", text)])))


def test_an_update_the_api_accepts_but_does_not_take_fails(sandbox: Sandbox) -> None:
    operator_id = sandbox.store.add(HUGO)
    sandbox.faults = FaultConfig(ignore_fields=("skill_list",))
    with IAdvizeClient(sandbox.url, KEY) as client:
        report = apply_yaml(client, HUGO_WANTS)
    [outcome] = report.outcomes
    assert outcome.status == "failed"
    assert outcome.detail == f"the API accepted the update but skills is still [101] (#{operator_id})"
    assert not report.ok
    stored = sandbox.store.get(operator_id)
    assert (stored["skill_list"], stored["language_list"]) == ([101], ["en", "fr"])  # the rest was taken
    assert sandbox.fault_counts()["ignored_fields"] == 1


def test_a_faithful_api_passes_every_check(sandbox: Sandbox) -> None:
    sandbox.store.add(HUGO)
    with IAdvizeClient(sandbox.url, KEY) as client:
        report = apply_yaml(client, roster_text([HUGO_WANTED, {"email": "new@example.com", "skills": [104],
                                                               "chat": {"max": 2}}]))
    assert [o.status for o in report.outcomes] == ["done", "done"], report.outcomes
    # The skill's id is checked: one listing of the account's skills.
    assert sandbox.request_counts() == {"GET /operator": 1, "GET /skill": 1, "POST /operator": 1,
                                        "PUT /operator/{id}": 1}


def test_a_create_the_api_takes_in_part_fails(sandbox: Sandbox) -> None:
    sandbox.faults = FaultConfig(ignore_fields=("skill_list",))
    with IAdvizeClient(sandbox.url, KEY) as client:
        report = apply_yaml(client, roster_text([{"email": "new@example.com", "skills": [104]}]))
    [outcome] = report.outcomes
    [created] = sandbox.store.list()
    assert (outcome.status, outcome.detail) == (
        "failed", f"the API accepted the create but skills is [] (created #{created['id']})")


class NoDataReplies:
    """The API client, with PUT replies that hold no operator (as some APIs answer):
    apply must read the operator back to check the write. Real HTTP underneath."""

    def __init__(self, client: IAdvizeClient, *, hide: tuple[str, ...] = ()) -> None:
        self._client = client
        self._hide = hide

    def update_operator(self, operator_id: int, fields: Mapping[str, Any]) -> OperatorRecord | None:
        self._client.update_operator(operator_id, fields)
        return None

    def get_operator(self, operator_id: int) -> OperatorRecord:
        record = self._client.get_operator(operator_id)
        hidden = {k: v for k, v in record.fields.items() if k not in self._hide}
        return OperatorRecord(record.id, hidden, record.problems)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)


def test_a_reply_without_the_operator_is_checked_by_reading_it(sandbox: Sandbox) -> None:
    operator_id = sandbox.store.add(HUGO)
    sandbox.faults = FaultConfig(ignore_fields=("language_list",))
    with IAdvizeClient(sandbox.url, KEY) as api:
        report = apply_yaml(NoDataReplies(api), HUGO_WANTS)
    [outcome] = report.outcomes
    assert outcome.detail == f"the API accepted the update but languages is still [fr] (#{operator_id})"
    assert sandbox.request_counts()["GET /operator/{id}"] == 1


def test_a_write_only_secret_is_not_held_against_the_write(sandbox: Sandbox) -> None:
    """The real API never returns sso_key: that write cannot be checked, and is not failed."""
    operator_id = sandbox.store.add(HUGO)
    with IAdvizeClient(sandbox.url, KEY) as api:
        client = NoDataReplies(api, hide=("sso_key",))
        report = apply_yaml(client, roster_text([{"email": "hugo@example.com", "sso_key": "tok-1"}]))
    [outcome] = report.outcomes
    assert (outcome.status, outcome.detail) == ("done", f"updated #{operator_id}: sso_key")
    assert sandbox.store.get(operator_id)["sso_key"] == "tok-1"


def test_the_cli_exits_1_and_says_which_field(sandbox: Sandbox, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    operator_id = sandbox.store.add(HUGO)
    monkeypatch.setenv("IADVIZE_BASE_URL", sandbox.url)
    monkeypatch.setenv("IADVIZE_API_KEY", KEY)
    roster = tmp_path / "roster.yaml"
    roster.write_text(HUGO_WANTS)
    sandbox.faults = FaultConfig(ignore_fields=("skill_list",))
    result = CliRunner().invoke(cli, ["apply", "--yes", "-q", str(roster)])
    assert result.exit_code == 1, result.output
    assert "the API accepted the update but skills is still [101]" in result.stdout
    assert f"#{operator_id}" in result.stdout and "1 failed" in result.stdout
    sandbox.faults = FaultConfig()  # the fault gone, apply again converges
    assert CliRunner().invoke(cli, ["apply", "--yes", "-q", str(roster)]).exit_code == 0
    assert CliRunner().invoke(cli, ["plan", "-q", str(roster)]).stdout == "No changes.\n"


def test_the_fault_is_off_by_default_and_a_sandbox_option() -> None:
    assert FaultConfig().ignore_fields == ()
    config = fault_config_from_options(seed=None, latency_ms=0, error_rate=0, rate_limit=None, drop_rate=0,
                                       ignore_fields=("skill_list", "language_list"))
    assert config.ignore_fields == ("skill_list", "language_list")
    with pytest.raises(ValueError, match="ignore_fields must be a tuple"):
        FaultConfig(ignore_fields="skill_list")  # type: ignore[arg-type]
