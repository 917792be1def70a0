"""`live set` and `stats` against an account that answers 503, loses replies and limits
the rate: each outcome is reported as it really ended, and running again converges.

Faults come from the sandbox's seeded injector; with ``--parallelism 1`` the
requests go out in a fixed order, so a seed gives the same faults on every run.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from click.testing import CliRunner, Result
from resilience_support import instant_backoff

from rostersync.cli.main import cli
from rostersync.sandbox import FaultConfig, Sandbox, start_sandbox

OPERATORS = 12
# With error_rate 0.6 and --parallelism 1, seed 2 lets both listings through, then
# fails some writes on every attempt: a partial failure.
PARTIAL_FAILURE_SEED = 2
FAKE_CLOCK_KEY = "fake-clock-key"


def run(*args: str) -> Result:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert "Traceback" not in result.output
    return result


@pytest.fixture
def on_chat(account: Sandbox) -> dict[str, int]:
    return put_on_chat(account)


def put_on_chat(account: Sandbox) -> dict[str, int]:
    """Twelve operators connected and available for chat; ids by email."""
    ids = {}
    for n in range(OPERATORS):
        email = f"op{n:02}@example.com"
        ids[email] = account.store.add({"email": email, "chat_enabled": True})
        account.store.set_presence(ids[email], connected=True, available=["chat"])
    return ids


def outcomes(result: Result) -> dict[str, str]:
    """``{email: "ok" | "failed"}`` from the outcome lines of the report."""
    found = {}
    for line in result.stdout.split("\n\nPlan: ")[1].splitlines()[1:]:
        if line.startswith("~ "):
            email, rest = line[2:].split(" ", 1)
            found[email] = rest.split(": ")[1]
    return found


def test_partial_failure_under_503s_is_reported_as_it_happened(
        account: Sandbox, on_chat: dict[str, int], monkeypatch: pytest.MonkeyPatch) -> None:
    instant_backoff(monkeypatch)
    account.faults = FaultConfig(error_rate=0.6, seed=PARTIAL_FAILURE_SEED)
    result = run("live", "set", "--only", "*", "--chat", "off", "--yes", "--parallelism", "1")
    assert result.exit_code == 1
    reported = outcomes(result)
    assert sorted(reported) == sorted(on_chat)
    assert "ok" in reported.values() and "failed" in reported.values()
    account.faults = FaultConfig()
    for email, outcome in reported.items():
        # What the report says is what the account shows.
        assert account.store.live(on_chat[email])["chat"]["available"] is (outcome == "failed"), email
    failed = [line for line in result.stdout.splitlines() if ": failed: " in line]
    assert all("503" in line for line in failed)
    assert result.stdout.endswith(f"Done: {OPERATORS - len(failed)} changed, {len(failed)} failed.\n")

    again = run("live", "set", "--only", "*", "--chat", "off", "--yes")
    assert again.exit_code == 0
    assert f"Plan: {len(failed)} to change, {OPERATORS - len(failed)} already so." in again.stdout
    assert not any(account.store.live(operator_id)["chat"]["available"] for operator_id in on_chat.values())


def test_lost_replies_are_checked_by_reading_the_availability(
        account: Sandbox, on_chat: dict[str, int], monkeypatch: pytest.MonkeyPatch) -> None:
    """Every reply to a write is lost, every write is done: each is read back, and counted done."""
    instant_backoff(monkeypatch)
    account.faults = FaultConfig(drop_rate=1.0, seed=1)
    result = run("live", "logout", "--only", "op0*", "--yes")
    assert result.exit_code == 0, result.output
    assert result.stdout.count(": ok: logged out (the reply was lost; checked by reading it)\n") == 10
    assert result.stdout.endswith("Done: 10 logged out.\n")
    assert account.fault_counts()["dropped"] >= 10
    assert not any(account.store.live(on_chat[f"op0{n}@example.com"])["connected"] for n in range(10))


@pytest.fixture
def account_on_a_fake_clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[Sandbox]:
    """An account whose rate limit refills on the clock the CLI's client waits on: a
    wait for Retry-After, or for --max-rps, moves both on at once, and costs no real time."""
    clock = instant_backoff(monkeypatch)
    sandbox = start_sandbox(api_key=FAKE_CLOCK_KEY, clock=clock)
    monkeypatch.setenv("IADVIZE_BASE_URL", sandbox.url)
    monkeypatch.setenv("IADVIZE_API_KEY", FAKE_CLOCK_KEY)
    try:
        yield sandbox
    finally:
        sandbox.stop()


def test_stats_within_the_rate_limit(account_on_a_fake_clock: Sandbox) -> None:
    """Over the limit, the 429s are waited out (Retry-After) and every row is read;
    with --max-rps under it, no request is refused at all.

    A burst of 5 then 5 a second: 13 requests (1 listing, 2 per operator) cannot all
    pass unless they take 1.6 s, and 4 workers always fit in a refilled bucket, so
    every read ends up answered. The bucket refills only as the client's waits move
    the shared clock on.
    """
    account = account_on_a_fake_clock
    put_on_chat(account)
    account.faults = FaultConfig(rate_limit=5)
    over = run("stats", "--only", "op0[0-5]*", "--format", "json", "--parallelism", "4")
    assert over.exit_code == 0, over.output
    assert [row["errors"] for row in json.loads(over.stdout)["operators"]] == [[]] * 6
    assert account.fault_counts()["rate_limited"] > 0

    account.faults = FaultConfig(rate_limit=5)  # a full bucket again
    account.reset_counts()
    paced = run("stats", "--only", "op0[0-2]*", "--format", "json", "--parallelism", "4", "--max-rps", "4")
    assert paced.exit_code == 0
    assert len(json.loads(paced.stdout)["operators"]) == 3
    assert account.fault_counts()["rate_limited"] == 0
