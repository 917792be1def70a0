"""Options shared by every command that talks to the API, and the backend they make.

`--api rest|graphql` (default rest) chooses the backend: the REST client
(`IAdvizeClient`, `IADVIZE_BASE_URL` and `IADVIZE_API_KEY`) or the GraphQL one
(`GraphQLBackend`, `IADVIZE_GRAPHQL_URL`, `IADVIZE_TOKEN_URL`, `IADVIZE_EMAIL` with
`IADVIZE_PASSWORD` or `--password-file`, or `IADVIZE_ACCESS_TOKEN`). `open_backend`
gives either, for the commands that only need the engine's seam (plan, apply,
export); `open_client` gives the REST client, for the commands whose endpoints only
REST has (live, stats, status), and refuses `--api graphql` with a message.

`--sandbox` starts the built-in sandbox in this process, with its state in
`.rostersync/sandbox.json` under the current directory (`graphql-sandbox.json` with
`--api graphql`), and points the backend at it, logged in with the sandbox's demo
credentials: nothing else needs to be running.

`ROSTERSYNC_RETRY_BUDGET_S`, when set, is how many seconds one API call may spend
retrying (default 60): `0` fails at the first error, as a test of an unreachable API
or a CI job that would rather fail fast wants.

`--timeout` is the deadline of each HTTP request (default 60 s), the whole reply
included, however slowly a server sends it.  `--api-key-file` and `--password-file`
are read only up to `MAX_KEY_FILE_BYTES` (4 KiB) and must be UTF-8: a wrong file
(`/dev/zero`, a binary) is refused with a message, never read whole.

What a saved plan is tied to (`plan_target`) names the backend: a plan made over
REST is stale for GraphQL and the other way round, even for one account.
"""

from __future__ import annotations

import functools
import math
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias, TypeVar

import click

from rostersync.api import IAdvizeClient, RequestEvent, resolve_base_url, validate_base_url
from rostersync.api.config import MAX_KEY_FILE_BYTES, check_api_key, read_secret_file
from rostersync.api.errors import ConfigError
from rostersync.api.options import ClientOptions
from rostersync.capabilities import Capabilities
from rostersync.cli.api_choice import API_CHOICES, api_option, capabilities_for

if TYPE_CHECKING:  # imported when --api graphql is chosen: graphql-core costs a third of a second to load
    from rostersync.api.graphql import Credentials, GraphQLBackend

__all__ = ["API_CHOICES", "MAX_KEY_FILE_BYTES", "Backend", "Connection", "account_name", "api_option",
           "capabilities_for", "capabilities_of", "connection_options", "digest_secret", "log",
           "make_graphql_backend",
           "open_backend", "open_client", "plan_target", "signing_secret"]

F = TypeVar("F", bound=Callable[..., Any])

#: Either backend: what `open_backend` gives (both are `rostersync.plan.protocols.OperatorBackend`s).
Backend: TypeAlias = "IAdvizeClient | GraphQLBackend"

API_KEY_ENV = "IADVIZE_API_KEY"
DEFAULT_TIMEOUT_S = 60.0
RETRY_BUDGET_ENV = "ROSTERSYNC_RETRY_BUDGET_S"
SANDBOX_STATE = Path(".rostersync") / "sandbox.json"
GRAPHQL_SANDBOX_STATE = Path(".rostersync") / "graphql-sandbox.json"
SANDBOX_KEY = "sandbox-key"
GRAPHQL_TARGET_PREFIX = "graphql:"

#: The REST-only endpoints of the commands that need them, for the refusal of --api graphql.
_REST_ONLY: Mapping[str, str] = {
    "live": "GET /operator/live and PUT /operator/{id}/live (availability, logout)",
    "stats": "GET /operator/{id}/statistic and /operator/{id}/profile",
    "status": "GET /operator/live (who is connected, and available where)",
}


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
    api: str = "rest"  # one of API_CHOICES
    password_file: Path | None = None


#: `--api`, shared by the commands that talk to the API and by `validate`.
def connection_options(command: F) -> F:
    """Add the connection and logging options; the command receives `connection`."""
    options = [
        api_option,
        click.option("--base-url", metavar="URL",
                     help="API base URL [env IADVIZE_BASE_URL, or IADVIZE_GRAPHQL_URL with --api graphql; "
                          "default the standard platform]."),
        click.option("--platform", type=click.Choice(["standard", "ha"], case_sensitive=False),
                     help="iAdvize platform: standard (sd.iadvize.com; GraphQL ?platform=sd) or ha "
                          "(high availability)."),
        click.option("--api-key-file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
                     help=f"Read the API key from this file [default: env {API_KEY_ENV}] (REST)."),
        click.option("--password-file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
                     help="Read the password to log in with from this file [default: env IADVIZE_PASSWORD] "
                          "(GraphQL, with IADVIZE_EMAIL)."),
        click.option("--sandbox", is_flag=True,
                     help="Run against the built-in sandbox (state in .rostersync/), not iAdvize."),
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
    def wrapper(*args: Any, api: str, base_url: str | None, platform: str | None, api_key_file: Path | None,
                password_file: Path | None, sandbox: bool, insecure: bool, max_rps: float | None, timeout: float,
                verbose: bool, quiet: bool, **kwargs: Any) -> Any:
        api = api.lower()
        if api == "graphql" and api_key_file is not None:
            raise click.UsageError("--api-key-file is for the REST API: the GraphQL API logs in with IADVIZE_EMAIL "
                                   "and IADVIZE_PASSWORD (or --password-file), or takes IADVIZE_ACCESS_TOKEN.")
        if api == "rest" and password_file is not None:
            raise click.UsageError("--password-file is for the GraphQL API (--api graphql): the REST API takes "
                                   f"an API key ({API_KEY_ENV} or --api-key-file).")
        connection = Connection(base_url, platform, api_key_file, sandbox, insecure, verbose, quiet, max_rps,
                                timeout, api, password_file)
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
    """The text of an API key file: at most MAX_KEY_FILE_BYTES of UTF-8, or a ConfigError."""
    return read_secret_file(path, what="API key", option="--api-key-file")


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
    """The REST client, for a command whose endpoints only the REST API has; `--api
    graphql` is refused with the endpoints named. Closed when the command ends."""
    if connection.api == "graphql":
        ctx = click.get_current_context()
        words = ctx.command_path.split()
        needs = _REST_ONLY.get(words[1] if len(words) > 1 else "", "endpoints of the REST API")
        raise ConfigError(f"{ctx.command_path} needs {needs}, which the GraphQL backend does not offer: run it "
                          "with --api rest (the default)")
    return _open_rest(connection, page_workers)


def open_backend(connection: Connection, *, page_workers: int = 4) -> Backend:
    """The backend `--api` chose, for the engine (plan, apply, export); closed (and any
    sandbox stopped) when the command ends."""
    if connection.api == "graphql":
        return _open_graphql(connection)
    return _open_rest(connection, page_workers)


def capabilities_of(connection: Connection) -> Capabilities:
    """What the chosen backend can express, for loading a roster before connecting."""
    return capabilities_for(connection.api)


def account_name(connection: Connection, backend: Backend) -> str:
    """The account in a progress line: "the sandbox", "the GraphQL sandbox" or its URL."""
    if connection.sandbox:
        return "the GraphQL sandbox" if connection.api == "graphql" else "the sandbox"
    return backend.base_url


def plan_target(connection: Connection, base_url: str) -> str:
    """What a saved plan is tied to: the backend and the account. REST: the base URL, or
    "sandbox" (its port changes from run to run); GraphQL: the same after "graphql:"."""
    target = "sandbox" if connection.sandbox else base_url
    return GRAPHQL_TARGET_PREFIX + target if connection.api == "graphql" else target


def signing_secret(connection: Connection) -> str:
    """What saved plans are signed with (through a key derived from it, never stored):
    REST, the API key; GraphQL, the password, or the access token when no password is
    set (a plan saved with a token must then be applied with the same token); the
    sandbox's fixed key or demo password with --sandbox."""
    if connection.api == "graphql":
        if connection.sandbox:
            from rostersync.sandbox.graphql import DEFAULT_PASSWORD

            return DEFAULT_PASSWORD
        credentials = _graphql_credentials(connection)
        return credentials.password or credentials.access_token or ""
    return SANDBOX_KEY if connection.sandbox else _read_key(connection)


DIGEST_KEY_ENV = "ROSTERSYNC_DIGEST_KEY"


def digest_secret(connection: Connection) -> str:
    """What a plan's digest hashes secrets under (`rostersync.plan.digest`): the
    environment's ``ROSTERSYNC_DIGEST_KEY`` when set, else `signing_secret`.

    A CI flow plans with one key and applies with another (the pull request's key
    must not write); both jobs then set ``ROSTERSYNC_DIGEST_KEY`` to the same value
    (the recipes: the plan key), or a plan that sets a secret never matches its
    reviewed digest."""
    return os.environ.get(DIGEST_KEY_ENV, "").strip() or signing_secret(connection)


def _graphql_credentials(connection: Connection) -> Credentials:
    from rostersync.api.graphql import resolve_credentials

    return resolve_credentials(os.environ, password_file=connection.password_file)


def make_graphql_backend(endpoint: str, token_url: str, credentials: Credentials,
                         options: ClientOptions) -> GraphQLBackend:
    """The GraphQL backend (a seam for tests, which move its clock as they move the sandbox's)."""
    from rostersync.api.graphql import GraphQLBackend

    return GraphQLBackend(endpoint, token_url, credentials, options)


def _open_graphql(connection: Connection) -> GraphQLBackend:
    from rostersync.api.graphql import Credentials, resolve_graphql_url, resolve_token_url

    ctx = click.get_current_context()
    options = client_options(connection, page_workers=1, environ=os.environ)
    if connection.sandbox:
        from rostersync.sandbox.graphql import DEFAULT_EMAIL, DEFAULT_PASSWORD, start_graphql_sandbox

        GRAPHQL_SANDBOX_STATE.parent.mkdir(parents=True, exist_ok=True)
        sandbox = start_graphql_sandbox(state_path=GRAPHQL_SANDBOX_STATE, demo=True)
        ctx.call_on_close(sandbox.stop)
        log(connection, f"Using the built-in GraphQL sandbox at {sandbox.url} (state in {GRAPHQL_SANDBOX_STATE}).")
        endpoint, token_url = sandbox.url, sandbox.token_url
        credentials = Credentials(DEFAULT_EMAIL, DEFAULT_PASSWORD)
    else:
        # As for REST, an option beats the environment: --platform beats IADVIZE_GRAPHQL_URL.
        environ: Mapping[str, str] = {} if connection.platform and not connection.base_url else os.environ
        endpoint = resolve_graphql_url(connection.base_url, connection.platform, environ)
        token_url = resolve_token_url(None, os.environ)
        credentials = _graphql_credentials(connection)
    backend = make_graphql_backend(endpoint, token_url, credentials, options)
    ctx.call_on_close(backend.close)
    return backend


def _open_rest(connection: Connection, page_workers: int) -> IAdvizeClient:
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
