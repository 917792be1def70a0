"""`--api graphql` through the CLI, as a user runs it: the example roster applies and then
plans to `No changes.` over GraphQL as over REST; what GraphQL cannot express is refused
with file:line:col before anything is sent; the REST-only commands say they are; saved
plans name their backend; faults (429, 502, a token expired mid-run, userErrors) and a
schema that differs from the assumptions, through `rostersync apply`.

The `account` fixture is a GraphQL sandbox on the shared fake clock that the CLI is
pointed at by environment (IADVIZE_GRAPHQL_URL...), its backend put on the same clock
through `connection.make_graphql_backend`: waiting costs nothing, and the sandbox's
tokens expire when the test says."""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from graphql_support import EMAIL, PASSWORD, FakeClock, SandboxFactory

from rostersync.api.graphql import Credentials, GraphQLBackend
from rostersync.api.options import ClientOptions, RequestEvent
from rostersync.cli import connection
from rostersync.cli.main import cli
from rostersync.sandbox.faults import FaultConfig
from rostersync.sandbox.graphql import GraphQLSandbox, default_sdl

EXAMPLES = Path(__file__).parents[2] / "examples"
GRAPHQL_EXAMPLE = EXAMPLES / "operators-graphql.yaml"
REST_EXAMPLE = EXAMPLES / "operators.yaml"

EventHook = Callable[[RequestEvent], None]


def run(*args: str, **kwargs: Any) -> Result:
    return CliRunner().invoke(cli, list(args), prog_name="rostersync", catch_exceptions=False, **kwargs)


@pytest.fixture
def hooks() -> list[EventHook]:
    """Called after each HTTP attempt of the CLI's GraphQL backend (to act mid-run)."""
    return []


@pytest.fixture
def account(start: SandboxFactory, clock: FakeClock, hooks: list[EventHook],
            monkeypatch: pytest.MonkeyPatch) -> GraphQLSandbox:
    sandbox = start(demo=True)
    for name, value in (("IADVIZE_GRAPHQL_URL", sandbox.url), ("IADVIZE_TOKEN_URL", sandbox.token_url),
                        ("IADVIZE_EMAIL", EMAIL), ("IADVIZE_PASSWORD", PASSWORD)):
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("IADVIZE_ACCESS_TOKEN", raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)

    def on_the_fake_clock(endpoint: str, token_url: str, credentials: Credentials,
                          options: ClientOptions) -> GraphQLBackend:
        def on_request(event: RequestEvent) -> None:
            if options.on_request is not None:
                options.on_request(event)
            for hook in hooks:
                hook(event)

        return GraphQLBackend(endpoint, token_url, credentials,
                              dataclasses.replace(options, sleep=clock.sleep, clock=clock, on_request=on_request))

    monkeypatch.setattr(connection, "make_graphql_backend", on_the_fake_clock)
    return sandbox


def mutations(sandbox: GraphQLSandbox) -> dict[str, int]:
    return {key: count for key, count in sandbox.operation_counts().items()
            if key.startswith(("RostersyncUserCreate", "RostersyncUserUpdate", "RostersyncUserDelete"))}


# --- the done-when: the same roster, over REST and over GraphQL ------------------------------

@pytest.mark.usefixtures("in_tmp")
@pytest.mark.parametrize("api", ["rest", "graphql"])
def test_the_example_applies_then_plans_to_no_changes_in_the_sandbox(api: str) -> None:
    applied = run("apply", "--sandbox", "--api", api, "--yes", str(GRAPHQL_EXAMPLE))
    assert applied.exit_code == 0, applied.output
    assert "Apply complete:" in applied.stdout and "failed" not in applied.stdout
    again = run("plan", "--sandbox", "--api", api, str(GRAPHQL_EXAMPLE))
    assert again.exit_code == 0, again.output
    assert again.stdout == "No changes.\n"
    if api == "graphql":
        assert applied.stdout.endswith("Apply complete: 2 created, 3 updated, 1 deleted.\n")
        assert re.match(r"Using the built-in GraphQL sandbox at http://127\.0\.0\.1:\d+/graphql "
                        r"\(state in \.rostersync/graphql-sandbox\.json\)\.\nReading the operators in scope "
                        r"from the GraphQL sandbox \.\.\.\n", applied.stderr)
        assert Path(".rostersync/graphql-sandbox.json").is_file()
        assert not Path(".rostersync/sandbox.json").exists()  # the REST sandbox's state is its own


def test_an_exported_graphql_account_plans_to_no_changes(account: GraphQLSandbox, tmp_path: Path) -> None:
    out = tmp_path / "team.yaml"
    exported = run("export", "--api", "graphql", "--group-id", "7", "--out", str(out))
    assert exported.exit_code == 0, exported.output
    assert "roles: [manager]" in out.read_text(encoding="utf-8")  # one role each
    assert run("validate", "--api", "graphql", str(out)).exit_code == 0
    planned = run("plan", "--api", "graphql", str(out))
    assert planned.stdout == "No changes.\n", planned.output


# --- what GraphQL cannot express: refused where it is written, before anything is sent ---------

REFUSED_IN_THE_EXAMPLE = """\
operators.yaml:56:5: operators[0].roles: the GraphQL API takes at most 1 value here, got 2
operators.yaml:76:5: operators[2].roles: the GraphQL API cannot express 'expert' (it knows admin, manager, operator)
operators.yaml:76:5: operators[2].roles: the GraphQL API takes at most 1 value here, got 2
operators.yaml:122:5: operators[7].roles: the GraphQL API takes at most 1 value here, got 2
operators.yaml:127:5: operators[7].sso_key: the GraphQL API has no counterpart for this field (leave it out, or use the REST API)
5 problems found; nothing was sent to the API.
"""


def test_validate_names_each_line_graphql_cannot_express(in_tmp: Path) -> None:
    shutil.copy(REST_EXAMPLE, in_tmp / "operators.yaml")
    refused = run("validate", "--api", "graphql", "operators.yaml")
    assert (refused.exit_code, refused.stdout, refused.stderr) == (1, "", REFUSED_IN_THE_EXAMPLE)
    assert "replace-me" not in refused.output  # the sso_key's value is a secret
    assert run("validate", "operators.yaml").stdout == "operators.yaml: valid, 9 operators in 1 file, 3 profiles.\n"
    assert run("validate", "--api", "rest", "operators.yaml").exit_code == 0
    graphql = run("validate", "--api", "graphql", str(GRAPHQL_EXAMPLE))
    assert graphql.stdout == f"{GRAPHQL_EXAMPLE}: valid for the GraphQL API, 9 operators in 1 file, 3 profiles.\n"


@pytest.mark.parametrize("command", ["plan", "apply"])
def test_plan_and_apply_refuse_before_any_request(account: GraphQLSandbox, in_tmp: Path, command: str) -> None:
    shutil.copy(REST_EXAMPLE, in_tmp / "operators.yaml")
    account.reset_counts()
    refused = run(command, "--api", "graphql", *(["--yes"] if command == "apply" else []), "operators.yaml")
    assert (refused.exit_code, refused.stdout, refused.stderr) == (1, "", REFUSED_IN_THE_EXAMPLE)
    assert account.request_counts() == {}  # not even a login


def test_an_inherited_field_points_at_the_defaults_or_profile_key(in_tmp: Path) -> None:
    (in_tmp / "team").mkdir()
    (in_tmp / "team" / "a-profiles.yaml").write_text(
        "version: 1\n"
        "profiles:\n"
        "  experts:\n"
        "    roles: [operator, expert]\n"
        "operators: []\n", encoding="utf-8")
    (in_tmp / "team" / "b-team.yaml").write_text(
        "version: 1\n"
        "defaults:\n"
        "  sso_key: s3cret-from-defaults\n"
        "operators:\n"
        "  - email: ada@example.com\n"
        "    profile: experts\n"
        "  - email: bob@example.com\n"
        "    profile: experts\n"
        "    sso_key: s3cret-of-bob\n"
        "  - email: cy@example.com\n"
        "    profile: experts\n"
        "    roles: [admin]\n", encoding="utf-8")
    refused = run("validate", "--api", "graphql", "team")
    assert refused.exit_code == 1
    assert refused.stderr == (
        "team/a-profiles.yaml:4:5: profiles.experts.roles: the GraphQL API cannot express 'expert' (it knows admin, "
        "manager, operator) (inherited from here)\n"
        "team/a-profiles.yaml:4:5: profiles.experts.roles: the GraphQL API takes at most 1 value here, got 2 "
        "(inherited from here)\n"
        "team/b-team.yaml:3:3: defaults.sso_key: the GraphQL API has no counterpart for this field (leave it out, or "
        "use the REST API) (inherited from here)\n"
        "team/b-team.yaml:9:5: operators[1].sso_key: the GraphQL API has no counterpart for this field (leave it "
        "out, or use the REST API)\n"
        "4 problems found; nothing was sent to the API.\n")
    assert "s3cret" not in refused.output
    assert run("validate", "team").exit_code == 0  # REST expresses all of it


# --- commands whose endpoints only REST has -----------------------------------------------------

@pytest.mark.parametrize(("args", "needs"), [
    (["live", "set", "--only", "*", "--chat", "off"], "rostersync live set needs GET /operator/live and PUT "
                                                      "/operator/{id}/live (availability, logout)"),
    (["live", "logout", "--only", "*"], "rostersync live logout needs GET /operator/live and PUT "
                                        "/operator/{id}/live (availability, logout)"),
    (["stats"], "rostersync stats needs GET /operator/{id}/statistic and /operator/{id}/profile"),
    (["status"], "rostersync status needs GET /operator/live (who is connected, and available where)"),
    (["status", "--watch"], "rostersync status needs GET /operator/live (who is connected, and available where)"),
])
def test_rest_only_commands_refuse_graphql(account: GraphQLSandbox, args: list[str], needs: str) -> None:
    account.reset_counts()
    refused = run(*args, "--api", "graphql", "--yes" if args[0] == "live" else "-q")
    assert refused.exit_code == 1
    assert refused.stderr == (f"Error: {needs}, which the GraphQL backend does not offer: run it with --api rest "
                              "(the default)\n")
    assert account.request_counts() == {}


@pytest.mark.parametrize(("args", "message"), [
    (["--api", "graphql", "--api-key-file", "secret.txt"], "--api-key-file is for the REST API"),
    (["--password-file", "secret.txt"], "--password-file is for the GraphQL API (--api graphql)"),
])
def test_each_secret_option_belongs_to_its_api(in_tmp: Path, args: list[str], message: str) -> None:
    (in_tmp / "secret.txt").write_text("x\n", encoding="utf-8")
    refused = run("export", *args)
    assert refused.exit_code == 64 and message in refused.stderr


# --- credentials ------------------------------------------------------------------------------

def test_a_password_file_is_read_with_a_bound(account: GraphQLSandbox, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("IADVIZE_PASSWORD")
    bad = tmp_path / "binary"
    bad.write_bytes(b"\xff\xfe")
    for path, message in [("/dev/zero", "Error: the password file '/dev/zero' holds more than 4 KiB "
                                        "(MAX_KEY_FILE_BYTES): it is not a password; check --password-file\n"),
                          (str(bad), f"Error: the password file {str(bad)!r} is not UTF-8 text: check "
                                     "--password-file\n")]:
        refused = run("plan", "--api", "graphql", "--password-file", path, str(GRAPHQL_EXAMPLE))
        assert (refused.exit_code, refused.stderr) == (1, message)
    good = tmp_path / "password"
    good.write_text(PASSWORD + "\n", encoding="utf-8")
    planned = run("plan", "--api", "graphql", "--password-file", str(good), "-q", str(GRAPHQL_EXAMPLE))
    assert planned.exit_code == 0, planned.output
    assert account.tokens.logins == 1


def test_a_ready_access_token_is_used_without_logging_in(account: GraphQLSandbox,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("IADVIZE_EMAIL")
    monkeypatch.delenv("IADVIZE_PASSWORD")
    monkeypatch.setenv("IADVIZE_ACCESS_TOKEN", account.tokens.issue())
    planned = run("plan", "--api", "graphql", "-q", str(GRAPHQL_EXAMPLE))
    assert planned.exit_code == 0, planned.output
    assert account.tokens.logins == 0


def test_no_credentials_says_what_to_set(account: GraphQLSandbox, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("IADVIZE_EMAIL")
    monkeypatch.delenv("IADVIZE_PASSWORD")
    refused = run("plan", "--api", "graphql", str(GRAPHQL_EXAMPLE))
    assert refused.stderr == ("Error: no GraphQL credentials: set IADVIZE_EMAIL and IADVIZE_PASSWORD (or "
                              "--password-file), or IADVIZE_ACCESS_TOKEN\n")


def test_verbose_logs_each_request_and_never_a_secret(account: GraphQLSandbox) -> None:
    planned = run("plan", "--api", "graphql", "-v", str(GRAPHQL_EXAMPLE))
    assert planned.exit_code == 0, planned.output
    lines = planned.stderr.splitlines()
    assert any(re.fullmatch(r"POST /oauth2/token -> 200 in \d+ ms", line) for line in lines), lines
    assert any(re.fullmatch(r"POST /graphql IntrospectionQuery -> 200 in \d+ ms", line) for line in lines), lines
    assert any(re.fullmatch(r"POST /graphql RostersyncUsers -> 200 in \d+ ms", line) for line in lines), lines
    tokens = account.tokens._tokens  # the one the CLI was given
    assert tokens and not any(token in planned.output for token in tokens)
    assert PASSWORD not in planned.output


# --- saved plans are tied to their backend -------------------------------------------------------

@pytest.mark.usefixtures("in_tmp")
def test_a_saved_plan_is_applied_only_over_the_backend_it_was_made_for() -> None:
    planned = run("plan", "--sandbox", "--api", "graphql", "-q", "--out", "graphql-plan.json", str(GRAPHQL_EXAMPLE))
    assert planned.exit_code == 0, planned.output
    assert json.loads(Path("graphql-plan.json").read_text(encoding="utf-8"))["base_url"] == "graphql:sandbox"
    over_rest = run("apply", "--sandbox", "-q", "graphql-plan.json")
    assert (over_rest.exit_code, over_rest.stderr) == (
        1, "Error: This plan was made for graphql:sandbox, not sandbox (it is signed for that one). "
           "Nothing was written.\n")
    assert run("plan", "--sandbox", "-q", "--out", "rest-plan.json", str(GRAPHQL_EXAMPLE)).exit_code == 0
    over_graphql = run("apply", "--sandbox", "--api", "graphql", "-q", "rest-plan.json")
    assert (over_graphql.exit_code, over_graphql.stderr) == (
        1, "Error: This plan was made for sandbox, not graphql:sandbox (it is signed for that one). "
           "Nothing was written.\n")
    applied = run("apply", "--sandbox", "--api", "graphql", "-q", "graphql-plan.json")
    assert applied.exit_code == 0, applied.output
    assert applied.stdout.endswith("Apply complete: 2 created, 3 updated, 1 deleted.\n")
    assert run("plan", "--sandbox", "--api", "graphql", "-q", str(GRAPHQL_EXAMPLE)).stdout == "No changes.\n"


# --- faults through the CLI ---------------------------------------------------------------------

def test_apply_converges_through_429_and_502(account: GraphQLSandbox) -> None:
    account.faults = FaultConfig(error_rate=0.25, rate_limit=2, seed=5)
    first = run("apply", "--api", "graphql", "--yes", "--parallelism", "1", str(GRAPHQL_EXAMPLE))
    assert first.exit_code in (0, 1), first.output
    if first.exit_code == 1:  # a create whose 502 left its outcome unknown, and its lookup failed too
        assert run("apply", "--api", "graphql", "--yes", str(GRAPHQL_EXAMPLE)).exit_code == 0
    counts = account.fault_counts()
    assert counts["errors"] >= 1 and counts["rate_limited"] >= 1, counts
    account.faults = FaultConfig()
    assert run("plan", "--api", "graphql", "-q", str(GRAPHQL_EXAMPLE)).stdout == "No changes.\n"


def test_a_token_expired_mid_apply_is_renewed_and_the_apply_completes(account: GraphQLSandbox,
                                                                      hooks: list[EventHook]) -> None:
    expired: list[str] = []

    def expire_after_the_first_write(event: RequestEvent) -> None:
        if not expired and event.status == 200 and "RostersyncUserCreate" in event.path:
            expired.append(event.path)
            account.tokens.expire_all()  # the server forgets the token; the client still thinks it valid

    hooks.append(expire_after_the_first_write)
    applied = run("apply", "--api", "graphql", "--yes", "--parallelism", "1", str(GRAPHQL_EXAMPLE))
    assert applied.exit_code == 0, applied.output
    assert applied.stdout.endswith("Apply complete: 2 created, 3 updated, 1 deleted.\n")
    assert expired and account.tokens.logins == 2
    assert account.request_counts()["POST /graphql 401"] == 1
    assert run("plan", "--api", "graphql", "-q", str(GRAPHQL_EXAMPLE)).stdout == "No changes.\n"


def test_user_errors_fail_their_change_and_the_others_are_applied(account: GraphQLSandbox, in_tmp: Path) -> None:
    roster = GRAPHQL_EXAMPLE.read_text(encoding="utf-8")
    # The developer's email is taken (a user the roster cannot see: no professional),
    # and skill 999 does not exist: both are the API's userErrors.
    roster = roster.replace("emma.richard@maison-lumiere.fr", "dev.integration@maison-lumiere.fr")
    roster = roster.replace("    profile: sales-fr\n    chat: {priority: 0}",
                            "    profile: sales-fr\n    skills: [999]\n    chat: {priority: 0}")
    (in_tmp / "team.yaml").write_text(roster, encoding="utf-8")
    applied = run("apply", "--api", "graphql", "--yes", "team.yaml")
    assert applied.exit_code == 1
    lines = applied.stdout.splitlines()
    assert ("+ dev.integration@maison-lumiere.fr: FAILED: create operator dev.integration@maison-lumiere.fr: the "
            "API refused it: EmailAlreadyUsedError: The email provided is already used") in lines
    assert ("~ noah.robert@maison-lumiere.fr: FAILED: update operator 1006: the API refused it: UnknownSkillError: "
            "Unknown skill id(s): 999") in lines
    assert any(re.fullmatch(r"\+ jules\.moreau@maison-lumiere\.fr: ok: created #\d+", line) for line in lines)
    assert "- theo.garnier@maison-lumiere.fr: ok: deleted #1008" in lines
    assert lines[-2:] == ["Apply complete: 1 created, 2 updated, 1 deleted, 2 failed.",
                          "Run apply again to finish: it plans from the account as it is now."]
    assert [user["email"] for user in account.state.listed()].count("dev.integration@maison-lumiere.fr") == 1


def test_a_schema_that_differs_stops_apply_and_nothing_is_written(start: SandboxFactory, account: GraphQLSandbox,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    renamed = start(demo=True, sdl=re.sub(r"\bhasPriorityOnChat\b", "hasChatPriority", default_sdl()))
    monkeypatch.setenv("IADVIZE_GRAPHQL_URL", renamed.url)
    monkeypatch.setenv("IADVIZE_TOKEN_URL", renamed.token_url)
    before = renamed.state.listed()
    refused = run("apply", "--api", "graphql", "--yes", str(GRAPHQL_EXAMPLE))
    assert refused.exit_code == 1
    assert refused.stdout == ""
    assert refused.stderr.startswith(
        f"Reading the operators in scope from {renamed.url} ...\nError: the live GraphQL schema does not match what rostersync "
        "assumes (rostersync/api/graphql/documents.py), so nothing was written:\n")
    assert "hasPriorityOnChat" in refused.stderr
    assert refused.stderr.endswith("report this to the rostersync maintainers; the REST API (--api rest) still "
                                   "works\n")
    assert set(renamed.operation_counts()) == {"IntrospectionQuery 200"}
    assert mutations(renamed) == {}
    assert renamed.state.listed() == before
