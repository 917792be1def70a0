"""Helpers shared by the resilience tests: rosters and live accounts made to order."""

from __future__ import annotations

import dataclasses
import threading
from collections import Counter
from typing import Any

import pytest
import yaml

from rostersync.api import IAdvizeClient
from rostersync.api.options import ClientOptions
from rostersync.sandbox import Sandbox


def roster_text(operators: list[dict[str, Any]], **top: Any) -> str:
    """A roster document (version 1) holding ``operators``, as YAML."""
    return yaml.safe_dump({"version": 1, **top, "operators": operators}, sort_keys=False)


def store_emails(sandbox: Sandbox) -> list[str]:
    return sorted(str(op["email"]).lower() for op in sandbox.store.list())


def duplicated_emails(sandbox: Sandbox) -> list[str]:
    counts = Counter(store_emails(sandbox))
    return sorted(email for email, count in counts.items() if count > 1)


class FakeClock:
    """A clock whose ``sleep`` moves it on at once: backoff waits that cost no real time."""

    def __init__(self) -> None:
        self.now = 0.0
        self._lock = threading.Lock()

    def __call__(self) -> float:
        with self._lock:
            return self.now

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.now += max(0.0, seconds)


def instant_backoff(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    """Make the CLI's client wait on a fake clock (its retries, backoff and pacing are
    unchanged; only the waiting costs nothing). Nothing of `requests` is touched."""
    from rostersync.cli import connection

    clock = FakeClock()

    def client_on_fake_clock(base_url: str, api_key: str, options: ClientOptions) -> IAdvizeClient:
        return IAdvizeClient(base_url, api_key, dataclasses.replace(options, sleep=clock.sleep, clock=clock))

    monkeypatch.setattr(connection, "IAdvizeClient", client_on_fake_clock)
    return clock
