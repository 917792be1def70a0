"""ClientOptions: one object the client and its transport both read; the CLI's reading of it."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from iadvize_support import SECRET_KEY, FakeClock, Scripted, ScriptedServer

from rostersync.api import ConfigError, IAdvizeClient, ServerError
from rostersync.api.options import ClientOptions
from rostersync.cli.connection import RETRY_BUDGET_ENV, Connection, client_options


def test_options_are_frozen_and_default_to_the_documented_values() -> None:
    options = ClientOptions()
    assert (options.timeout, options.max_attempts, options.retry_budget_s, options.max_rps) == (60.0, 5, 60.0, None)
    assert (options.insecure, options.on_request, options.page_workers, options.rng) == (False, None, 4, None)
    with pytest.raises(dataclasses.FrozenInstanceError):
        options.max_attempts = 1  # type: ignore[misc]


def test_the_client_hands_its_options_to_the_transport(scripted: ScriptedServer, clock: FakeClock) -> None:
    scripted.queue(*[Scripted(503)] * 5)
    options = ClientOptions(sleep=clock.sleep, clock=clock, max_attempts=2)
    with IAdvizeClient(scripted.url, SECRET_KEY, options) as api, pytest.raises(ServerError) as caught:
        api.get_operator(5)
    assert caught.value.attempts == 2 and len(clock.sleeps) == 1  # the transport's retries, from the options


def test_a_zero_retry_budget_fails_at_the_first_error(scripted: ScriptedServer, clock: FakeClock) -> None:
    scripted.queue(*[Scripted(503)] * 5)
    options = ClientOptions(sleep=clock.sleep, clock=clock, retry_budget_s=0)
    with IAdvizeClient(scripted.url, SECRET_KEY, options) as api, pytest.raises(ServerError) as caught:
        api.get_operator(5)
    assert caught.value.attempts == 1 and clock.sleeps == []


def test_a_bad_option_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="max_attempts must be at least 1"):
        IAdvizeClient("https://sd.iadvize.com/api/2", SECRET_KEY, ClientOptions(max_attempts=0))
    with pytest.raises(ConfigError, match="plain http"):
        IAdvizeClient("http://example.com/api/2", SECRET_KEY, ClientOptions())


CONNECTION = Connection(base_url=None, platform=None, api_key_file=Path("key"), sandbox=False, insecure=True,
                        verbose=False, quiet=True, max_rps=2.5)


def test_the_cli_passes_its_options_and_reads_the_retry_budget_from_the_environment() -> None:
    options = client_options(CONNECTION, page_workers=8, environ={})
    assert (options.max_rps, options.insecure, options.page_workers, options.on_request) == (2.5, True, 8, None)
    assert options.retry_budget_s == ClientOptions().retry_budget_s
    assert options.timeout == ClientOptions().timeout == 60.0
    assert client_options(dataclasses.replace(CONNECTION, timeout=2.5), page_workers=1, environ={}).timeout == 2.5
    assert client_options(CONNECTION, page_workers=1, environ={RETRY_BUDGET_ENV: " 0 "}).retry_budget_s == 0
    assert client_options(CONNECTION, page_workers=1, environ={RETRY_BUDGET_ENV: "2.5"}).retry_budget_s == 2.5
    verbose = dataclasses.replace(CONNECTION, verbose=True)
    assert client_options(verbose, page_workers=1, environ={}).on_request is not None


@pytest.mark.parametrize("value", ["soon", "-1", "nan", "inf"])
def test_a_retry_budget_that_is_not_seconds_is_a_config_error(value: str) -> None:
    with pytest.raises(ConfigError, match=f"{RETRY_BUDGET_ENV} must be a number of seconds, 0 or more; got '{value}'"):
        client_options(CONNECTION, page_workers=1, environ={RETRY_BUDGET_ENV: value})
