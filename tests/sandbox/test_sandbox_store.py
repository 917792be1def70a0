"""The store used directly, as tests and benchmarks seed it, and under concurrent HTTP."""

from __future__ import annotations

import threading
from typing import Any

import pytest
import requests
from hypothesis import given, settings
from hypothesis import strategies as st

import rostersync.sandbox as sandbox_package
from rostersync.sandbox import InvalidFields, OperatorNotFound, OperatorStore, Sandbox


def test_public_names_are_pinned() -> None:
    assert sandbox_package.__all__ == [
        "DEMO_OPERATORS", "DEMO_PRESENCE", "FaultConfig", "InvalidFields", "OperatorNotFound",
        "OperatorStore", "Sandbox", "SandboxStateError", "parse_form", "seed_demo", "start_sandbox",
    ]


def test_add_takes_python_values_and_get_returns_api_shape() -> None:
    store = OperatorStore()
    operator_id = store.add({"email": "a@example.com", "chat_enabled": True,
                             "website_list": [456, 123], "chat_priority": 10,
                             "call_config": {"type": "ANSWER_FROM_PHONE",
                                             "phone_number": "+441234567890"}})
    operator = store.get(operator_id)
    assert operator["chat_enabled"] is True
    assert operator["website_list"] == [123, 456]
    assert operator["_link"] == f"/operator/{operator_id}"
    operator["website_list"].append(789)  # a copy: the store is unchanged
    assert store.get(operator_id)["website_list"] == [123, 456]


def test_add_validates() -> None:
    store = OperatorStore()
    with pytest.raises(InvalidFields, match="chat_priority"):
        store.add({"email": "a@example.com", "chat_priority": 3})
    store.add({"email": "a@example.com"})
    with pytest.raises(InvalidFields, match="already used"):
        store.add({"email": "A@example.com"})
    with pytest.raises(InvalidFields, match="'email'"):
        store.add({"chat_enabled": True})


def test_bulk_add_thousands_is_all_or_nothing() -> None:
    store = OperatorStore()
    ids = store.bulk_add({"email": f"op{n}@example.com", "group_id": 1 + n % 5}
                         for n in range(5000))
    assert len(store) == 5000 and ids == sorted(ids) == store.ids()
    assert len(store.list({"group_id": "3"})) == 1000
    with pytest.raises(InvalidFields):
        store.bulk_add([{"email": "fine@example.com"}, {"email": "op1@example.com"}])
    assert len(store) == 5000
    assert store.list({"email": "fine@example.com"}) == []
    store.add({"email": "fine@example.com"})  # its email was released by the rollback


def test_missing_operator() -> None:
    store = OperatorStore()
    for call in (store.get, store.delete, store.live, store.statistic, store.profile):
        with pytest.raises(OperatorNotFound, match=r"Unknown 'operator' with 'id' 77\."):
            call(77)


def test_set_presence_refuses_a_channel_not_enabled() -> None:
    store = OperatorStore()
    operator_id = store.add({"email": "a@example.com", "chat_enabled": True})
    with pytest.raises(InvalidFields, match="'call'"):
        store.set_presence(operator_id, connected=True, available=["call"])
    store.set_presence(operator_id, connected=True, available=["chat"])
    assert store.live(operator_id)["chat"]["available"] is True


def test_page_renders_only_what_it_returns() -> None:
    store = OperatorStore()
    ids = store.bulk_add({"email": f"p{n}@example.com"} for n in range(10))
    count, items = store.page({"email": "p1*"}, offset=0, limit=5, full=False)
    assert count == 1 and items == [{"id": ids[1], "_link": f"/operator/{ids[1]}"}]


@settings(max_examples=60, deadline=None)
@given(total=st.integers(0, 260), limit=st.integers(1, 150))
def test_pages_partition_the_operators(total: int, limit: int) -> None:
    store = OperatorStore()
    ids = store.bulk_add({"email": f"h{n}@example.com"} for n in range(total))
    clamped = min(limit, 100)
    pages = max(1, -(-total // clamped))
    seen = []
    for page in range(1, pages + 1):
        count, items = store.page(None, offset=(page - 1) * clamped, limit=clamped, full=False)
        assert count == total
        seen += [item["id"] for item in items]
    assert seen == ids


def test_concurrent_creates_over_http(clean_sandbox: Sandbox) -> None:
    errors: list[Any] = []

    def create_many(worker: int) -> None:
        with requests.Session() as http:
            http.headers["X-API-Key"] = clean_sandbox.api_key
            for n in range(25):
                response = http.post(f"{clean_sandbox.url}/operator", timeout=10,
                                     data={"email": f"w{worker}-{n}@example.com"})
                if response.status_code != 201:
                    errors.append(response.text)
            # Everyone also races for one shared email: exactly one may win.
            http.post(f"{clean_sandbox.url}/operator", data={"email": "shared@example.com"},
                      timeout=10)

    workers = [threading.Thread(target=create_many, args=(w,)) for w in range(8)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert errors == []
    assert len(clean_sandbox.store) == 8 * 25 + 1
    assert len(set(clean_sandbox.store.ids())) == 201
    assert len(clean_sandbox.store.list({"email": "shared@example.com"})) == 1
