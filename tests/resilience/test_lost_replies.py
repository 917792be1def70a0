"""Writes whose reply is lost. A create is looked up by email and adopted: never
sent twice blindly, never a duplicate, never a failure on "email already used". An
update or a delete that the client gave up on is read back before it is called failed.

The sandbox commits a dropped write, then closes the connection without a reply. The
client's ``on_request`` hook (called once the attempt is over, before apply decides
what to do next) switches the fault off again, so exactly the chosen POST is lost.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from resilience_support import FakeClock, duplicated_emails

from rostersync.api import IAdvizeClient, RequestEvent
from rostersync.api.options import ClientOptions
from rostersync.plan.apply import apply_plan
from rostersync.plan.changes import Plan
from rostersync.plan.outcomes import ApplyReport
from rostersync.plan.workflow import plan_roster
from rostersync.roster.loader import load_texts
from rostersync.sandbox import FaultConfig, Sandbox, start_sandbox

KEY = "lost-reply-key-1f9a77c2"


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


def client_for(sandbox: Sandbox, on_request: Callable[[RequestEvent], None] | None = None) -> IAdvizeClient:
    clock = FakeClock()
    return IAdvizeClient(sandbox.url, KEY, ClientOptions(on_request=on_request, sleep=clock.sleep, clock=clock))


def heal_after_first(sandbox: Sandbox, method: str, then: Callable[[], Any] | None = None) -> Callable[[RequestEvent], None]:
    """A hook that turns the faults off once the first `method` request is over."""
    seen = threading.Event()

    def hook(event: RequestEvent) -> None:
        if event.method == method and not seen.is_set():
            seen.set()
            sandbox.faults = FaultConfig()
            if then is not None:
                then()

    return hook


def planned(client: IAdvizeClient, roster_yaml: str) -> Plan:
    roster = load_texts([("roster.yaml", roster_yaml)])
    return plan_roster(client, roster)


def apply_roster(client: IAdvizeClient, roster_yaml: str) -> ApplyReport:
    return apply_plan(client, planned(client, roster_yaml))


def with_email(sandbox: Sandbox, email: str) -> list[dict[str, Any]]:
    return [op for op in sandbox.store.list() if op["email"] == email.lower()]


ONE = "version: 1\noperators:\n- {email: Lost.Reply@Example.com, first_name: Lou, chat: {max: 2}}\n"


def test_a_create_whose_reply_is_lost_is_adopted_not_sent_again(sandbox: Sandbox) -> None:
    sandbox.faults = FaultConfig(drop_rate=1.0)
    with client_for(sandbox, heal_after_first(sandbox, "POST")) as client:
        report = apply_roster(client, ONE)
    [outcome] = report.outcomes
    assert outcome.status == "done"
    assert "the reply was lost; found by email and adopted" in outcome.detail
    assert sandbox.fault_counts()["dropped"] == 1
    assert sandbox.request_counts()["POST /operator"] == 1  # looked up, not sent again
    [created] = with_email(sandbox, "lost.reply@example.com")
    assert (created["first_name"], created["chat_max_number"]) == ("Lou", 2)
    assert f"#{created['id']}" in outcome.detail
    assert "PUT /operator/{id}" not in sandbox.request_counts()  # it already holds every field


def test_every_create_reply_lost_in_parallel_each_adopted_once(sandbox: Sandbox) -> None:
    """All writes lose their reply for the whole apply: 12 creates racing on 8 threads."""
    roster = "version: 1\noperators:\n" + "".join(f"- {{email: Op{n}@Example.com, first_name: N{n}}}\n"
                                                  for n in range(12))
    sandbox.faults = FaultConfig(drop_rate=1.0)
    with client_for(sandbox) as client:
        report = apply_roster(client, roster)
    assert [o.status for o in report.outcomes] == ["done"] * 12
    assert all("found by email and adopted" in o.detail for o in report.outcomes)
    assert not any("already used" in o.detail for o in report.outcomes)
    assert sandbox.request_counts()["POST /operator"] == 12
    assert duplicated_emails(sandbox) == []
    assert sorted(op["email"] for op in sandbox.store.list()) == sorted(f"op{n}@example.com" for n in range(12))


def test_an_adopted_operator_changed_meanwhile_is_brought_to_the_roster(sandbox: Sandbox) -> None:
    """Between the lost reply and the look-up, someone edits the new operator: the
    adoption writes what the roster wants on top."""
    def someone_edits() -> None:
        [created] = with_email(sandbox, "lost.reply@example.com")
        sandbox.store.update(created["id"], {"first_name": "Someone else", "chat_max_number": 5})

    sandbox.faults = FaultConfig(drop_rate=1.0)
    with client_for(sandbox, heal_after_first(sandbox, "POST", someone_edits)) as client:
        report = apply_roster(client, ONE)
    [outcome] = report.outcomes
    assert outcome.ok and "adopted" in outcome.detail
    [created] = with_email(sandbox, "lost.reply@example.com")
    assert (created["first_name"], created["chat_max_number"]) == ("Lou", 2)
    assert sandbox.request_counts()["PUT /operator/{id}"] == 1


def test_a_create_refused_with_503_is_looked_up_then_sent_again(sandbox: Sandbox) -> None:
    """A 503 on a POST may hide a committed write (a gateway's), so it is not retried
    blindly either: the look-up finds nothing, and only then is it sent again."""
    with client_for(sandbox, heal_after_first(sandbox, "POST")) as client:
        plan = planned(client, ONE)
        sandbox.faults = FaultConfig(error_rate=1.0)
        report = apply_plan(client, plan)
    [outcome] = report.outcomes
    [created] = with_email(sandbox, "lost.reply@example.com")
    assert (outcome.status, outcome.detail) == ("done", f"created #{created['id']}")
    counts = sandbox.request_counts()
    assert counts["POST /operator"] == 2
    assert counts["GET /operator"] == 2  # the plan's listing, then the look-up by email


def test_a_create_the_api_never_takes_fails_with_advice_and_writes_nothing(sandbox: Sandbox) -> None:
    """Every POST gets a 503, every look-up answers "no such operator": given up after
    as many tries as any other call gets, with what to do."""
    def posts_fail_lookups_pass(event: RequestEvent) -> None:
        sandbox.faults = FaultConfig(error_rate=1.0 if event.method == "GET" else 0.0)

    with client_for(sandbox, posts_fail_lookups_pass) as client:
        plan = planned(client, ONE)
        sandbox.faults = FaultConfig(error_rate=1.0)
        report = apply_plan(client, plan)
    [outcome] = report.outcomes
    assert outcome.status == "failed"
    assert outcome.detail == ("the API did not answer 5 creates of Lost.Reply@Example.com, and no operator with "
                              "that email exists; run apply again")
    assert sandbox.request_counts() == {"GET /operator": 6, "POST /operator": 5}
    assert len(sandbox.store) == 0
    assert report.summary_line() == "Apply complete: 0 created, 0 updated, 0 deleted, 1 failed."


def test_a_create_whose_look_up_fails_too_says_it_may_exist(sandbox: Sandbox) -> None:
    with client_for(sandbox) as client:
        plan = planned(client, ONE)
        sandbox.faults = FaultConfig(error_rate=1.0)
        report = apply_plan(client, plan)
    [outcome] = report.outcomes
    assert outcome.status == "failed"
    assert outcome.detail.startswith("the API did not answer the create of Lost.Reply@Example.com, and looking it up "
                                     "failed (list operators (page 1) (GET /operator): the server failed (503")
    assert outcome.detail.endswith("it may or may not exist: run apply again")
    assert len(sandbox.store) == 0


# --- updates and deletes whose every reply is lost ----------------------------------------------
# A PUT or a DELETE is retried by the client (it is idempotent). When every attempt
# failed, one of them may still have been carried out: apply reads the operator back
# before calling it a failure.

ADA = {"email": "ada@example.com", "first_name": "Ada", "chat_max_number": 3}
ADA_WANTS = "version: 1\noperators:\n- {email: ada@example.com, first_name: Augusta, chat: {max: 4}}\n"


def faults_until_attempt(sandbox: Sandbox, method: str, last: int, then: FaultConfig) -> Callable[[RequestEvent], None]:
    """Keep the faults for `method` until its attempt number `last`, then switch to `then`."""
    def hook(event: RequestEvent) -> None:
        if event.method == method and event.attempt == last:
            sandbox.faults = then
    return hook


def test_an_update_whose_every_reply_is_lost_is_checked_and_done(sandbox: Sandbox) -> None:
    operator_id = sandbox.store.add(ADA)
    with client_for(sandbox) as client:
        plan = planned(client, ADA_WANTS)
        sandbox.faults = FaultConfig(drop_rate=1.0)  # writes only: the look-up is a GET
        report = apply_plan(client, plan)
    [outcome] = report.outcomes
    assert (outcome.status, outcome.detail) == (
        "done", f"updated #{operator_id}: chat.max, first_name (the reply was lost; checked by reading it)")
    assert sandbox.request_counts() == {"GET /operator": 1, "PUT /operator/{id}": 5, "GET /operator/{id}": 1}
    assert sandbox.fault_counts()["dropped"] == 5
    stored = sandbox.store.get(operator_id)
    assert (stored["first_name"], stored["chat_max_number"]) == ("Augusta", 4)


def test_an_update_never_carried_out_still_fails_with_the_servers_reason(sandbox: Sandbox) -> None:
    operator_id = sandbox.store.add(ADA)
    with client_for(sandbox, faults_until_attempt(sandbox, "PUT", 5, FaultConfig())) as client:
        plan = planned(client, ADA_WANTS)
        sandbox.faults = FaultConfig(error_rate=1.0)
        report = apply_plan(client, plan)
    [outcome] = report.outcomes
    assert outcome.status == "failed"
    assert outcome.detail.startswith(f"update operator {operator_id} (PUT /operator/{operator_id}): the server failed "
                                     "(503 Service Unavailable")
    assert "after 5 attempts" in outcome.detail
    assert sandbox.request_counts()["GET /operator/{id}"] == 1  # it was looked at
    assert sandbox.store.get(operator_id)["first_name"] == "Ada"


def test_a_delete_done_by_a_lost_attempt_then_refused_is_checked_and_done(sandbox: Sandbox) -> None:
    """The first DELETE is carried out and its reply lost; every retry meets a 503, so
    the client never sees the 404 that would have told it. Reading the operator does."""
    sandbox.store.add({"email": "stays@example.com"})
    operator_id = sandbox.store.add({"email": "leaves@example.com"})

    def lose_then_refuse(event: RequestEvent) -> None:
        if event.method == "DELETE":
            sandbox.faults = FaultConfig() if event.attempt == 5 else FaultConfig(error_rate=1.0)

    with client_for(sandbox, lose_then_refuse) as client:
        plan = planned(client, "version: 1\noperators:\n- {email: stays@example.com}\n")
        sandbox.faults = FaultConfig(drop_rate=1.0)
        report = apply_plan(client, plan)
    [outcome] = report.outcomes
    assert (outcome.status, outcome.detail) == ("done",
                                                f"deleted #{operator_id} (the reply was lost; checked by reading it)")
    assert sandbox.request_counts()["DELETE /operator/{id}"] == 5
    assert operator_id not in sandbox.store
