"""Fixtures shared by the whole suite: a real sandbox over loopback HTTP, per test."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import settings

from rostersync.sandbox import Sandbox, start_sandbox

TEST_KEY = "test-key-5f2c9e"

# The property tests draw the same examples on every run (derandomize), and no example
# fails for being slow (deadline): the suite's verdict must depend neither on luck nor
# on how busy the machine is. `HYPOTHESIS_PROFILE=explore` draws new examples each run
# (and keeps the failing ones in .hypothesis/), to look for bugs.
settings.register_profile("repeatable", derandomize=True, deadline=None, database=None)
settings.register_profile("explore", deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))


@pytest.fixture
def account(monkeypatch: pytest.MonkeyPatch) -> Iterator[Sandbox]:
    """An empty iAdvize account (a sandbox) that the CLI is pointed at by environment;
    a test fails if the client sent it a filter name it does not know."""
    sandbox = start_sandbox(api_key=TEST_KEY)
    monkeypatch.setenv("IADVIZE_BASE_URL", sandbox.url)
    monkeypatch.setenv("IADVIZE_API_KEY", TEST_KEY)
    monkeypatch.delenv("NO_COLOR", raising=False)
    try:
        yield sandbox
        # The sandbox ignores unknown filter names, as the service does; from
        # rostersync's client one is a misspelling that would widen a listing.
        assert not sandbox.ignored_filters(), f"the client sent unknown filters: {sandbox.ignored_filters()}"
    finally:
        sandbox.stop()


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path
