"""No secret leaves rostersync: not the API key, not an sso_key.

Every command is run as a user would, with ``-v`` where it has it, on the happy
paths and on the failing ones (refused key, unreachable host, a 400 from the API,
lost replies), and then everything it produced is searched: stdout, stderr, every
log record of every logger at DEBUG (the in-process sandbox's included), the text
of any exception, and every file written. The one exception is the saved plan: it
must hold the sso_key values it will set, so it is checked to be private (0600) and
to say so, and to hold no API key.
"""

from __future__ import annotations

import json
import logging
import re
import socket
import stat
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from resilience_support import instant_backoff, roster_text

from rostersync.cli.main import cli
from rostersync.sandbox import FaultConfig, Sandbox, start_sandbox

API_KEY = "rsk-LEAKCHECK-7f3a9c1e2b55"
WRONG_KEY = "rsk-WRONGKEY-0d9e8c7b6a44"
SSO = {
    "new": "sso-SECRET-new-91f2aa",
    "changed": "sso-SECRET-changed-4c7d0e",
    "rejected": "sso-SECRET-rejected-55ab1c",
    "live": "sso-SECRET-live-0a1b2c",  # already on the account: read back by every listing
    "old": "sso-SECRET-old-77e6d5",  # on the account, replaced by "changed"
}
SECRETS = [API_KEY, WRONG_KEY, *SSO.values()]
GROUP = 7
# `-v`: one line per HTTP attempt, e.g. "GET /operator?filters%5Bgroup_id%5D=7&full=1&limit=100&page=1 -> 200 in 3 ms".
REQUEST_LINE = re.compile(r"^(GET|POST|PUT|DELETE) /(?:operator|skill|group|website)\S* -> (\d{3}|no reply \(.+\)) in \d+ ms( \(attempt \d+\))?$",
                          re.MULTILINE)

LIVE = [
    {"email": "keeps.sso@example.com", "group_id": GROUP, "first_name": "Kim", "sso_key": SSO["live"]},
    {"email": "changes.sso@example.com", "group_id": GROUP, "first_name": "Cy", "sso_key": SSO["old"]},
    {"email": "leaves@example.com", "group_id": GROUP},
]
OPERATORS = [
    {"email": "keeps.sso@example.com", "first_name": "Kim"},
    {"email": "changes.sso@example.com", "first_name": "Cyd", "sso_key": SSO["changed"]},
    {"email": "new.sso@example.com", "first_name": "Nia", "sso_key": SSO["new"]},
    {"email": "second@example.com", "first_name": "Sam"},
]
# A roster-valid email the API refuses (an empty label in the domain): a 400 on the
# create that carries an sso_key.
REJECTED = {"email": "rejected.sso@example..com", "sso_key": SSO["rejected"]}


class Sweep:
    """Runs commands and keeps everything they printed, to search it at the end."""

    def __init__(self) -> None:
        self.texts: list[str] = []
        self.runner = CliRunner()

    def run(self, *args: str, code: int | None = 0) -> Result:
        result = self.runner.invoke(cli, list(args), catch_exceptions=True)
        self.texts += [result.stdout, result.stderr, result.output]
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            self.texts.append(repr(result.exception))
            raise AssertionError(f"{args}: {result.exception!r}") from result.exception
        assert "Traceback" not in result.output, result.output
        if code is not None:
            assert result.exit_code == code, (args, result.output)
        return result


@pytest.fixture
def sweep(monkeypatch: pytest.MonkeyPatch) -> Sweep:
    instant_backoff(monkeypatch)  # the retries of an unreachable host would take seconds
    return Sweep()


@pytest.fixture
def sandbox(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Any:
    server = start_sandbox(api_key=API_KEY)
    server.store.bulk_add(LIVE)
    monkeypatch.setenv("IADVIZE_BASE_URL", server.url)
    monkeypatch.setenv("IADVIZE_API_KEY", API_KEY)
    monkeypatch.delenv("NO_COLOR", raising=False)
    yield server
    server.stop()


@pytest.fixture
def dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """Inputs (the roster, which holds sso_keys by design), and the working directory
    where every output goes."""
    inputs, work = tmp_path / "in", tmp_path / "work"
    inputs.mkdir()
    work.mkdir()
    monkeypatch.chdir(work)
    return inputs, work


def write_roster(folder: Path, name: str, operators: list[dict[str, Any]]) -> str:
    path = folder / name
    path.write_text(roster_text(operators, scope={"group_id": GROUP}, defaults={"group": GROUP}))
    return str(path)


def request_lines(result: Result) -> list[str]:
    return [m.group(0) for m in REQUEST_LINE.finditer(result.stderr)]


def assert_no_secret(texts: list[str], where: str) -> None:
    for text in texts:
        for secret in SECRETS:
            assert secret not in text, f"{secret!r} leaked in {where}: {text[:2000]}"


def test_no_command_leaks_a_secret(sandbox: Sandbox, sweep: Sweep, dirs: tuple[Path, Path],
                                   caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)  # every logger, the sandbox's and urllib3's included
    inputs, work = dirs
    roster = write_roster(inputs, "roster.yaml", OPERATORS)
    key_file = inputs / "key.txt"
    key_file.write_text(API_KEY + "\n")

    # Offline commands.
    assert "valid, 4 operators" in sweep.run("validate", roster).stdout
    assert sweep.run("schema").stdout.startswith("{")

    # plan, in every format, with a line per request on stderr.
    for fmt in ("text", "json", "markdown"):
        result = sweep.run("plan", "-v", "--format", fmt, roster)
        assert "(sensitive)" in result.stdout
        lines = request_lines(result)
        # The group the roster refers to is checked in one listing, then the operators are read.
        assert [line.split("?")[0] for line in lines] == ["GET /group", "GET /operator"], result.stderr
        assert all(" -> 200 in " in line for line in lines), result.stderr
    json_plan = json.loads(sweep.run("plan", "-q", "--format", "json", roster).stdout)
    [changed] = [c for c in json_plan["changes"] if c["email"] == "changes.sso@example.com"]
    assert {"field": "sso_key", "before": "(sensitive)", "after": "(sensitive)"} in changed["changes"]

    # A saved plan, then applied: it is the one place an sso_key may be written.
    saved = work / "plan.json"
    sweep.run("plan", "-v", "--out", str(saved), roster)
    assert stat.S_IMODE(saved.stat().st_mode) == 0o600
    document = json.loads(saved.read_text())
    assert document["notice"].startswith("This file holds secrets (sso_key values to set).")
    assert SSO["new"] in saved.read_text() and SSO["changed"] in saved.read_text()
    assert API_KEY not in saved.read_text()
    applied = sweep.run("apply", "-v", str(saved))
    assert "Apply complete: 2 created, 1 updated, 1 deleted." in applied.stdout
    assert {line.split()[0] for line in request_lines(applied)} == {"GET", "POST", "PUT", "DELETE"}
    sso_keys = {op["email"]: op["sso_key"] for op in sandbox.store.list()}
    assert (sso_keys["new.sso@example.com"], sso_keys["changes.sso@example.com"]) == (SSO["new"], SSO["changed"])

    # apply with a roster, with the key from a file, through 503s and lost replies.
    sandbox.store.clear()
    sandbox.store.bulk_add(LIVE)
    sandbox.faults = FaultConfig(error_rate=0.3, drop_rate=0.5, seed=2)
    result = sweep.run("apply", "--yes", "--force", "-v", "--parallelism", "1", "--api-key-file", str(key_file),
                       roster)
    sandbox.faults = FaultConfig()
    assert sandbox.fault_counts()["dropped"] > 0 and sandbox.fault_counts()["errors"] > 0
    assert "Apply complete: 2 created, 1 updated, 1 deleted." in result.stdout
    assert any(" -> 503 in " in line for line in request_lines(result))
    assert any("no reply (" in line for line in request_lines(result))

    # Reading the account.
    assert "new.sso@example.com" in sweep.run("export", "-v", "--group-id", str(GROUP)).stdout
    sweep.run("export", "-v", "--group-id", str(GROUP), "--out", str(work / "exported.yaml"))
    assert "new.sso@example.com" in sweep.run("status", "-v", roster).stdout

    # Failures: a 400 on a create that carries an sso_key (with -v, and its retries of nothing).
    bad = write_roster(inputs, "bad.yaml", [*OPERATORS, REJECTED])
    result = sweep.run("apply", "--yes", "-v", bad, code=1)
    assert "the API rejected the request (400" in result.stdout
    assert any(line.startswith("POST /operator -> 400") for line in request_lines(result))
    sweep.run("plan", "-v", "--out", str(work / "bad-plan.json"), bad)
    (work / "bad-plan.json").unlink()  # a saved plan, checked above; not an output to search

    # A refused key, from the environment and from a file.
    with pytest.MonkeyPatch.context() as env:
        env.setenv("IADVIZE_API_KEY", WRONG_KEY)
        result = sweep.run("plan", "-v", roster, code=1)
        assert "IADVIZE_API_KEY" in result.stderr
        assert request_lines(result) == [request_lines(result)[0]] and " -> 403 in " in result.stderr
        (inputs / "wrong.txt").write_text(WRONG_KEY)
        sweep.run("apply", "--yes", "-v", "--api-key-file", str(inputs / "wrong.txt"), roster, code=1)

    # An unreachable host (a closed port on this machine: no traffic leaves it).
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{sock.getsockname()[1]}/api/2"
    result = sweep.run("plan", "-v", "--base-url", closed, roster, code=1)
    assert result.stderr.rstrip().splitlines()[-1].startswith("Error: ")
    assert "connection refused" in result.stderr and "no reply (" in result.stderr
    # A key put where it does not belong is refused without being repeated.
    sweep.run("plan", "--base-url", f"https://user:{API_KEY}@127.0.0.1:1/api/2", roster, code=1)
    sweep.run("plan", "--base-url", f"https://127.0.0.1:1/api/2?key={API_KEY}", roster, code=1)
    sweep.run("plan", "--base-url", f"http://example.com/api/2?key={API_KEY}", roster, code=1)

    # Now search everything.
    assert_no_secret(sweep.texts, "command output")
    records = [f"{r.name} {r.levelname} {r.getMessage()} {r.exc_text or ''}" for r in caplog.records]
    assert len(records) > 50  # the DEBUG logs were really captured
    assert_no_secret(records, "a log record")
    assert_no_secret([caplog.text], "the log")
    written = [p for p in work.rglob("*") if p.is_file() and p != saved]
    assert {p.name for p in written} >= {"exported.yaml"}
    assert_no_secret([p.read_text(errors="replace") for p in written], "a written file")
