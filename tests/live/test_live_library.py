"""The library under the commands: choosing operators, the bounded pool, requests, safe text."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import pytest

from rostersync.api import IAdvizeClient
from rostersync.bounded_pool import run_bounded
from rostersync.live.availability import AvailabilityRequest, apply_availability, read_availability_plan
from rostersync.render.stats import spreadsheet_cell
from rostersync.roster.loader import load_texts
from rostersync.sandbox import Sandbox
from rostersync.selection import select_operators


@pytest.fixture
def client(account: Sandbox) -> Iterator[IAdvizeClient]:
    with IAdvizeClient(account.url, account.api_key) as opened:
        yield opened


# ---------------------------------------------------------------- selection

def test_a_roster_chooses_its_operators_in_its_scope_by_email_or_external_id(
        account: Sandbox, client: IAdvizeClient) -> None:
    renamed = account.store.add({"email": "old.name@example.com", "external_id": "HR-1", "group_id": 7})
    same = account.store.add({"email": "Same@Example.com", "group_id": 7})
    account.store.add({"email": "other-group@example.com", "group_id": 8})
    account.store.add({"email": "not-in-roster@example.com", "group_id": 7})
    roster = load_texts([("team.yaml", """\
version: 1
scope: {group_id: 7}
operators:
  - {email: new.name@example.com, external_id: HR-1}
  - {email: same@example.com}
  - {email: other-group@example.com}
  - {email: later@example.com, external_id: HR-9}
""")])
    selection = select_operators(client, roster=roster)
    assert [(op.id, op.email) for op in selection.operators] == [
        (renamed, "old.name@example.com"), (same, "same@example.com")]
    assert selection.not_on_account == ("later@example.com", "other-group@example.com")
    assert selection.scope.group == 7


def test_globs_ignore_case_and_report_what_matched_nobody(account: Sandbox, client: IAdvizeClient) -> None:
    for email in ("ada@example.com", "bob@example.org"):
        account.store.add({"email": email})
    selection = select_operators(client, only=["*@EXAMPLE.com", "nobody@*", "b?b@*"])
    assert [op.email for op in selection.operators] == ["ada@example.com", "bob@example.org"]
    assert selection.unmatched_globs == ("nobody@*",)


def test_an_operator_without_an_email_is_listed_but_never_matches_a_glob(
        account: Sandbox, client: IAdvizeClient) -> None:
    operator_id = account.store.add({"email": "x@example.com"})
    account.store._fields[operator_id]["email"] = None
    assert [op.label for op in select_operators(client).operators] == [f"#{operator_id}"]
    assert select_operators(client, only=["*"]).operators == ()


# ---------------------------------------------------------------- requests and the pool

@pytest.mark.parametrize("kwargs", [{}, {"chat": True, "logout": True}])
def test_a_request_is_a_logout_or_channels(kwargs: dict[str, bool]) -> None:
    with pytest.raises(ValueError, match="logout, or for at least one channel"):
        AvailabilityRequest(**kwargs)


def test_stopping_the_pool_starts_nothing_new_and_keeps_what_ran() -> None:
    stop = threading.Event()

    def work(n: int) -> int:
        if n:  # no later call outruns the stop (the calling thread hears of call 0 first)
            stop.wait(timeout=10)
        return n * 10

    run = run_bounded(range(6), work, parallelism=1, on_result=lambda _: stop.set(), stop=stop)
    assert run.interrupted
    assert run.results[0] == 0
    started = [result for result in run.results if result is not None]
    assert 1 <= len(started) <= 2  # the one done, and perhaps the next, already in flight
    assert run.results[len(started):] == (None,) * (6 - len(started))


def test_ctrl_c_while_waiting_lets_the_running_call_finish() -> None:
    release = threading.Event()
    finished: list[int] = []

    def work(n: int) -> int:
        if n == 1:
            release.wait(timeout=10)
        finished.append(n)
        return n

    def on_result(n: int) -> None:
        if n == 0:
            release.set()
            raise KeyboardInterrupt  # Ctrl-C lands in the loop

    run = run_bounded(range(4), work, parallelism=2, on_result=on_result)
    assert run.interrupted
    assert run.results[:2] == (0, 1)  # 1 was in flight: it finished, and its result is kept
    assert set(finished) >= {0, 1}


def test_ctrl_c_while_submitting_keeps_the_results_of_the_calls_made() -> None:
    """A call already running when Ctrl-C lands among the submissions is not reported
    as never started (its change was made)."""
    started = threading.Event()
    called: list[int] = []

    def work(n: int) -> int:
        called.append(n)
        started.set()
        return n

    class CtrlCAfterTwo(list[int]):
        def __iter__(self) -> Iterator[int]:
            yield from [*list.__iter__(self)][:2]
            started.wait(timeout=10)
            raise KeyboardInterrupt

    run = run_bounded(CtrlCAfterTwo(range(5)), work, parallelism=2)
    assert run.interrupted
    assert called
    assert [result is not None for result in run.results] == [n in called for n in range(5)]
    assert run.results[2:] == (None, None, None)


def test_ctrl_c_inside_submit_keeps_the_result_of_the_call_it_queued(monkeypatch: pytest.MonkeyPatch) -> None:
    """Ctrl-C may land inside `pool.submit` once the call is queued, before its future
    is returned: the call is made all the same, and its result must be kept."""
    import rostersync.bounded_pool as bounded_pool

    class CtrlCInSecondSubmit(ThreadPoolExecutor):
        submitted = 0

        def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future[Any]:
            future = super().submit(fn, *args, **kwargs)
            CtrlCInSecondSubmit.submitted += 1
            if CtrlCInSecondSubmit.submitted == 2:
                future.result(timeout=10)  # the call was made ...
                raise KeyboardInterrupt  # ... and Ctrl-C lands before submit returns
            return future

    monkeypatch.setattr(bounded_pool, "ThreadPoolExecutor", CtrlCInSecondSubmit)
    run = run_bounded(range(5), lambda n: n * 10, parallelism=1)
    assert run.interrupted
    assert run.results == (0, 10, None, None, None)


def test_an_interrupted_change_is_reported_not_started(account: Sandbox, client: IAdvizeClient) -> None:
    for n in range(4):
        operator_id = account.store.add({"email": f"op{n}@example.com", "chat_enabled": True})
        account.store.set_presence(operator_id, connected=True, available=["chat"])
    plan = read_availability_plan(client, select_operators(client), AvailabilityRequest(chat=False))
    stop = threading.Event()

    class StopAfterFirstWrite:
        """The real client; the stop comes as the first write returns, before the next can start.

        (Stopping from on_outcome races the worker: with one thread it may have made
        every change before the calling thread hears of the first.)
        """

        def set_live(self, operator_id: int, **switches: Any) -> None:
            client.set_live(operator_id, **switches)
            stop.set()

        def get_live(self, operator_id: int) -> Any:
            return client.get_live(operator_id)

    report = apply_availability(StopAfterFirstWrite(), plan, parallelism=1, stop=stop)
    assert report.interrupted and not report.ok
    statuses = [outcome.status for outcome in report.outcomes]
    assert statuses[0] == "done" and statuses[-1] == "not started"
    assert {outcome.detail for outcome in report.with_status("not started")} == {
        "interrupted before this change started"}
    changed = sum(not account.store.live(outcome.change.operator.id)["chat"]["available"]
                  for outcome in report.outcomes)
    assert changed == len(report.with_status("done"))


# ---------------------------------------------------------------- CSV cells

@pytest.mark.parametrize("raw,cell", [
    ("=1+1", "'=1+1"), ("+33 1", "'+33 1"), ("-x", "'-x"), ("@SUM(A1)", "'@SUM(A1)"),
    ("Nantes", "Nantes"), ("a=b", "a=b"), ("=\x1b[2J", "'=\\x1b[2J"),
])
def test_spreadsheet_cell(raw: str, cell: str) -> None:
    assert spreadsheet_cell(raw) == cell
