"""The unchanged engine (plan_roster, apply_plan) over the GraphQL backend: the example
roster, made expressible for GraphQL, applies and then plans to no changes. And the
capabilities find, operator by operator, what the unmodified example cannot carry."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from graphql_support import BackendFactory, FakeClock, SandboxFactory

from rostersync import apply_plan, load_roster, plan_roster
from rostersync.api.graphql import CAPABILITIES
from rostersync.sandbox.faults import FaultConfig

EXAMPLE = Path(__file__).parents[2] / "examples" / "operators.yaml"
# The example's fields GraphQL cannot express (shared file §6), and what stands in.
ONE_ROLE = {"camille.martin@maison-lumiere.fr": ["manager"], "ines.dubois@maison-lumiere.fr": ["operator"],
            "sarah.lefebvre@maison-lumiere.fr": ["admin"]}


def expressible_example(tmp_path: Path) -> Path:
    document: dict[str, Any] = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    for entry in document["operators"]:
        entry.pop("sso_key", None)
        if entry["email"] in ONE_ROLE:
            entry["roles"] = ONE_ROLE[entry["email"]]
    path = tmp_path / "team.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def test_apply_then_plan_gives_no_changes(start: SandboxFactory, connect: BackendFactory, tmp_path: Path) -> None:
    sandbox = start(demo=True)
    backend = connect(sandbox)
    roster = load_roster(expressible_example(tmp_path))
    plan = plan_roster(backend, roster)
    kinds = sorted({type(change).__name__ for change in plan.changes})
    assert kinds == ["Create", "Delete", "Update"]  # the demo account is weeks behind the roster
    report = apply_plan(backend, plan)
    assert report.ok, [outcome.detail for outcome in report.outcomes]
    again = plan_roster(backend, roster)
    assert again.changes == () and again.unchanged == len(roster.operators)
    # Out of scope (group 9), ignored (*@iadvize.com) and non-professional users were left alone.
    emails = {user["email"] for user in sandbox.state.listed()}
    assert {"marc.lambert@maison-lumiere.fr", "support@iadvize.com", "bot.faq@maison-lumiere.fr"} <= emails
    assert "theo.garnier@maison-lumiere.fr" not in emails  # deleted as planned
    assert backend.login_count == 1


def test_apply_converges_under_429_and_502(start: SandboxFactory, connect: BackendFactory, tmp_path: Path,
                                           clock: FakeClock) -> None:
    sandbox = start(demo=True)
    backend = connect(sandbox)
    roster = load_roster(expressible_example(tmp_path))
    plan = plan_roster(backend, roster)
    sandbox.faults = FaultConfig(error_rate=0.2, rate_limit=20, seed=3)
    report = apply_plan(backend, plan, parallelism=1)
    sandbox.faults = FaultConfig()
    if not report.ok:  # a create whose 502 left its outcome unknown: the next apply converges
        apply_plan(backend, plan_roster(backend, roster))
    assert plan_roster(backend, roster).changes == ()
    assert sandbox.fault_counts()["errors"] >= 1


def test_capabilities_name_what_the_example_cannot_carry() -> None:
    roster = load_roster(EXAMPLE)
    refused: dict[tuple[str, str], list[str]] = {}
    for wanted in roster.operators:
        for name, reason in CAPABILITIES.problems(wanted.fields):
            refused.setdefault((wanted.email, name), []).append(reason)
    assert set(refused) == {
        ("camille.martin@maison-lumiere.fr", "roles"),
        ("ines.dubois@maison-lumiere.fr", "roles"),
        ("sarah.lefebvre@maison-lumiere.fr", "roles"),
        ("sarah.lefebvre@maison-lumiere.fr", "sso_key"),
    }
    assert refused[("ines.dubois@maison-lumiere.fr", "roles")] == [
        "the GraphQL API cannot express 'expert' (it knows admin, manager, operator)",
        "the GraphQL API allows at most 1 value(s), got 2",
    ]
    assert "replace-me" not in repr(refused)
