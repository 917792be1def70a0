"""Options shared by every command that talks to the API, and the client they make.

`--sandbox` starts the built-in sandbox in this process, with its state in
`.rostersync/sandbox.json` under the current directory, and points the client at
it: nothing else needs to be running.

`ROSTERSYNC_RETRY_BUDGET_S`, when set, is how many seconds one API call may spend
retrying (default 60): `0` fails at the first error, as a test of an unreachable API
or a CI job that would rather fail fast wants.

`--timeout` is the deadline of each HTTP request (default 60 s), the whole reply
included, however slowly a server sends it.  `--api-key-file` is read only up to
`MAX_KEY_FILE_BYTES` (4 KiB) and must be UTF-8: a wrong file (`/dev/zero`, a binary)
is refused with a message, never read whole.
"""

from __future__ import annotations

import functools
import math
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import click

from rostersync.api import IAdvizeClient, RequestEvent, resolve_base_url, validate_base_url
from rostersync.api.config import check_api_key
from rostersync.api.errors import ConfigError
from rostersync.api.options import ClientOptions

F = TypeVar("F", bound=Callable[..., Any])

API_KEY_ENV = "IADVIZE_API_KEY"
MAX_KEY_FILE_BYTES = 4096  # an API key is tens of characters; this is room for any of them
DEFAULT_TIMEOUT_S = 60.0
RETRY_BUDGET_ENV = "ROSTERSYNC_RETRY_BUDGET_S"
SANDBOX_STATE = Path(".rostersync") / "sandbox.json"
SANDBOX_KEY = "sandbox-key"


@dataclass(frozen=True)
class Connection:
    """How to reach the API, as the options gave it."""

    base_url: str | None
    platform: str | None
    api_key_file: Path | None
    sandbox: bool
    insecure: bool
    verbose: bool
    quiet: bool
    max_rps: float | None
    timeout: float = DEFAULT_TIMEOUT_S


def connection_options(command: F) -> F:
    """Add the connection and logging options; the command receives `connection`."""
    options = [
        click.option("--base-url", metavar="URL",
                     help="API base URL [env IADVIZE_BASE_URL; default the standard platform]."),
        click.option("--platform", type=click.Choice(["standard", "ha"], case_sensitive=False),
                     help="iAdvize platform: standard (sd.iadvize.com) or ha (high availability)."),
        click.option("--api-key-file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
                     help=f"Read the API key from this file [default: env {API_KEY_ENV}]."),
        click.option("--sandbox", is_flag=True,
                     help="Run against the built-in sandbox (state in .rostersync/sandbox.json), not iAdvize."),
        click.option("--insecure", is_flag=True, help="Allow a plain http:// base URL to a remote host."),
        click.option("--max-rps", type=click.FloatRange(min=0.1), metavar="N",
                     help="Never send more than N requests a second."),
        click.option("--timeout", type=click.FloatRange(min=0.01, max=86400), metavar="SECONDS",
                     default=DEFAULT_TIMEOUT_S, show_default=True, callback=_finite,
                     help="Deadline of each HTTP request, the whole reply included."),
        click.option("-v", "--verbose", is_flag=True, help="Log each HTTP request to stderr (never a secret)."),
        click.option("-q", "--quiet", is_flag=True, help="Print only the result, no progress."),
    ]

    @functools.wraps(command)
    def wrapper(*args: Any, base_url: str | None, platform: str | None, api_key_file: Path | None,
                sandbox: bool, insecure: bool, max_rps: float | None, timeout: float, verbose: bool, quiet: bool,
                **kwargs: Any) -> Any:
        connection = Connection(base_url, platform, api_key_file, sandbox, insecure, verbose, quiet, max_rps,
                                timeout)
        return command(*args, connection=connection, **kwargs)

    for option in reversed(options):
        wrapper = option(wrapper)
    return wrapper  # type: ignore[return-value]


def _finite(ctx: click.Context, param: click.Parameter, value: float) -> float:
    if not math.isfinite(value):  # FloatRange lets nan through
        raise click.BadParameter(f"must be a number of seconds, got {value}")
    return value


def log(connection: Connection, message: str) -> None:
    """Progress and notes go to stderr, unless --quiet."""
    if not connection.quiet:
        click.echo(message, err=True)


def _log_request(event: RequestEvent) -> None:
    status = str(event.status) if event.status is not None else f"no reply ({event.error})"
    retry = f" (attempt {event.attempt})" if event.attempt > 1 else ""
    click.echo(f"{event.method} {event.path} -> {status} in {event.elapsed_s * 1000:.0f} ms{retry}", err=True)


def _read_key(connection: Connection) -> str:
    if connection.api_key_file is not None:
        return check_api_key(read_key_file(connection.api_key_file))
    if not os.environ.get(API_KEY_ENV, "").strip():
        raise ConfigError(
            f"no API key: set {API_KEY_ENV}, pass --api-key-file FILE, or use --sandbox to try rostersync"
        )
    return check_api_key(os.environ[API_KEY_ENV])


def read_key_file(path: Path) -> str:
    """The text of an API key file: at most MAX_KEY_FILE_BYTES of UTF-8, or a ConfigError.

    Read in pieces up to one byte past the limit, so that `/dev/zero` or a pipe that
    never ends costs 4 KiB; the message never quotes the content.
    """
    data = bytearray()
    try:
        with path.open("rb") as file:
            while len(data) <= MAX_KEY_FILE_BYTES:
                piece = file.read(MAX_KEY_FILE_BYTES + 1 - len(data))
                if not piece:
                    break
                data += piece
    except OSError as exc:
        raise ConfigError(f"cannot read the API key file {str(path)!r}: {exc.strerror or exc}") from None
    if len(data) > MAX_KEY_FILE_BYTES:
        raise ConfigError(f"the API key file {str(path)!r} holds more than {MAX_KEY_FILE_BYTES // 1024} KiB "
                          "(MAX_KEY_FILE_BYTES): it is not an API key; check --api-key-file")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise ConfigError(f"the API key file {str(path)!r} is not UTF-8 text: check --api-key-file") from None


def client_options(connection: Connection, *, page_workers: int, environ: Mapping[str, str]) -> ClientOptions:
    """The client's options: those the command line gave, and the retry budget from ``environ``."""
    return ClientOptions(
        max_rps=connection.max_rps,
        insecure=connection.insecure,
        on_request=_log_request if connection.verbose else None,
        page_workers=page_workers,
        retry_budget_s=_retry_budget(environ),
        timeout=connection.timeout,
    )


def _retry_budget(environ: Mapping[str, str]) -> float:
    text = environ.get(RETRY_BUDGET_ENV, "").strip()
    if not text:
        return ClientOptions.retry_budget_s
    try:
        seconds = float(text)
    except ValueError:
        seconds = math.nan
    if not math.isfinite(seconds) or seconds < 0:
        raise ConfigError(f"{RETRY_BUDGET_ENV} must be a number of seconds, 0 or more; got {text!r}")
    return seconds


def open_client(connection: Connection, *, page_workers: int = 4) -> IAdvizeClient:
    """A client for the connection; closed (and any sandbox stopped) when the command ends."""
    ctx = click.get_current_context()
    options = client_options(connection, page_workers=page_workers, environ=os.environ)
    if connection.sandbox:
        from rostersync.sandbox import start_sandbox

        SANDBOX_STATE.parent.mkdir(parents=True, exist_ok=True)
        sandbox = start_sandbox(api_key=SANDBOX_KEY, state_path=SANDBOX_STATE, demo=True)
        ctx.call_on_close(sandbox.stop)
        log(connection, f"Using the built-in sandbox at {sandbox.url} (state in {SANDBOX_STATE}).")
        base_url, api_key = sandbox.url, SANDBOX_KEY
    else:
        base_url = validate_base_url(resolve_base_url(connection.base_url, connection.platform, os.environ),
                                     insecure=connection.insecure)
        api_key = _read_key(connection)
    client = IAdvizeClient(base_url, api_key, options)
    ctx.call_on_close(client.close)
    return client
