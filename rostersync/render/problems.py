"""`validate --format json` and `--format github`: a roster's problems for machines.

JSON, one document::

    {"format_version": 1, "valid": false, "roster": "roster/",
     "problems": [{"file": "roster/fr.yaml", "line": 14, "column": 12,
                   "path": "operators[3].chat.priority", "message": "must be 0 or 10, got 5"}],
     "summary": "1 problem found; nothing was sent to the API."}

(valid: ``"valid": true``, ``"problems": []``, and the files, operator and profile
counts). GitHub: one workflow command per problem, which GitHub shows as an
annotation on that line of the pull request's diff::

    ::error file=roster/fr.yaml,line=14,col=12::operators[3].chat.priority: must be 0 or 10, got 5

escaped as GitHub's toolkit escapes (`github_data`, `github_property`): ``%``, CR and
LF in the message, and also ``,`` and ``:`` in a property; what is left of control
characters is then escaped as on a terminal (`for_terminal`), so a value in the
roster cannot end the command or start another.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from rostersync.render.escape import for_terminal, json_safe
from rostersync.roster.loader import Roster
from rostersync.roster.problems import Problem

FORMAT_VERSION = 1


def github_data(text: str) -> str:
    """A workflow command's message: ``%``, CR and LF as GitHub reads them back."""
    return for_terminal(text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A"))


def github_property(text: str) -> str:
    """A workflow command's property value: as `github_data`, and ``:`` and ``,`` too."""
    return github_data(text).replace(":", "%3A").replace(",", "%2C")


def github_annotation(problem: Problem) -> str:
    message = f"{problem.path}: {problem.message}" if problem.path else problem.message
    return (f"::error file={github_property(problem.file)},line={problem.line},col={problem.column}"
            f"::{github_data(message)}")


def render_problems_github(problems: Sequence[Problem]) -> str:
    return "".join(github_annotation(p) + "\n" for p in problems)


def problem_to_json(problem: Problem) -> dict[str, Any]:
    return {"file": problem.file, "line": problem.line, "column": problem.column, "path": problem.path,
            "message": problem.message}


def validation_to_json(roster_path: str, roster: Roster | None, problems: Sequence[Problem],
                       summary: str) -> dict[str, Any]:
    """The document: `roster` when it loaded, else its `problems` and the `summary` line."""
    document: dict[str, Any] = {"format_version": FORMAT_VERSION, "valid": roster is not None, "roster": roster_path}
    if roster is not None:
        document.update(files=list(roster.files), operators=len(roster.operators), profiles=list(roster.profiles))
    document.update(problems=[problem_to_json(p) for p in problems], summary=summary)
    return document


def render_validation_json(roster_path: str, roster: Roster | None, problems: Sequence[Problem],
                           summary: str) -> str:
    return json_safe(json.dumps(validation_to_json(roster_path, roster, problems, summary), indent=2,
                                ensure_ascii=False)) + "\n"
