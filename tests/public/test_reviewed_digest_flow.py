"""The digest the CI plan comment carries is the one `apply --expect-digest` computes.

`ci plan` (the pull-request job) and `apply` (the merge job) must hash a secret the
same way, or a reviewed plan that sets an `sso_key` is refused on every merge. The CI
recipes plan and apply with different API keys, so both take the digest's key from
``ROSTERSYNC_DIGEST_KEY`` when it is set.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from rostersync.cli.main import cli
from rostersync.sandbox import Sandbox

ROSTER = """\
version: 1
scope: {group_id: 7}
defaults: {group: 7}
operators:
  - email: ada@example.com
    first_name: Ada
    sso_key: "s3cret-sso-token"
"""


def _comment_digest(tmp_path: Path) -> str:
    result = CliRunner().invoke(cli, ["ci", "plan", "-q", "--comment", str(tmp_path / "c.md"),
                                      str(tmp_path / "roster.yaml")], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    match = re.search(r"<!-- rostersync-digest: (sha256:[0-9a-f]{64}) -->", (tmp_path / "c.md").read_text())
    assert match is not None
    return match.group(1)


def _plan_digest(tmp_path: Path) -> str:
    result = CliRunner().invoke(cli, ["plan", "-q", "--format", "json", str(tmp_path / "roster.yaml")],
                                catch_exceptions=False)
    digest: str = json.loads(result.stdout)["digest"]
    return digest


@pytest.fixture
def roster(account: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in ("GITHUB_SHA", "CI_COMMIT_SHA", "GITHUB_STEP_SUMMARY", "ROSTERSYNC_DIGEST_KEY"):
        monkeypatch.delenv(name, raising=False)
    path = tmp_path / "roster.yaml"
    path.write_text(ROSTER)
    return path


def test_the_ci_comment_digest_of_a_plan_setting_a_secret_is_applied(account: Sandbox, roster: Path,
                                                                     tmp_path: Path) -> None:
    reviewed = _comment_digest(tmp_path)
    assert reviewed == _plan_digest(tmp_path)
    result = CliRunner().invoke(cli, ["apply", "-q", "--expect-digest", reviewed, str(roster)],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "Apply complete: 1 created" in result.stdout


def test_the_digest_key_is_shared_between_jobs_that_hold_different_api_keys(
        account: Sandbox, roster: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    by_api_key = _comment_digest(tmp_path)
    monkeypatch.setenv("ROSTERSYNC_DIGEST_KEY", "the-plan-key")
    shared = _comment_digest(tmp_path)
    assert shared != by_api_key  # the secret is hashed under the digest key, not the API key
    assert shared == _plan_digest(tmp_path)
    result = CliRunner().invoke(cli, ["apply", "-q", "--expect-digest", shared, str(roster)],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
