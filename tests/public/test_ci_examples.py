"""The CI examples and the pre-commit hook are valid YAML and call only commands that exist."""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

import click
import pytest
import yaml

from rostersync.cli.main import cli

ROOT = Path(__file__).parents[2]


def rostersync_calls(text: str) -> list[list[str]]:
    """Every `rostersync ...` command line in a shell script, as argv (without redirections)."""
    calls = []
    for line in text.splitlines():
        match = re.search(r"\brostersync (\w[^|>&]*)", line)
        if match and not line.lstrip().startswith("#") and "pip install" not in line:
            calls.append(shlex.split(match.group(1)))
    return calls


def assert_command_exists(argv: list[str]) -> None:
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


def test_github_actions_example_plans_on_pull_requests_and_applies_on_main() -> None:
    workflow = yaml.safe_load((ROOT / "examples/ci/github-actions.yml").read_text())
    # PyYAML reads the key `on` as True (YAML 1.1); GitHub reads it as "on".
    triggers = workflow.get("on", workflow.get(True))
    assert set(triggers) == {"pull_request", "push"}
    assert workflow["jobs"]["plan"]["if"] == "github.event_name == 'pull_request'"
    assert workflow["jobs"]["apply"]["if"] == "github.event_name == 'push'"
    for job in workflow["jobs"].values():
        assert all("uses" in step or "run" in step for step in job["steps"])
    calls = [argv for script in scripts_of(workflow) for argv in rostersync_calls(script)]
    assert [argv[0] for argv in calls] == ["validate", "plan", "apply"]
    for argv in calls:
        assert_command_exists(argv)
    assert "${{ secrets.IADVIZE_API_KEY }}" in (ROOT / "examples/ci/github-actions.yml").read_text()


def test_gitlab_example_plans_on_merge_requests_and_applies_on_the_default_branch() -> None:
    pipeline = yaml.safe_load((ROOT / "examples/ci/gitlab-ci.yml").read_text())
    assert pipeline["stages"] == ["plan", "apply"]
    assert pipeline["plan"]["stage"] == "plan" and pipeline["apply"]["stage"] == "apply"
    calls = [argv for script in scripts_of(pipeline) for argv in rostersync_calls(script)]
    assert [argv[0] for argv in calls] == ["validate", "plan", "apply"]
    for argv in calls:
        assert_command_exists(argv)


def test_pre_commit_hook_runs_validate() -> None:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert [hook["id"] for hook in hooks] == ["rostersync-validate"]
    argv = shlex.split(hooks[0]["entry"])[1:] + hooks[0]["args"]
    assert_command_exists(argv)


@pytest.mark.parametrize("line", ["rostersync plan --no-such-option roster/", "rostersync deploy roster/"])
def test_the_checker_catches_commands_that_do_not_exist(line: str) -> None:
    with pytest.raises(AssertionError):
        assert_command_exists(rostersync_calls(line)[0])
