"""`rostersync roster add | remove | import-csv`: edit a roster in place, as an HR
system does before opening a pull request."""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import click

from rostersync.cli.errors import CliFailure
from rostersync.edit import (
    EditablePath,
    EditError,
    EditResult,
    HeaderMap,
    NeedsTargetFile,
    SharedAnchors,
    UnknownField,
    UnsafeRemoval,
    add_operator,
    find_path,
    import_csv,
    parse_assignment,
    remove_operator,
)
from rostersync.plan.safety import DEFAULT_MAX_DELETE_RATIO
from rostersync.render.edit_report import edit_report_json, unified_diff
from rostersync.render.edits import describe_change, describe_import
from rostersync.render.escape import for_terminal
from rostersync.roster.problems import RosterError

F = TypeVar("F", bound=Callable[..., Any])

roster_argument = click.argument("roster", type=click.Path(path_type=Path))
file_option = click.option("--file", "target", metavar="NAME",
                           help="In a directory roster, the file that gets new operators.")


def output_options(command: F) -> F:
    """--dry-run and --format, which every edit takes."""
    for option in reversed([
        click.option("--dry-run", is_flag=True,
                     help="Write nothing: print the diff the edit would write (a unified diff, on stdout)."),
        click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text",
                     show_default=True, help="json: what was added, updated, removed and left unchanged, "
                                             "the files and the diff, as one JSON object."),
    ]):
        command = option(command)
    return command


def _edit_errors(command: F) -> F:
    """Failures as messages and exit 1. Unlike plan and apply, what did not happen
    here is a write, so the summary says that."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except (RosterError, SharedAnchors) as exc:
            count = len(exc.problems)
            summary = f"{count} problem{'s' if count != 1 else ''} found; nothing was written."
            raise CliFailure("\n".join([*(str(p) for p in exc.problems), summary])) from None
        except NeedsTargetFile as exc:
            raise CliFailure(f"Error: {exc}; give it with --file NAME. Nothing was written.") from None
        except UnsafeRemoval as exc:
            raise CliFailure(f"Error: {exc} Nothing was written.") from None
        except EditError as exc:
            raise CliFailure(f"Error: {exc}") from None

    return wrapper  # type: ignore[return-value]


@click.group()
def roster() -> None:
    """Edit a roster in place: add, remove or import operators.

    Comments, order and formatting outside the edited entries are kept byte
    for byte. An edit that would not validate is refused: its problems are
    listed and nothing is written. Edits are idempotent, so an HR system can
    run them on every change and open a pull request when the file differs.
    Each takes --dry-run (print the diff, write nothing) and --format json.

    \b
    Example:
        rostersync roster add examples/operators.yaml --email jane.doe@maison-lumiere.fr --profile sales-fr
    """


@roster.command()
@roster_argument
@click.option("--email", required=True, help="The operator's email: who is added or updated.")
@click.option("--first-name", help="Sets first_name.")
@click.option("--name", help="Sets name (the last name).")
@click.option("--pseudo", help="Sets pseudo, the name customers see.")
@click.option("--external-id", help="Sets external_id, your HR id.")
@click.option("--profile", "profiles", multiple=True, metavar="NAME",
              help="A profile to apply; repeat for several, applied in order.")
@click.option("--set", "assignments", multiple=True, metavar="PATH=VALUE",
              help="Sets any field by its roster path, the value read as YAML: "
                   "chat.max=4, chat.enabled=true, languages=[fr,en]. Repeatable.")
@file_option
@output_options
@_edit_errors
def add(roster: Path, email: str, first_name: str | None, name: str | None, pseudo: str | None,
        external_id: str | None, profiles: tuple[str, ...], assignments: tuple[str, ...], target: str | None,
        dry_run: bool, output_format: str) -> None:
    """Add an operator to a roster, or update the fields given.

    An operator whose email is already there is updated: only the fields
    given change, and the output says which. Given again, the same command
    changes nothing. A new operator is appended at the end of the operators
    list; in a directory roster, --file names the file that gets it.

    \b
    Example:
        rostersync roster add examples/operators.yaml --email jane.doe@maison-lumiere.fr \\
            --first-name Jane --name Doe --profile sales-fr --set chat.max=4
    """
    options = {"first_name": first_name, "name": name, "pseudo": pseudo, "external_id": external_id}
    values: list[tuple[EditablePath, Any]] = [
        (find_path(label), value) for label, value in options.items() if value is not None]
    if profiles:
        values.append((find_path("profile"), list(profiles)))
    values += [_assignment(text) for text in assignments]
    _check_once(values)
    result = add_operator(roster, email, values, file=target)
    _finish(result, roster, dry_run, output_format)


@roster.command()
@roster_argument
@click.option("--email", required=True, help="The email of the operator to remove.")
@output_options
@_edit_errors
def remove(roster: Path, email: str, dry_run: bool, output_format: str) -> None:
    """Remove an operator from a roster.

    Its entry goes, with the comments inside it; the rest of the file is
    kept as it is. Removing an operator who is not there changes nothing.
    The next `rostersync plan` shows its deletion from the account.

    \b
    Example:
        rostersync roster remove examples/operators.yaml --email noah.robert@maison-lumiere.fr
    """
    _finish(remove_operator(roster, email), roster, dry_run, output_format)


@roster.command("import-csv")
@roster_argument
@click.argument("csv_file", metavar="FILE.csv", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@file_option
@click.option("--map", "mappings", multiple=True, metavar="HEADER=FIELD",
              help="The roster field a column holds, when its header does not say: 'Surname=name', "
                   "'Max chats=chat.max'; 'Notes=' leaves a column out. Repeatable.")
@click.option("--ignore-unknown", is_flag=True, help="Leave out columns that name no field without a warning.")
@click.option("--prune", is_flag=True,
              help="Also remove from the target file (--file, or the roster's one file) the operators "
                   "no row names: a full sync from HR, under the delete guard.")
@click.option("--max-delete-ratio", type=click.FloatRange(0, 1), default=None,
              help=f"With --prune: refuse to remove more than this share of the file's operators "
                   f"[default: {DEFAULT_MAX_DELETE_RATIO:g}].")
@click.option("--force", is_flag=True, help="With --prune: remove even what the delete guard refuses.")
@output_options
@_edit_errors
def import_csv_command(roster: Path, csv_file: Path, target: str | None, mappings: tuple[str, ...],
                       ignore_unknown: bool, prune: bool, max_delete_ratio: float | None, force: bool,
                       dry_run: bool, output_format: str) -> None:
    """Merge an HR export into a roster: one operator per row.

    Each column holds a roster field: email (required), first_name, name,
    pseudo, external_id, profile, roles, languages, websites, skills,
    chat.max, chat.enabled, group, ... Headers are matched without regard to
    case, spaces or punctuation, and the API's names and common HR spellings
    work too (E-mail, First Name, Last Name, Employee ID); --map names the
    others. Columns that name no field are left out, with a warning.

    Each row adds the operator or updates it; an empty cell leaves the field
    as it is. Lists are separated by ';' or '|', booleans are
    true/false/yes/no/1/0. All rows are applied or none; every problem is
    reported at its CSV line and column.

    \b
    Example (people.csv starts with the line E-mail,First Name,Last Name,Department):
        rostersync roster import-csv examples/operators.yaml people.csv --map "Department=" --prune --dry-run
    """
    if not prune and (force or max_delete_ratio is not None):
        raise click.UsageError("--force and --max-delete-ratio go with --prune")
    try:
        header_map = HeaderMap.parse(mappings)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="'--map'") from None
    result = import_csv(roster, csv_file, file=target, mapping=header_map, ignore_unknown=ignore_unknown,
                        prune=prune, force=force,
                        max_delete_ratio=DEFAULT_MAX_DELETE_RATIO if max_delete_ratio is None else max_delete_ratio)
    _finish(result, roster, dry_run, output_format, summary=describe_import(result, csv_file))


# --- options ---------------------------------------------------------------------------


def _assignment(text: str) -> tuple[EditablePath, Any]:
    try:
        editable, value = parse_assignment(text)
    except (UnknownField, ValueError) as exc:
        raise click.BadParameter(str(exc), param_hint="'--set'") from None
    if editable.label == "email":
        raise click.BadParameter("the email names the operator: give it with --email", param_hint="'--set'")
    return editable, value


def _check_once(values: Sequence[tuple[EditablePath, Any]]) -> None:
    seen: set[str] = set()
    for editable, _ in values:
        if editable.label in seen:
            raise click.UsageError(f"{editable.label} is given twice")
        seen.add(editable.label)


# --- output -----------------------------------------------------------------------------


def _finish(result: EditResult, roster: Path, dry_run: bool, output_format: str, summary: str | None = None) -> None:
    """Write the files (all were validated together) unless --dry-run, then say what changed.

    The result goes to stdout: the lines, the JSON report, or with --dry-run the
    diff; warnings, and with --dry-run the lines, go to stderr.
    """
    if not dry_run:
        result.write()
    for warning in result.warnings:
        click.echo(f"warning: {for_terminal(str(warning))}", err=True)
    if output_format == "json":
        click.echo(edit_report_json(result, dry_run=dry_run), nl=False)
        return
    lines = [describe_change(change, roster) for change in result.changes]
    if summary is not None:
        lines.append(summary)
    if dry_run:
        click.echo(unified_diff(result), nl=False)
        for line in lines:
            click.echo(line, err=True)
        click.echo("Dry run: nothing was written.", err=True)
    else:
        for line in lines:
            click.echo(line)
