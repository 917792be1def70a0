"""The client's listings against a hostile server: pagination that lies (a billion
pages, the same page again, an early end) and live data that cannot be trusted
(an id twice, one email twice, ids that are not positive integers).  Each case is a
clear UnexpectedResponseError after few requests, never a partial listing; an id
given as {"id": N} is read."""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any

import pytest
from hostile_server import (
    Answer,
    HostileServer,
    hostile,
    listing,
    operators,
)
from iadvize_support import SECRET_KEY, FakeClock

from rostersync.api import IAdvizeClient, UnexpectedResponseError
from rostersync.api.listing import MAX_LISTED, MAX_PAGES
from rostersync.api.options import ClientOptions


def client_of(server: HostileServer, clock: FakeClock, **options: Any) -> IAdvizeClient:
    defaults: dict[str, Any] = {"sleep": clock.sleep, "clock": clock, "rng": random.Random(1), "max_attempts": 1}
    return IAdvizeClient(server.url, SECRET_KEY, ClientOptions(**{**defaults, **options}))


@pytest.fixture
def server() -> Iterator[HostileServer]:
    with hostile() as running:
        yield running


def refused(server: HostileServer, clock: FakeClock, fragment: str) -> str:
    with client_of(server, clock) as api, pytest.raises(UnexpectedResponseError) as caught:
        api.list_operators()
    message = str(caught.value)
    assert fragment in message, message
    assert message.startswith("list operators (GET /operator): ")
    return message


# --- pagination ------------------------------------------------------------------------------

def test_an_honest_listing_of_several_pages_is_read_whole(server: HostileServer, clock: FakeClock) -> None:
    server.behaviour = listing(operators(250))
    with client_of(server, clock) as api:
        assert [r.id for r in api.list_operators()] == list(range(1, 251))
    assert len(server.requests_to("/api/2/operator")) == 3


def test_a_billion_pages_for_three_operators_is_refused_after_one_request(server: HostileServer,
                                                                          clock: FakeClock) -> None:
    server.behaviour = listing(operators(3), pages=lambda true: 10**9)
    message = refused(server, clock, f"the server announced 1000000000 pages, more than the {MAX_PAGES}")
    assert "The listing cannot be trusted, so it is not used: run again" in message
    assert len(server.seen) == 1


@pytest.mark.parametrize(("lie", "fragment"), [
    ({"pages": lambda true: 50}, "the server announced 50 pages for 250 items at 100 a page, which need 3"),
    ({"pages": lambda true: MAX_PAGES + 1, "count": None}, f"{MAX_PAGES + 1} pages, more than the {MAX_PAGES}"),
    ({"count": 10**9}, f"the server announced 1000000000 items, more than the {MAX_LISTED}"),
    ({"count": 300}, "the server announced 300 items but listed 250: the listing ended early"),
    ({"pages": lambda true: 1}, "the server announced 250 items but listed 100: the listing ended early"),
    ({"stop_at": 1}, "page 2 of 3 is empty: the listing ended early"),
    ({"stop_at": 1, "count": None}, "page 2 of 3 is empty: the listing ended early"),
    ({"ignore_page": True}, "asked for page 2, the server answered page 1: it does not follow the 'page' parameter"),
    ({"ignore_page": True, "echo_page": False}, "page 2 lists the same ids as page 1: the server ignores the 'page'"),
], ids=["pages beyond the count", "pages beyond the cap", "count beyond the cap", "fewer than the count",
        "one page announced for three", "empty page before the last", "empty page, no count",
        "answers page 1 again", "same ids again"])
def test_lying_pagination_is_refused(server: HostileServer, clock: FakeClock, lie: dict[str, Any],
                                     fragment: str) -> None:
    server.behaviour = listing(operators(250), **lie)
    refused(server, clock, fragment)
    assert len(server.seen) <= 3


def test_a_short_page_in_the_middle_is_refused(server: HostileServer, clock: FakeClock) -> None:
    items = operators(250)
    honest = listing(items)

    def short_second_page(request: Any) -> Answer:
        answer = honest(request)
        if request.page == 2:
            answer.body["data"] = answer.body["data"][:60]
        return answer

    server.behaviour = short_second_page
    refused(server, clock, "page 2 of 3 holds 60 items where page 1 holds 100")


def test_a_count_that_changes_between_pages_is_refused(server: HostileServer, clock: FakeClock) -> None:
    honest = listing(operators(250))

    def growing(request: Any) -> Answer:
        answer = honest(request)
        answer.body["pagination"]["count"] += request.page - 1
        return answer

    server.behaviour = growing
    refused(server, clock, "the announced count changed while the listing was read (250 on page 1, 251 on page 2)")


# --- live data that cannot be trusted ------------------------------------------------------

@pytest.mark.parametrize(("items", "fragment"), [
    ([{"id": 1, "email": "a@x.com"}, {"id": 1, "email": "b@x.com"}], "id 1 is listed twice on page 1"),
    ([{"id": 1, "email": "Ada@Example.com"}, {"id": 2, "email": "ada@example.COM"}],
     "operators #1 and #2 have the same email 'ada@example.COM' (compared case-insensitively)"),
    ([{"id": 0, "email": "a@x.com"}], "page 1, item 0: expected a positive integer 'id', got id 0"),
    ([{"id": -4, "email": "a@x.com"}], "page 1, item 0: expected a positive integer 'id', got id -4"),
    ([{"id": "x1", "email": "a@x.com"}], "page 1, item 0: expected a positive integer 'id', got id 'x1'"),
    ([{"id": 1.5, "email": "a@x.com"}], "page 1, item 0: expected a positive integer 'id', got id 1.5"),
    ([{"id": {"id": -1}, "email": "a@x.com"}], "expected a positive integer 'id', got id {'id': -1}"),
], ids=["duplicate id", "one email twice", "id 0", "negative id", "id text", "id fraction", "id object negative"])
def test_untrustworthy_live_data_is_refused(server: HostileServer, clock: FakeClock, items: list[dict[str, Any]],
                                            fragment: str) -> None:
    server.behaviour = listing(items)
    with client_of(server, clock) as api, pytest.raises(UnexpectedResponseError) as caught:
        api.list_operators()
    assert fragment in str(caught.value)


def test_an_id_given_as_an_object_is_read_as_the_php_client_does(server: HostileServer, clock: FakeClock) -> None:
    server.behaviour = listing([{"id": {"id": 2}, "email": "a@x.com"}, {"id": {"id": "3"}, "email": "b@x.com"}])
    with client_of(server, clock) as api:
        records = api.list_operators()
    assert [(r.id, r.problems) for r in records] == [(2, ()), (3, ())]
