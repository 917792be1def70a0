"""A create whose reply is lost adopts the operator its email finds only when that can be
the create's own: in the plan's scope, and absent from the listing the plan was made
from. Another team's operator, or one that was already there, is never taken over:
the change fails, naming it, and it is left as it was.

A reply is lost two ways here: a 503 (a gateway's; the POST may or may not have been
done) and a dropped reply (done, then the connection closed unanswered). The client's
``on_request`` hook turns the fault off once the first POST is over.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator

import pytest
from resilience_support import FakeClock, roster_text

from rostersync.api import IAdvizeClient, RequestEvent
from rostersync.api.options import ClientOptions
from rostersync.plan.apply import apply_plan
from rostersync.plan.workflow import plan_roster
from rostersync.roster.loader import load_texts
from rostersync.sandbox import FaultConfig, Sandbox, start_sandbox

KEY = "adoption-key-77d0c1e5"
SCOPED = {"scope": {"group_id": 7}, "defaults": {"group": 7}}


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


def after_first_post(sandbox: Sandbox, then: Callable[[], None] = lambda: None) -> Callable[[RequestEvent], None]:
    seen = threading.Event()

    def hook(event: RequestEvent) -> None:
        if event.method == "POST" and not seen.is_set():
            seen.set()
            sandbox.faults = FaultConfig()
            then()

    return hook


def client_for(sandbox: Sandbox, hook: Callable[[RequestEvent], None]) -> IAdvizeClient:
    clock = FakeClock()
    return IAdvizeClient(sandbox.url, KEY, ClientOptions(on_request=hook, sleep=clock.sleep, clock=clock))


def test_another_teams_operator_is_not_adopted(sandbox: Sandbox) -> None:
    """The email is another team's (group 8): the POST fails on it, its reply is lost,
    and the look-up finds that operator. Before: "created", and group 7's roster owned it."""
    theirs = sandbox.store.add({"email": "shared@example.com", "group_id": 8, "first_name": "Theirs"})
    before = sandbox.store.get(theirs)
    roster = load_texts([("r.yaml", roster_text([{"email": "shared@example.com", "first_name": "Ours"}], **SCOPED))])
    with client_for(sandbox, after_first_post(sandbox)) as client:
        plan = plan_roster(client, roster)
        assert plan.counts["create"] == 1
        sandbox.faults = FaultConfig(error_rate=1.0)
        report = apply_plan(client, plan)
    [outcome] = report.outcomes
    assert outcome.status == "failed" and not report.ok
    assert outcome.detail == (
        f"the API did not answer the create of shared@example.com; the operator with that email, #{theirs} "
        "(shared@example.com), is outside the roster's scope (its group is 8, not the scope's 7): not adopted, "
        "it may belong to another team. Check who owns it, then run plan again")
    assert sandbox.store.get(theirs) == before
    assert "PUT /operator/{id}" not in sandbox.request_counts()


def test_an_operator_listed_when_planning_is_not_adopted(sandbox: Sandbox) -> None:
    """Between plan and apply someone gives an existing operator of the scope the email
    the plan creates: the look-up finds it, but it was there before this create."""
    bob = sandbox.store.add({"email": "bob@example.com", "group_id": 7})
    roster = load_texts([("r.yaml", roster_text([{"email": "bob@example.com"}, {"email": "ann@example.com"}],
                                                 **SCOPED))])
    with client_for(sandbox, after_first_post(sandbox)) as client:
        plan = plan_roster(client, roster)
        assert bob in plan.listed_ids and plan.counts["create"] == 1
        sandbox.store.update(bob, {"email": "ann@example.com"})
        sandbox.faults = FaultConfig(error_rate=1.0)
        report = apply_plan(client, plan)
    [outcome] = report.outcomes
    assert outcome.status == "failed"
    assert outcome.detail.startswith(f"the API did not answer the create of ann@example.com; the operator with "
                                     f"that email, #{bob} (ann@example.com), existed when the plan was made, so "
                                     "this create did not make it: not adopted.")
    assert [op["email"] for op in sandbox.store.list()] == ["ann@example.com"]


def test_a_dropped_reply_whose_operator_left_the_scope_is_not_adopted(sandbox: Sandbox) -> None:
    """The POST is done and its reply dropped; before the look-up the new operator is
    moved to group 8. Found by email, it is no longer in scope: not taken over."""
    def moved_away() -> None:
        [created] = sandbox.store.list()
        sandbox.store.update(created["id"], {"group_id": 8})

    roster = load_texts([("r.yaml", roster_text([{"email": "lou@example.com", "first_name": "Lou"}], **SCOPED))])
    with client_for(sandbox, after_first_post(sandbox, moved_away)) as client:
        plan = plan_roster(client, roster)
        sandbox.faults = FaultConfig(drop_rate=1.0)
        report = apply_plan(client, plan)
    [outcome] = report.outcomes
    assert outcome.status == "failed" and "is outside the roster's scope (its group is 8" in outcome.detail
    assert sandbox.fault_counts()["dropped"] == 1


def test_the_create_of_this_apply_is_still_adopted(sandbox: Sandbox) -> None:
    roster = load_texts([("r.yaml", roster_text([{"email": "lou@example.com", "first_name": "Lou"}], **SCOPED))])
    with client_for(sandbox, after_first_post(sandbox)) as client:
        plan = plan_roster(client, roster)
        sandbox.faults = FaultConfig(drop_rate=1.0)
        report = apply_plan(client, plan)
    [outcome] = report.outcomes
    [created] = sandbox.store.list()
    assert (outcome.status, outcome.detail) == (
        "done", f"created #{created['id']} (the reply was lost; found by email and adopted)")
    assert created["group_id"] == 7
