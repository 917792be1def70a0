"""The one seam between the engine and a backend: both backends declare what they can
express, the engine and the roster know neither backend, and a roster the backend
cannot carry is refused by the engine before anything is read."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from graphql_support import BackendFactory, SandboxFactory

import rostersync
from rostersync import load_roster, plan_roster
from rostersync.api import IAdvizeClient
from rostersync.api.graphql import CAPABILITIES, GraphQLBackend
from rostersync.api.graphql import Capabilities as ReExported
from rostersync.api_fields import API_FIELDS
from rostersync.capabilities import REST_CAPABILITIES, Capabilities
from rostersync.plan.protocols import OperatorBackend
from rostersync.roster.problems import RosterError
from rostersync.sandbox import start_sandbox

PACKAGE = Path(rostersync.__file__).parent
EXAMPLES = Path(__file__).parents[2] / "examples"


def imported_modules(folder: str) -> set[str]:
    """The rostersync modules imported by the modules of `folder` (type-checking ones included)."""
    found: set[str] = set()
    for path in (PACKAGE / folder).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("rostersync"):
                found.add(node.module)
            elif isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names if alias.name.startswith("rostersync"))
    return found


def test_the_engine_knows_no_backend() -> None:
    outside = {module for module in imported_modules("plan")
               if not module.startswith(("rostersync.plan", "rostersync.roster."))}
    assert outside == {"rostersync.capabilities", "rostersync.api.errors"}, outside  # the leaf, the error tree
    for path in (PACKAGE / "plan").rglob("*.py"):  # no name in the code (docstrings may tell of them)
        names = {getattr(node, "id", None) or getattr(node, "attr", None) or getattr(node, "name", None)
                 for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))}
        assert not any("IAdvizeClient" in name or "GraphQL" in name for name in names if name), path


def test_the_roster_knows_no_api_but_the_leaves() -> None:
    outside = {module for module in imported_modules("roster") if not module.startswith("rostersync.roster")}
    assert outside <= {"rostersync.api_fields", "rostersync.capabilities"}, outside


def test_capabilities_live_in_the_leaf_and_each_backend_declares_them() -> None:
    assert ReExported is Capabilities
    assert IAdvizeClient.capabilities is REST_CAPABILITIES
    assert GraphQLBackend.capabilities is CAPABILITIES
    assert REST_CAPABILITIES.fields == {field.name for field in API_FIELDS}  # all of the table
    assert REST_CAPABILITIES.problems({"roles": ["expert", "admin"], "sso_key": "s3cret"}) == []
    assert CAPABILITIES.fields < REST_CAPABILITIES.fields
    members = {name for name in dir(OperatorBackend) if not name.startswith("_")}
    assert members == {"capabilities", "create_operator", "delete_operator", "find_operator_by_email",
                       "get_operator", "list_operators", "update_operator"}
    for backend in (IAdvizeClient, GraphQLBackend):
        assert members <= set(dir(backend)), backend


def test_the_engine_refuses_what_the_backend_cannot_express_before_reading(start: SandboxFactory,
                                                                           connect: BackendFactory) -> None:
    sandbox = start(demo=True)
    backend = connect(sandbox)
    with pytest.raises(RosterError) as caught:
        plan_roster(backend, load_roster(EXAMPLES / "operators.yaml"))
    assert [str(problem).split(": ", 1)[1] for problem in caught.value.problems] == [
        "operators[0].roles: the GraphQL API takes at most 1 value here, got 2",
        "operators[2].roles: the GraphQL API cannot express 'expert' (it knows admin, manager, operator)",
        "operators[2].roles: the GraphQL API takes at most 1 value here, got 2",
        "operators[7].roles: the GraphQL API takes at most 1 value here, got 2",
        "operators[7].sso_key: the GraphQL API has no counterpart for this field (leave it out, or use the REST API)",
    ]
    assert sandbox.request_counts() == {} and backend.login_count == 0
    assert plan_roster(backend, load_roster(EXAMPLES / "operators-graphql.yaml")).has_changes


def test_the_graphql_example_is_the_rest_one_less_what_graphql_cannot_express() -> None:
    rest = {op.email: op.fields for op in load_roster(EXAMPLES / "operators.yaml").operators}
    graphql = {op.email: op.fields for op in load_roster(EXAMPLES / "operators-graphql.yaml",
                                                          capabilities=CAPABILITIES).operators}
    assert rest.keys() == graphql.keys()
    for email, fields in rest.items():
        differs = {name for name in fields.keys() | graphql[email].keys()
                   if fields.get(name) != graphql[email].get(name)}
        assert differs <= {"roles", "sso_key"}, (email, differs)
        if "roles" in differs:  # the most privileged of its REST roles
            assert graphql[email]["roles"] == [next(role for role in ("admin", "manager", "operator")
                                                    if role in fields["roles"])]


def test_the_rest_client_plans_what_graphql_refuses() -> None:
    with start_sandbox(api_key="k", demo=True) as sandbox, IAdvizeClient(sandbox.url, "k") as client:
        assert plan_roster(client, load_roster(EXAMPLES / "operators.yaml")).has_changes
