"""Which files a roster path stands for, and reading them: a directory from a pull
request must not make rostersync read (and print) a file outside it, skip a file it
cannot use, block on a FIFO, or read a file of any size."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from rostersync.roster import files as roster_files_module
from rostersync.roster.files import read_text_file, roster_files
from rostersync.roster.limits import MAX_FILE_BYTES, MAX_FILES, MAX_TOTAL_BYTES
from rostersync.roster.loader import Roster, load_roster
from rostersync.roster.problems import RosterError

FAKE_KEY = "sk-live-3f9a0c7e5b2d4a6f8e1c0b9a7d5e3f1a"
DOTENV = f"IADVIZE_API_KEY={FAKE_KEY}\nOTHER_SETTING=1\n"
TEAM = "version: 1\noperators:\n  - email: ada@example.com\n"
needs_symlinks = pytest.mark.skipif(not hasattr(os, "symlink") or os.name == "nt", reason="POSIX symlinks")
needs_fifos = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="POSIX FIFOs")


def problems_of(action: Callable[[], object]) -> list[str]:
    with pytest.raises(RosterError) as caught:
        action()
    return [str(p) for p in caught.value.problems]


def finishes(action: Callable[[], object], seconds: float = 10) -> list[str]:
    """The problems `action` raises, failing (rather than hanging the suite) if it blocks."""
    outcome: list[list[str]] = []
    worker = threading.Thread(target=lambda: outcome.append(problems_of(action)), daemon=True)
    worker.start()
    worker.join(seconds)
    assert not worker.is_alive(), "blocked"
    assert outcome, "raised something else than RosterError"
    return outcome[0]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A checkout: the CI's .env beside a roster directory with one team file."""
    (tmp_path / ".env").write_text(DOTENV)
    roster = tmp_path / "roster"
    roster.mkdir()
    (roster / "team-fr.yaml").write_text(TEAM)
    return tmp_path


# --- Symbolic links ---------------------------------------------------------------------


@needs_symlinks
def test_a_link_out_of_the_directory_is_refused_without_reading_it(project: Path) -> None:
    roster = project / "roster"
    (roster / "x.yaml").symlink_to("../.env")
    problems = problems_of(lambda: load_roster(roster))
    assert problems == [f"{roster / 'x.yaml'}:0:0: is a symbolic link to a file outside the roster directory: "
                        "links are followed only to files inside it"]
    assert FAKE_KEY not in "".join(problems) and "IADVIZE" not in "".join(problems)


@needs_symlinks
def test_a_link_through_a_linked_directory_is_judged_by_where_it_really_leads(project: Path) -> None:
    roster = project / "roster"
    (roster / "sub").symlink_to("..", target_is_directory=True)  # roster/sub -> the checkout
    (roster / "x.yaml").symlink_to("sub/.env")
    assert "outside the roster directory" in problems_of(lambda: load_roster(roster))[0]


@needs_symlinks
def test_a_link_by_absolute_path_out_of_the_directory_is_refused(project: Path) -> None:
    (project / "roster" / "x.yml").symlink_to(project / ".env")
    assert "outside the roster directory" in problems_of(lambda: load_roster(project / "roster"))[0]


@needs_symlinks
def test_a_link_to_a_file_inside_the_directory_is_followed(project: Path) -> None:
    roster = project / "roster"
    (roster / "shared").mkdir()
    (roster / "shared" / "en.yaml.txt").write_text("version: 1\noperators:\n  - email: bob@example.com\n")
    (roster / "team-en.yaml").symlink_to("shared/en.yaml.txt")
    loaded = load_roster(roster)
    assert sorted(op.email for op in loaded.operators) == ["ada@example.com", "bob@example.com"]


@needs_symlinks
def test_a_file_named_on_the_command_line_is_followed_wherever_it_leads(project: Path) -> None:
    """The caller chose that path; but what is outside the roster format is still not shown."""
    (project / "roster.yaml").symlink_to(project / "roster" / "team-fr.yaml")
    assert isinstance(load_roster(project / "roster.yaml"), Roster)
    (project / "leak.yaml").symlink_to(".env")
    problems = problems_of(lambda: load_roster(project / "leak.yaml"))
    assert problems == [f"{project / 'leak.yaml'}:1:1: a roster must be a mapping with 'version' and 'operators', "
                        "got a string"]


@needs_symlinks
def test_a_directory_named_on_the_command_line_may_be_a_link(project: Path) -> None:
    (project / "current").symlink_to("roster", target_is_directory=True)
    assert [op.email for op in load_roster(project / "current").operators] == ["ada@example.com"]


# --- Entries that are not regular files: errors, never skipped ----------------------------


@needs_symlinks
def test_a_dangling_link_is_an_error(project: Path) -> None:
    roster = project / "roster"
    (roster / "team-en.yaml").symlink_to("team-en-renamed.yaml")
    assert problems_of(lambda: load_roster(roster)) == [
        f"{roster / 'team-en.yaml'}:0:0: is a symbolic link to a file that does not exist"]


@needs_symlinks
def test_a_link_loop_is_an_error(project: Path) -> None:
    roster = project / "roster"
    (roster / "a.yaml").symlink_to("b.yaml")
    (roster / "b.yaml").symlink_to("a.yaml")
    assert problems_of(lambda: load_roster(roster)) == [
        f"{roster / 'a.yaml'}:0:0: is a symbolic link loop", f"{roster / 'b.yaml'}:0:0: is a symbolic link loop"]


def test_a_directory_named_like_a_roster_file_is_an_error(project: Path) -> None:
    roster = project / "roster"
    (roster / "team-en.yaml").mkdir()
    assert problems_of(lambda: load_roster(roster)) == [
        f"{roster / 'team-en.yaml'}:0:0: is a directory, not a regular file"]


@needs_fifos
def test_a_fifo_in_the_directory_is_an_error_and_nothing_blocks(project: Path) -> None:
    roster = project / "roster"
    os.mkfifo(roster / "team-en.yaml")
    assert finishes(lambda: load_roster(roster)) == [
        f"{roster / 'team-en.yaml'}:0:0: is a named pipe (FIFO), not a regular file"]


@needs_fifos
def test_a_fifo_named_on_the_command_line_is_an_error_and_nothing_blocks(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "roster.yaml")
    assert finishes(lambda: load_roster(tmp_path / "roster.yaml")) == [
        f"{tmp_path / 'roster.yaml'}:0:0: is a named pipe (FIFO), not a regular file"]


@needs_symlinks
@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="a character device")
def test_a_device_is_an_error(project: Path) -> None:
    assert problems_of(lambda: load_roster(Path("/dev/zero"))) == ["/dev/zero:0:0: is a character device, not a regular file"]
    roster = project / "roster"
    (roster / "z.yaml").symlink_to("/dev/zero")  # outside, so refused before anything else
    assert "outside the roster directory" in problems_of(lambda: load_roster(roster))[0]


def test_every_entry_that_cannot_be_used_is_listed_at_once(project: Path) -> None:
    roster = project / "roster"
    for name in ("a.yaml", "b.yml"):
        (roster / name).mkdir()
    assert len(problems_of(lambda: load_roster(roster))) == 2


def test_other_files_and_directories_are_ignored(project: Path) -> None:
    roster = project / "roster"
    (roster / "README.md").write_text("# the team files")
    (roster / "archive").mkdir()
    assert [op.email for op in load_roster(roster).operators] == ["ada@example.com"]


def test_a_missing_path_is_an_error(tmp_path: Path) -> None:
    assert problems_of(lambda: load_roster(tmp_path / "nowhere")) == [
        f"{tmp_path / 'nowhere'}:0:0: no such file or directory"]


# --- Sizes and counts ---------------------------------------------------------------------


def test_a_huge_file_is_refused_by_its_size_without_being_read(tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    big = tmp_path / "roster.yaml"
    with big.open("wb") as handle:
        handle.truncate(6 * 2**30)  # sparse: 6 GiB that take no room
    opened: list[object] = []
    monkeypatch.setattr(roster_files_module.os, "open", lambda *args: opened.append(args))
    assert problems_of(lambda: load_roster(big)) == [
        f"{big}:0:0: is 6 GiB; a roster file may be at most 16 MiB"]
    assert problems_of(lambda: load_roster(tmp_path)) == [
        f"{big}:0:0: is 6 GiB; a roster file may be at most 16 MiB"]
    assert opened == []


def test_a_file_at_the_size_limit_is_read_and_one_byte_more_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "roster.yaml"
    with path.open("wb") as handle:
        handle.write(b"# " + b"x" * (MAX_FILE_BYTES - 3) + b"\n")
    assert len(read_text_file(path)) == MAX_FILE_BYTES
    with path.open("ab") as handle:
        handle.write(b"\n")
    assert problems_of(lambda: read_text_file(path)) == [f"{path}:0:0: is 16.0 MiB (16,777,217 bytes); a roster file may be at most 16 MiB"]


def test_the_files_of_a_directory_are_bounded_together(tmp_path: Path) -> None:
    for index in range(3):
        with (tmp_path / f"team-{index}.yaml").open("wb") as handle:
            handle.truncate(MAX_TOTAL_BYTES // 3 + 1)  # each within the limit of a file
    assert problems_of(lambda: roster_files(tmp_path)) == [
        f"{tmp_path}:0:0: its roster files hold 32.0 MiB (33,554,433 bytes) together; a roster may be at most 32 MiB"]


def test_the_number_of_files_of_a_directory_is_bounded(tmp_path: Path) -> None:
    for index in range(MAX_FILES):
        (tmp_path / f"team-{index:04}.yaml").touch()
    assert len(roster_files(tmp_path)) == MAX_FILES
    (tmp_path / "one-more.yml").touch()
    assert problems_of(lambda: roster_files(tmp_path)) == [
        f"{tmp_path}:0:0: holds more than 1,000 *.yaml or *.yml files; a roster may have at most 1,000"]


def test_a_file_that_is_not_utf8_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "roster.yaml"
    path.write_bytes(b"version: 1\nfirst_name: \xff\n")
    assert problems_of(lambda: load_roster(path)) == [f"{path}:1:1: not UTF-8 text (invalid start byte at byte 23)"]
