"""`plan --out` writes atomically, mode 0600, and never through a symbolic link."""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

import pytest
from saved_plan_support import KEY, refused, run, seed

from rostersync.api import IAdvizeClient
from rostersync.plan import saved
from rostersync.plan.workflow import load_fresh_plan, plan_roster, save_plan
from rostersync.roster.loader import load_roster
from rostersync.sandbox import Sandbox


def plan_out(out: Path, roster: Path) -> tuple[int, str]:
    result = run("plan", "-q", "--out", str(out), str(roster))
    assert "Traceback" not in result.output
    return result.exit_code, result.stderr


def leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.endswith(".tmp"))


def test_a_symlink_destination_is_refused_and_its_target_untouched(account: Sandbox, tmp_path: Path) -> None:
    roster = seed(account, tmp_path)
    target = tmp_path / "elsewhere.txt"
    target.write_text("precious\n")
    link = tmp_path / "plan.json"
    link.symlink_to(target)
    code, stderr = plan_out(link, roster)
    assert code == 1
    assert "plan.json is a symbolic link: a saved plan holds secrets and is never written through one." in stderr
    assert target.read_text() == "precious\n"
    assert link.is_symlink() and leftovers(tmp_path) == []


def test_a_dangling_symlink_is_refused_too(account: Sandbox, tmp_path: Path) -> None:
    roster = seed(account, tmp_path)
    link = tmp_path / "plan.json"
    link.symlink_to(tmp_path / "not-there-yet.json")
    code, stderr = plan_out(link, roster)
    assert code == 1 and "is a symbolic link" in stderr
    assert not (tmp_path / "not-there-yet.json").exists()


def test_a_directory_destination_is_refused(account: Sandbox, tmp_path: Path) -> None:
    roster = seed(account, tmp_path)
    (tmp_path / "plan.json").mkdir()
    result = run("plan", "-q", "--out", str(tmp_path / "plan.json"), str(roster))
    assert result.exit_code != 0 and "Traceback" not in result.output


def test_an_old_plan_is_replaced_by_a_new_private_file(account: Sandbox, tmp_path: Path) -> None:
    roster = seed(account, tmp_path)
    out = tmp_path / "plan.json"
    out.write_text("an old plan, world-readable\n")
    out.chmod(0o644)
    old_inode = out.stat().st_ino
    assert plan_out(out, roster)[0] == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert out.stat().st_ino != old_inode  # a new file renamed into place, not the old one rewritten
    assert leftovers(tmp_path) == []
    assert run("apply", "-q", str(out)).exit_code == 0


def test_a_failed_write_leaves_the_old_file_whole_and_no_partial_file(
        account: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The disk fills up as the new plan is flushed: the old plan stays as it was."""
    roster = seed(account, tmp_path)
    out = tmp_path / "plan.json"
    out.write_text("the previous plan\n")

    def disk_full(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(saved.os, "fsync", disk_full)
    code, stderr = plan_out(out, roster)
    assert code == 1
    assert "cannot save the plan to" in stderr and "No space left on device; the file is unchanged" in stderr
    assert out.read_text() == "the previous plan\n"
    assert leftovers(tmp_path) == []


def test_a_missing_directory_is_a_message(account: Sandbox, tmp_path: Path) -> None:
    roster = seed(account, tmp_path)
    code, stderr = plan_out(tmp_path / "no-such-dir" / "plan.json", roster)
    assert code == 1 and "cannot save the plan in" in stderr and "No such file or directory" in stderr


def test_the_python_api_saves_signed_and_loads_checked(account: Sandbox, tmp_path: Path) -> None:
    roster = load_roster(seed(account, tmp_path))
    with IAdvizeClient(account.url, KEY) as client:
        plan = plan_roster(client, roster)
        path = tmp_path / "plan.json"
        save_plan(path, plan, roster, account.url, api_key=KEY)
        loaded = load_fresh_plan(client, path, account.url, api_key=KEY).plan
    assert loaded.changes == plan.changes
    assert loaded.scope == plan.scope and loaded.listed_ids == plan.listed_ids
    assert len(plan.listed_ids) == 4  # the scope's listing: ignored operators included, other teams' not


def test_unsafe_plans_are_not_saved_without_force(account: Sandbox, tmp_path: Path) -> None:
    account.store.bulk_add([{"email": f"op{n}@example.com", "group_id": 7} for n in range(4)])
    roster = tmp_path / "r.yaml"
    roster.write_text("version: 1\nscope: {group_id: 7}\noperators:\n  - email: op0@example.com\n")
    refused(run("plan", "-q", "--out", str(tmp_path / "plan.json"), str(roster)), "This plan deletes 3 of the 4")
    assert not (tmp_path / "plan.json").exists()
