"""The documented Python API: its names are pinned, imported on first use, and the example in its docstring works."""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

import rostersync
import rostersync.api as rostersync_api
from rostersync import IAdvizeClient, apply_plan, load_texts, plan_roster, raise_if_unsafe, start_sandbox


def test_the_public_names_are_pinned() -> None:
    assert sorted(rostersync.__all__) == [
        "ApiError", "ApplyReport", "Create", "Delete", "FieldChange", "IAdvizeClient", "LiveAccount",
        "OperatorRecord", "Outcome", "Plan", "PlanError", "Problem", "Roster", "RosterError", "Sandbox",
        "SavedPlan", "StalePlanError", "UnsafePlanError", "Update", "WantedOperator", "__version__", "apply_plan",
        "build_plan", "load_fresh_plan", "load_roster", "load_texts", "plan_roster", "raise_if_unsafe", "read_live",
        "save_plan", "start_sandbox",
    ]
    for name in rostersync.__all__:
        assert hasattr(rostersync, name), name


def test_load_plan_apply_from_python() -> None:
    roster = load_texts([("hr.yaml", "version: 1\noperators:\n  - email: ada@example.com\n    first_name: Ada\n")])
    with start_sandbox(api_key="automation-key") as sandbox:
        sandbox.store.add({"email": "old@example.com"})
        with IAdvizeClient(sandbox.url, "automation-key") as client:
            plan = plan_roster(client, roster)
            assert [(c.action, c.email) for c in plan.changes] == [("create", "ada@example.com"),
                                                                  ("delete", "old@example.com")]
            raise_if_unsafe(plan, len(roster.operators))
            report = apply_plan(client, plan)
            assert report.ok, report.summary_line()
            assert not plan_roster(client, roster).has_changes


def typed_imports(module: ModuleType) -> dict[str, str]:
    """What a module's `if TYPE_CHECKING:` block imports, name -> module: what type checkers see."""
    tree = ast.parse(Path(module.__file__ or "").read_text(encoding="utf-8"))
    names: dict[str, str] = {}
    for node in tree.body:
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            for statement in node.body:
                assert isinstance(statement, ast.ImportFrom) and statement.module, ast.dump(statement)
                names.update({alias.asname or alias.name: statement.module for alias in statement.names})
    return names


@pytest.mark.parametrize("module", [rostersync, rostersync_api], ids=["rostersync", "rostersync.api"])
def test_names_are_imported_on_first_use_from_where_type_checkers_see_them(module: ModuleType) -> None:
    exports = module._EXPORTS
    assert exports == typed_imports(module)
    assert sorted(exports) == sorted(set(module.__all__) - {"__version__"})
    for name, where in exports.items():
        assert getattr(module, name) is getattr(importlib.import_module(where), name), name
    assert set(module.__all__) <= set(dir(module))
    with pytest.raises(AttributeError, match="has no attribute 'not_public'"):
        module.not_public  # noqa: B018


def test_importing_the_package_imports_none_of_its_parts() -> None:
    done = subprocess.run(
        [sys.executable, "-c", "import sys, rostersync, rostersync.api; "
                               "print(sorted(m for m in sys.modules if m.startswith('rostersync')))"],
        capture_output=True, text=True, timeout=60, check=True)
    assert done.stdout.strip() == "['rostersync', 'rostersync._lazy_exports', 'rostersync._version', 'rostersync.api']"
