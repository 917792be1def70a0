"""The CLI pointed (IADVIZE_BASE_URL) at a hostile server: every case is a one-line
error and exit 1, never a traceback, a hang, or a write made from a listing that
cannot be trusted; and the API key file is read with a bound."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from hostile_server import Answer, HostileServer, drip, gzip_bomb, hostile, listing, operators, redirect, success, then

from rostersync.cli.main import cli

KEY = "cli-key-0123456789abcdef"
ROSTER = "version: 1\noperators:\n  - {email: op1@example.com, first_name: Ada}\n"


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[HostileServer]:
    with hostile() as running:
        monkeypatch.setenv("IADVIZE_BASE_URL", running.url)
        monkeypatch.setenv("IADVIZE_API_KEY", KEY)
        monkeypatch.setenv("ROSTERSYNC_RETRY_BUDGET_S", "0")  # the first failure is the answer
        yield running


@pytest.fixture
def roster(tmp_path: Path) -> str:
    path = tmp_path / "roster.yaml"
    path.write_text(ROSTER)
    return str(path)


def run(*args: str) -> Result:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert "Traceback" not in result.output
    assert KEY not in result.output
    return result


def failed(*args: str) -> str:
    result = run(*args)
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith("Error: "), result.stderr
    return result.stderr


def writes(server: HostileServer) -> list[str]:
    return [r.method for r in server.seen if r.method != "GET"]


def test_lying_pagination_stops_plan_and_apply_before_any_write(server: HostileServer, roster: str) -> None:
    server.behaviour = listing(operators(3), pages=lambda true: 10**9)
    assert failed("plan", "-q", roster) == (
        "Error: list operators (GET /operator): the server announced 1000000000 pages, more than the 2000 "
        "rostersync reads of one listing (MAX_PAGES). The listing cannot be trusted, so it is not used: run again "
        "(the account may have changed while it was read); if it persists, check --base-url, or report it\n")
    assert len(server.seen) == 1
    server.behaviour = listing(operators(250), stop_at=1)  # an early end would delete the rest
    assert "page 2 of 3 is empty: the listing ended early" in failed("apply", "--yes", "-q", "--force", roster)
    assert writes(server) == []


def test_a_listing_that_repeats_page_one_stops_export(server: HostileServer) -> None:
    server.behaviour = listing(operators(150), ignore_page=True, echo_page=False)
    assert "page 2 lists the same ids as page 1: the server ignores the 'page' parameter" in failed("export")


@pytest.mark.parametrize("where", ["headers", "body"])
def test_a_dripping_server_meets_the_timeout_option(server: HostileServer, roster: str, where: str) -> None:
    server.behaviour = drip(where)
    started = time.monotonic()
    message = failed("plan", "-q", "--timeout", "0.5", roster)
    assert time.monotonic() - started < 5
    assert f"could not reach {server.origin}: no complete reply within 0.5s, the deadline of one request" in message


def test_a_gzip_bomb_is_a_message(server: HostileServer, roster: str) -> None:
    server.behaviour = gzip_bomb(1024)
    assert "the reply is larger than 32 MiB, the most rostersync reads of one reply (MAX_REPLY_BYTES)" in failed(
        "plan", "-q", roster)


def test_two_live_operators_with_one_email_stop_the_plan(server: HostileServer, roster: str) -> None:
    server.behaviour = listing([{"id": 4, "email": "OP1@example.com"}, {"id": 9, "email": "op1@example.com"}])
    assert failed("plan", "-q", roster) == (
        "Error: list operators (GET /operator): operators #4 and #9 have the same email 'op1@example.com' "
        "(compared case-insensitively), so nothing tells which one a roster means: change or delete one of them "
        "on the account, then run again\n")


def test_an_id_object_is_planned_from(server: HostileServer, roster: str) -> None:
    server.behaviour = listing([{"id": {"id": 12}, "email": "op1@example.com"}])
    result = run("plan", "-q", roster)
    assert (result.exit_code, result.stdout) == (0, (
        "~ update op1@example.com (#12)\n"
        '    first_name: (unset) -> "Ada"\n'
        "\n"
        "Plan: 0 to create, 1 to update, 0 to delete.\n"
        "Plan digest: sha256:e20c2187b323e8ce560dcb6c27462693b36637806952695d61fc5189f866f0cd\n"))


def test_a_redirect_to_another_origin_is_a_message(server: HostileServer, roster: str) -> None:
    with hostile() as elsewhere:
        server.behaviour = lambda request: redirect(f"{elsewhere.url}/operator")
        assert f"the server redirected (302) to '{elsewhere.origin}', another origin than {server.origin}" in (
            failed("plan", "-q", roster))
        assert elsewhere.seen == []


def test_an_error_body_echoing_the_key_does_not_show_it(server: HostileServer, roster: str) -> None:
    server.behaviour = lambda request: Answer(200, ("<html>" + "x" * 95 + KEY + "</html>").encode())
    assert "<redacted>" in failed("plan", "-q", roster)  # and `run` checked that no part of the key shows


def test_a_bad_retry_after_waits_the_default_backoff_and_says_so(server: HostileServer, roster: str) -> None:
    # A process of its own: the note is a logged warning, which pytest's log capture would keep from stderr.
    rate_limited = Answer(429, {"meta": {"status": "error", "message": "slow down"}}, {"Retry-After": "nan"})
    server.behaviour = then([rate_limited], listing(operators(1)))
    env = {**os.environ, "ROSTERSYNC_RETRY_BUDGET_S": "60"}
    done = subprocess.run([sys.executable, "-m", "rostersync", "plan", "-q", roster], env=env, capture_output=True,
                          text=True, timeout=60, check=False)
    assert (done.returncode, done.stdout.splitlines()[-2]) == (0, "Plan: 0 to create, 1 to update, 0 to delete.")
    assert done.stderr == ("list operators (page 1) (GET /operator): ignored Retry-After 'nan': not a delay of "
                           "0 seconds or more\n")
    assert len(server.seen) == 2


# --- --api-key-file ---------------------------------------------------------------------------

@pytest.mark.parametrize(("content", "fragment"), [
    (None, "the API key file '/dev/zero' holds more than 4 KiB (MAX_KEY_FILE_BYTES): it is not an API key"),
    (b"\xff\xfe\x00k\x00e\x00y", "is not UTF-8 text: check --api-key-file"),
    (b"k" * 5000, "holds more than 4 KiB (MAX_KEY_FILE_BYTES)"),
    (b"two words\n", "the API key contains spaces, control or non-ASCII characters"),
], ids=["/dev/zero", "not UTF-8", "too large", "not a key"])
def test_a_key_file_that_is_no_key_is_a_message(server: HostileServer, roster: str, tmp_path: Path,
                                                content: bytes | None, fragment: str) -> None:
    path = "/dev/zero"
    if content is not None:
        path = str(tmp_path / "key")
        Path(path).write_bytes(content)
    assert fragment in failed("plan", "-q", "--api-key-file", path, roster)
    assert server.seen == []


def test_a_key_file_with_a_newline_is_read(server: HostileServer, roster: str, tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("IADVIZE_API_KEY")
    (tmp_path / "key").write_text("file-key-0123456789\n")
    server.behaviour = lambda request: success([], pagination={"page": 1, "pages": 1, "count": 0})
    result = run("plan", "-q", "--api-key-file", str(tmp_path / "key"), roster)
    assert result.exit_code == 0
    assert server.seen[0].headers["X-API-Key"] == "file-key-0123456789"


@pytest.mark.parametrize("value", ["nan", "0", "-1", "inf"])
def test_a_timeout_that_is_no_duration_is_a_usage_error(server: HostileServer, roster: str, value: str) -> None:
    result = run("plan", "--timeout", value, roster)
    assert result.exit_code == 64 and "Invalid value for '--timeout'" in result.stderr  # EX_USAGE: 2 is "changes"
    assert server.seen == []
