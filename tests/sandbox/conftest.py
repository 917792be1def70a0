"""Fixtures for the sandbox tests: one real sandbox for the session, a clean slate per test."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any
from urllib.parse import urlencode

import pytest
import requests

from rostersync.sandbox import FaultConfig, Sandbox, start_sandbox

FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def http_build_query(data: Mapping[str, Any]) -> str:
    """What PHP's ``http_build_query`` makes of nested data, as iAdvize's client sends it."""
    pairs: list[tuple[str, str]] = []

    def walk(value: Any, key: str) -> None:
        if isinstance(value, Mapping):
            for name, item in value.items():
                walk(item, f"{key}[{name}]")
        elif isinstance(value, (list, tuple)):
            for index, item in enumerate(value):
                walk(item, f"{key}[{index}]")
        elif isinstance(value, bool):
            pairs.append((key, "1" if value else "0"))
        elif value is not None:  # PHP leaves nulls out
            pairs.append((key, str(value)))

    for name, value in data.items():
        walk(value, str(name))
    return urlencode(pairs)


class Api:
    """A ``requests`` session aimed at the sandbox, sending the key in ``X-API-Key``."""

    def __init__(self, sandbox: Sandbox, session: requests.Session) -> None:
        self.sandbox = sandbox
        self.session = session
        self.url = sandbox.url
        session.headers["X-API-Key"] = sandbox.api_key

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.session.get(self.url + path, timeout=10, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> requests.Response:
        return self.session.delete(self.url + path, timeout=10, **kwargs)

    def post(self, path: str, fields: Mapping[str, Any] | str | None = None,
             **kwargs: Any) -> requests.Response:
        return self.session.post(self.url + path, data=self._body(fields), headers=FORM,
                                 timeout=10, **kwargs)

    def put(self, path: str, fields: Mapping[str, Any] | str | None = None,
            **kwargs: Any) -> requests.Response:
        return self.session.put(self.url + path, data=self._body(fields), headers=FORM,
                                timeout=10, **kwargs)

    @staticmethod
    def _body(fields: Mapping[str, Any] | str | None) -> str:
        if fields is None:
            return ""
        return fields if isinstance(fields, str) else http_build_query(fields)

    def create(self, **fields: Any) -> dict[str, Any]:
        """Create an operator over HTTP; return its data."""
        response = self.post("/operator", fields)
        assert response.status_code == 201, response.text
        data: dict[str, Any] = response.json()["data"]
        return data


@pytest.fixture(scope="session")
def sandbox() -> Iterator[Sandbox]:
    with start_sandbox() as running:
        yield running


@pytest.fixture
def clean_sandbox(sandbox: Sandbox) -> Iterator[Sandbox]:
    """The session's sandbox, emptied, counters zeroed, faults off; faults off again after."""
    sandbox.faults = FaultConfig()
    sandbox.store.clear()
    sandbox.reset_counts()
    yield sandbox
    sandbox.faults = FaultConfig()


@pytest.fixture
def api(clean_sandbox: Sandbox) -> Iterator[Api]:
    with requests.Session() as session:
        yield Api(clean_sandbox, session)


@pytest.fixture
def build_query() -> Callable[[Mapping[str, Any]], str]:
    return http_build_query
