"""``rostersync sandbox``: serve the sandbox in the foreground until Ctrl-C."""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType

import click
from click.core import ParameterSource

from rostersync.sandbox.faults import FaultConfig
from rostersync.sandbox.runner import LOCK_TIMEOUT_ENV, start_sandbox

__all__ = ["API_KEY_ENV", "fault_config_from_options", "sandbox_command"]

API_KEY_ENV = "ROSTERSYNC_SANDBOX_KEY"
DEFAULT_API_KEY = "sandbox-key"


def fault_config_from_options(*, seed: int | None, latency_ms: float, error_rate: float,
                              rate_limit: float | None, drop_rate: float,
                              ignore_fields: tuple[str, ...] = ()) -> FaultConfig:
    """The ``FaultConfig`` the fault options ask for (kept apart to be testable)."""
    return FaultConfig(latency_ms=latency_ms, error_rate=error_rate, rate_limit=rate_limit,
                       drop_rate=drop_rate, seed=seed, ignore_fields=ignore_fields)


def describe_api_key_source(source: ParameterSource | None) -> str:
    """Where the key came from, for the banner: the key itself is never shown."""
    if source is ParameterSource.ENVIRONMENT:
        return f"given by {API_KEY_ENV}"
    if source is ParameterSource.DEFAULT:
        return "the default of --api-key, see --help"
    return "given by --api-key"


@contextmanager
def _stop_on_signals(stop: threading.Event) -> Iterator[None]:
    """Turn Ctrl-C and SIGTERM into ``stop.set()`` instead of an exception."""
    if threading.current_thread() is not threading.main_thread():
        yield  # signals can only be handled in the main thread
        return

    def handler(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


@click.command("sandbox")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=8080, show_default=True,
              help="Port to listen on; 0 picks a free one.")
@click.option("--state", "state_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Keep the operators in this JSON file across restarts; one sandbox at a time "
                   f"uses it (another waits, {LOCK_TIMEOUT_ENV} seconds, default 60).")
@click.option("--api-key", envvar=API_KEY_ENV, default=DEFAULT_API_KEY, show_default=True,
              help=f"The API key clients must send (or set {API_KEY_ENV}).")
@click.option("--demo", is_flag=True, help="Start with a demo team when the state is empty.")
@click.option("--seed", type=int, default=None, help="Seed of the random faults.")
@click.option("--latency-ms", type=click.FloatRange(min=0), default=0.0, show_default=True,
              help="Delay before every reply, in milliseconds.")
@click.option("--error-rate", type=click.FloatRange(0, 1), default=0.0, show_default=True,
              help="Fraction of requests answered 503, doing nothing.")
@click.option("--rate-limit", type=click.FloatRange(min=0, min_open=True), default=None,
              help="Requests per second allowed; over it, 429 with Retry-After.")
@click.option("--drop-rate", type=click.FloatRange(0, 1), default=0.0, show_default=True,
              help="Fraction of writes done, then left without a reply.")
@click.option("--ignore-field", "ignore_fields", multiple=True, metavar="API_FIELD",
              help="Accept this field (e.g. skill_list) in a POST or PUT, and do not take it. Repeatable.")
@click.pass_context
def sandbox_command(ctx: click.Context, host: str, port: int, state_path: Path | None,
                    api_key: str, demo: bool, seed: int | None, latency_ms: float,
                    error_rate: float, rate_limit: float | None, drop_rate: float,
                    ignore_fields: tuple[str, ...]) -> None:
    """Serve a local stand-in for the iAdvize REST API until Ctrl-C.

    It speaks the documented operator endpoints, with optional faults (latency,
    503s, rate limiting, lost replies) to rehearse a sync against.

    \b
    Example:
        rostersync sandbox --demo --state .rostersync/sandbox.json --port 8080
    """
    faults = fault_config_from_options(seed=seed, latency_ms=latency_ms, error_rate=error_rate,
                                       rate_limit=rate_limit, drop_rate=drop_rate, ignore_fields=ignore_fields)
    if not api_key:
        raise click.BadParameter("must not be empty", param_hint="--api-key")
    try:
        sandbox = start_sandbox(host=host, port=port, api_key=api_key, state_path=state_path,
                                demo=demo, faults=faults, on_wait=lambda message: click.echo(message, err=True))
    except OSError as exc:
        raise click.ClickException(
            f"Cannot listen on {host}:{port}: {exc.strerror or exc}") from exc
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    key_source = describe_api_key_source(ctx.get_parameter_source("api_key"))
    stop = threading.Event()
    # Signals first, so that a second Ctrl-C while stopping is caught too.
    with _stop_on_signals(stop), sandbox:
        click.echo(f"Sandbox serving {sandbox.url} (API key: {key_source}) — Ctrl-C to stop",
                   err=True)
        while not stop.wait(0.5):  # a timeout keeps the main thread responsive to signals
            pass
