"""Operators whose emails move to one another's, through the CLI against the sandbox.

iAdvize refuses an email another operator has (the sandbox too). A chain of moves that
ends at a free email converges (apply runs the update freeing an email first); a ring
(two operators swapping their emails, say) never does, and the plan says so before
anything is sent.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result
from work_budget import python_calls

from rostersync.api.records import OperatorRecord
from rostersync.cli.main import cli
from rostersync.plan.changes import Change, FieldChange, Update
from rostersync.plan.engine import email_ring_warnings
from rostersync.sandbox import Sandbox


def run(runner: CliRunner, *args: str) -> Result:
    return runner.invoke(cli, list(args), catch_exceptions=False)


def roster(tmp_path: Path, *entries: tuple[str, str]) -> str:
    path = tmp_path / "team.yaml"
    path.write_text("version: 1\noperators:\n" + "".join(
        f"  - {{email: {email}, external_id: {external}}}\n" for email, external in entries))
    return str(path)


def emails(account: Sandbox) -> dict[Any, str]:
    return {record["external_id"]: record["email"] for record in account.store.list()}


def test_a_swap_of_emails_is_named_in_the_plan_and_never_half_made(account: Sandbox, runner: CliRunner,
                                                                     tmp_path: Path) -> None:
    ada = account.store.add({"email": "ada@example.com", "external_id": "HR-1"})
    bob = account.store.add({"email": "bob@example.com", "external_id": "HR-2"})
    path = roster(tmp_path, ("bob@example.com", "HR-1"), ("ada@example.com", "HR-2"))
    plan = run(runner, "plan", path)
    assert (f"Warning: 2 operators take each other's emails (#{ada} ada@example.com -> bob@example.com, "
            f"#{bob} bob@example.com -> ada@example.com)") in plan.stdout
    assert "applying again will not help" in plan.stdout
    applied = run(runner, "apply", "--yes", path)
    assert applied.exit_code == 1
    assert applied.stdout.count("FAILED") == 2
    assert emails(account) == {"HR-1": "ada@example.com", "HR-2": "bob@example.com"}


def test_a_ring_of_three_is_one_warning(account: Sandbox, runner: CliRunner, tmp_path: Path) -> None:
    for n, email in enumerate(("a@example.com", "b@example.com", "c@example.com")):
        account.store.add({"email": email, "external_id": f"HR-{n}"})
    path = roster(tmp_path, ("b@example.com", "HR-0"), ("c@example.com", "HR-1"), ("a@example.com", "HR-2"))
    plan = run(runner, "plan", path)
    assert plan.stdout.count("Warning:") == 1
    assert "3 operators take each other's emails" in plan.stdout


def test_a_chain_ending_at_a_free_email_converges_without_a_warning(account: Sandbox, runner: CliRunner,
                                                                     tmp_path: Path) -> None:
    account.store.add({"email": "ada@example.com", "external_id": "HR-1"})
    account.store.add({"email": "bob@example.com", "external_id": "HR-2"})
    # HR-1 takes bob's email, which bob leaves for a free one.
    path = roster(tmp_path, ("bob@example.com", "HR-1"), ("bob.new@example.com", "HR-2"))
    assert "Warning" not in run(runner, "plan", path).stdout
    run(runner, "apply", "--yes", path)
    run(runner, "apply", "--yes", path)  # (nothing left to do: a second apply changes nothing)
    assert emails(account) == {"HR-1": "bob@example.com", "HR-2": "bob.new@example.com"}
    assert "No changes." in run(runner, "plan", path).stdout


class _Id(int):
    """An operator id whose comparisons are Python calls, so that they can be counted."""

    def __eq__(self, other: object) -> bool:
        return int(self) == other

    __hash__ = int.__hash__


def test_a_ring_of_twenty_thousand_is_found_in_linear_work() -> None:
    # The walk kept its path in a list: each step's `in` compared with every operator
    # before it, 200 million comparisons (2 s) for one ring of 20,000.
    n = 20_000
    live = [OperatorRecord(_Id(i), {"email": f"u{i}@example.com"}) for i in range(n)]
    updates: list[Change] = [Update(f"u{(i + 1) % n}@example.com", _Id(i),
                                    (FieldChange("email", f"u{i}@example.com", f"u{(i + 1) % n}@example.com"),), "")
                             for i in range(n)]
    found: list[list[str]] = []
    python_calls(lambda: found.append(email_ring_warnings(updates, live)), budget=20 * n)
    assert len(found[0]) == 1
    assert found[0][0].startswith(f"{n} operators take each other's emails (#0 u0@example.com -> u1@example.com, ")
    assert "and 19,995 more" in found[0][0]


def test_a_selection_keeps_the_warning_of_a_ring_it_touches_only(account: Sandbox, runner: CliRunner,
                                                                 tmp_path: Path) -> None:
    account.store.add({"email": "ada@example.com", "external_id": "HR-1"})
    account.store.add({"email": "bob@example.com", "external_id": "HR-2"})
    account.store.add({"email": "eve@example.com", "external_id": "HR-3"})
    path = roster(tmp_path, ("bob@example.com", "HR-1"), ("ada@example.com", "HR-2"), ("eve.new@example.com", "HR-3"))
    elsewhere = run(runner, "plan", "--only", "eve*", path)
    assert "update eve.new@example.com" in elsewhere.stdout
    assert "take each other's emails" not in elsewhere.stdout  # ada and bob are not in this plan
    touched = run(runner, "plan", "--only", "ada*", path)
    assert "Warning: 2 operators take each other's emails" in touched.stdout
    out = tmp_path / "plan.json"
    run(runner, "plan", "--only", "bob@*", "--out", str(out), path)
    applied = run(runner, "apply", "--yes", str(out))
    assert "Warning: 2 operators take each other's emails" in applied.stdout  # the saved plan keeps it
