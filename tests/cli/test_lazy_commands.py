"""The command group imports a command only when it runs, and still shows every one.

What a command imports is checked in a fresh interpreter (this test process has long
imported everything); nothing here is timed.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import click
import pydantic_core
import pytest
from click.testing import CliRunner

from rostersync.cli.lazy_group import LazyCommand, LazyGroup
from rostersync.cli.main import COMMANDS, cli
from rostersync.roster.compiled import PYDANTIC_CORE_VERSION
from rostersync.roster.document_validator import compiled_schema_in_use

ROOT = Path(__file__).parents[2]

# What `validate` and `--version` have no use for: HTTP (and TLS), the API clients of
# both backends, the engine and its thread pools, the comment-keeping YAML editor, the
# plan renderers and the sandbox.
HEAVY = ("requests", "urllib3", "http.client", "ssl", "deepdiff", "ruamel.yaml", "concurrent.futures",
         "rostersync.api.client", "rostersync.api.graphql", "rostersync.plan.engine", "rostersync.edit",
         "rostersync.render.text", "rostersync.sandbox")

# Every module of rostersync that `validate` (of a valid roster, or one that is not
# there) may import: the command, the error handling every command has, and the roster
# loader with what it runs. The pre-commit hook runs `validate` on every commit: a
# module that joins this path is paid for each time, so it belongs here only if
# validate runs it (a module used on an error path only can be imported there).
VALIDATE_MAY_IMPORT = frozenset({
    "rostersync", "rostersync._version", "rostersync._lazy_exports", "rostersync.api_fields", "rostersync.capabilities",
    "rostersync.api", "rostersync.api.errors", "rostersync.plan", "rostersync.plan.errors",
    "rostersync.cli", "rostersync.cli.main", "rostersync.cli.lazy_group", "rostersync.cli.exit_codes",
    "rostersync.cli.api_choice", "rostersync.cli.errors", "rostersync.cli.roster_commands",
    "rostersync.render", "rostersync.render.escape",
    "rostersync.roster", "rostersync.roster.loader", "rostersync.roster.messages", "rostersync.roster.scope",
    "rostersync.roster.checks", "rostersync.roster.compiled", "rostersync.roster.document_validator",
    "rostersync.roster.fields", "rostersync.roster.limits", "rostersync.roster.iso639",
    "rostersync.roster.positions", "rostersync.roster.problems", "rostersync.roster.files",
    "rostersync.roster.gc_pause", "rostersync.roster.capability_check", "rostersync.roster.references",
    "rostersync.roster.yaml_source", "rostersync.roster._yaml_nodes",
    "rostersync.roster._yaml_build", "rostersync.roster.yaml_positions", "rostersync.roster.places",
})

# Runs the CLI with the given arguments, then prints the imported modules as JSON on
# the real stdout (fd 1 dup'ed first, as the command's own output goes there too);
# json itself is imported after the listing is taken.
RUN_AND_LIST_MODULES = """
import os, sys
listing = os.fdopen(os.dup(1), "w")
from rostersync.cli.main import cli
try:
    cli(sys.argv[1:], prog_name="rostersync")
except SystemExit:
    pass
modules = sorted(sys.modules)
import json
listing.write("\\n" + json.dumps(modules))
listing.close()
"""


def modules_imported_by(*args: str) -> set[str]:
    done = subprocess.run([sys.executable, "-c", RUN_AND_LIST_MODULES, *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=60, check=False)
    assert done.stderr == "" or "problem" in done.stderr, done.stderr
    return set(json.loads(done.stdout.rstrip().splitlines()[-1]))


def heavy_among(modules: set[str]) -> list[str]:
    return sorted(m for m in modules if any(m == heavy or m.startswith(heavy + ".") for heavy in HEAVY))


@pytest.mark.parametrize("args", [
    pytest.param(["validate", "examples/operators.yaml"], id="validate"),
    pytest.param(["validate", "no-such-roster.yaml"], id="validate, failing"),
    pytest.param(["--version"], id="--version"),
    pytest.param(["--help"], id="--help"),
])
def test_validate_version_and_help_import_no_http_engine_editor_or_sandbox(args: list[str]) -> None:
    modules = modules_imported_by(*args)
    assert heavy_among(modules) == []
    assert "rostersync.cli.main" in modules


@pytest.mark.parametrize("args", [
    pytest.param(["validate", "examples/operators.yaml"], id="validate"),
    pytest.param(["validate", "no-such-roster.yaml"], id="validate, failing"),
])
def test_validate_imports_the_roster_loader_and_nothing_else_of_rostersync(args: list[str]) -> None:
    modules = modules_imported_by(*args)
    # (With a pydantic-core other than compiled.py's, the loader compiles the models.)
    may_import = VALIDATE_MAY_IMPORT | (
        set() if compiled_schema_in_use() else {"rostersync.roster.compile", "rostersync.roster.model"})
    assert sorted(m for m in modules if m.split(".")[0] == "rostersync" and m not in may_import) == []
    assert "rostersync.roster.loader" in modules
    # Nor what only other output formats and misspelt names need (`--format json`,
    # "did you mean").
    assert {"json", "difflib", "rostersync.render.problems"} & modules == set()


@pytest.mark.parametrize("text", [
    pytest.param(None, id="valid"),
    pytest.param("version: 1\nscope: {group: 7, group_id: 7}\noperators:\n  - {email: a@example.com, chta: {}}\n",
                 id="invalid"),
])
def test_validate_builds_no_pydantic_model(text: str | None, tmp_path: Path) -> None:
    """Building pydantic models (their machinery, then each model's validator) costs more
    than the rest of validate: it validates with the schema compiled from them."""
    if not compiled_schema_in_use():
        pytest.skip(f"rostersync/roster/compiled.py was compiled with pydantic-core {PYDANTIC_CORE_VERSION}, "
                    f"not {pydantic_core.__version__}: run python scripts/compile_roster.py")
    roster = ROOT / "examples" / "operators.yaml"
    if text is not None:
        roster = tmp_path / "team.yaml"
        roster.write_text(text)
    modules = modules_imported_by("validate", str(roster))
    assert {"pydantic.main", "pydantic.fields", "rostersync.roster.model"} & modules == set()


def test_version_imports_no_command_and_no_pydantic() -> None:
    modules = modules_imported_by("--version")
    assert not any(m.startswith("rostersync.cli.") and m not in {"rostersync.cli.main", "rostersync.cli.lazy_group",
                                                                     "rostersync.cli.exit_codes"}
                   for m in modules), sorted(modules)
    assert "pydantic" not in modules


# Loads `validate` as the program does (`main`) or as a test does (`cli` under click's
# CliRunner), then prints how many objects the GC was told to leave alone, and
# whether it runs.
LOAD_AND_COUNT_FROZEN = """
import gc, sys
from click.testing import CliRunner
from rostersync.cli.main import cli, main
if sys.argv[1] == "main":
    sys.argv[1:] = ["validate", "examples/operators.yaml"]
    try:
        main()
    except SystemExit:
        pass
else:
    assert CliRunner().invoke(cli, ["validate", "examples/operators.yaml"]).exit_code == 0
print(gc.get_freeze_count(), gc.isenabled(), file=sys.stderr)
"""


@pytest.mark.parametrize("how", ["main", "runner"])
def test_only_the_program_freezes_what_importing_its_command_made(how: str) -> None:
    done = subprocess.run([sys.executable, "-c", LOAD_AND_COUNT_FROZEN, how], cwd=ROOT, capture_output=True,
                          text=True, timeout=60, check=True)
    frozen, enabled = done.stderr.split()
    # The program leaves its modules to no collection (LazyGroup.freeze_imports); an
    # embedding process keeps its collector as it was. Both have it running after.
    assert (int(frozen) > 10_000) if how == "main" else (frozen == "0")
    assert enabled == "True"


def test_the_plan_renderer_needs_no_thread_pool() -> None:
    done = subprocess.run([sys.executable, "-c", "import sys, rostersync.render.text; print(sorted(sys.modules))"],
                          capture_output=True, text=True, timeout=60, check=True)
    assert "concurrent.futures" not in done.stdout
    assert "requests" not in done.stdout


def test_each_table_entry_is_its_command_with_that_short_help() -> None:
    for name, lazy in COMMANDS.items():
        command = lazy.load()
        assert command.name == name
        # The docstring's first sentence, as click makes it when nothing truncates it.
        assert lazy.short_help == command.get_short_help_str(limit=10_000), name


def eager_twin() -> click.Group:
    """The same group with every command imported and added, as it was before it was lazy."""
    group = click.Group("rostersync", help=cli.help, params=list(cli.params), context_settings=cli.context_settings)
    for name, lazy in COMMANDS.items():
        group.add_command(lazy.load(), name)
    return group


@pytest.mark.parametrize("width", [60, 80, 200])
def test_help_lists_every_command_as_the_eager_group_would(width: int) -> None:
    lazy_group = LazyGroup("rostersync", lazy_commands=COMMANDS, help=cli.help, params=list(cli.params),
                           context_settings=cli.context_settings)
    shown = CliRunner().invoke(lazy_group, ["--help"], terminal_width=width, catch_exceptions=False)
    expected = CliRunner().invoke(eager_twin(), ["--help"], terminal_width=width, catch_exceptions=False)
    assert shown.output == expected.output
    assert lazy_group.commands == {}  # listed, none imported
    for name in COMMANDS:
        assert f"\n  {name} " in shown.output


def test_a_command_is_imported_on_first_use_and_kept() -> None:
    group = LazyGroup("g", lazy_commands={"validate": COMMANDS["validate"]})
    ctx = click.Context(group)
    first = group.get_command(ctx, "validate")
    assert first is not None and group.commands == {"validate": first}
    assert group.get_command(ctx, "validate") is first
    assert group.get_command(ctx, "nope") is None


def test_an_unknown_command_is_refused_as_before() -> None:
    result = CliRunner().invoke(cli, ["valdate"])
    assert result.exit_code == 64  # a usage error (cli/exit_codes.py)
    assert "No such command 'valdate'" in result.output


def test_a_table_entry_that_is_not_a_command_is_an_error() -> None:
    with pytest.raises(TypeError, match="is not a click command"):
        LazyCommand("rostersync.cli.main:COMMANDS", "").load()


@pytest.mark.parametrize("incomplete", ["st", "", "-", "--v"])
def test_completion_offers_what_the_eager_group_would_and_imports_no_command(incomplete: str) -> None:
    group = LazyGroup("g", lazy_commands=COMMANDS, params=list(cli.params))
    eager = eager_twin()

    def offered(g: click.Group) -> list[tuple[str, str | None]]:
        return [(item.value, item.help) for item in g.shell_complete(click.Context(g), incomplete)]

    assert offered(group) == offered(eager)
    assert group.commands == {}
    if incomplete == "st":
        assert [value for value, _ in offered(group)] == ["stats", "status"]


def test_a_broken_sandbox_state_is_a_message_not_a_traceback(in_tmp: Path) -> None:
    (in_tmp / "roster.yaml").write_text("version: 1\noperators: []\n", encoding="utf-8")
    (in_tmp / ".rostersync").mkdir()
    (in_tmp / ".rostersync" / "sandbox.json").write_text("garbage", encoding="utf-8")
    result = CliRunner().invoke(cli, ["plan", "--sandbox", "roster.yaml"])
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: Cannot read sandbox state"), result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit)
