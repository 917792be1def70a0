"""A local stand-in for the iAdvize GraphQL API (users), for tests and ``--sandbox``.

It executes ``schema.graphql`` with graphql-core: the documented types as
documented, and every assumption marked ``# ASSUMPTION:`` with the section of
``shared/iadvize-graphql-api.md`` that says it is unknown. Like the REST sandbox it
shares no code with the client: the client learns the schema by introspection.

>>> from rostersync.sandbox.graphql import start_graphql_sandbox
>>> with start_graphql_sandbox(demo=True) as sandbox:          # doctest: +SKIP
...     token = requests.post(sandbox.token_url, data={"username": sandbox.email, ...})

Modules: ``schema.graphql`` (the SDL), ``state`` (users, validation, soft deletion,
state file), ``resolvers`` (scalars, root fields, connections, scripted errors),
``tokens`` (``/oauth2/token``: logins, expiry, login limits), ``server`` (HTTP,
errors, faults), ``runner`` (``start_graphql_sandbox``), ``demo``.

Choices made where the documentation is silent are listed in each module's
docstring; the fault injection is the REST sandbox's own module
(:mod:`rostersync.sandbox.faults`), its "error" answered 502 here.
"""

from rostersync.sandbox.faults import FaultConfig
from rostersync.sandbox.graphql.demo import CUSTOM_ROLE_ID, NON_PROFESSIONALS
from rostersync.sandbox.graphql.resolvers import MAX_PAGE_SIZE, default_sdl, load_schema
from rostersync.sandbox.graphql.runner import (
    DEFAULT_EMAIL,
    DEFAULT_PASSWORD,
    GraphQLSandbox,
    start_graphql_sandbox,
)
from rostersync.sandbox.graphql.state import PROFESSIONAL, UserState

__all__ = [
    "CUSTOM_ROLE_ID",
    "DEFAULT_EMAIL",
    "DEFAULT_PASSWORD",
    "MAX_PAGE_SIZE",
    "NON_PROFESSIONALS",
    "PROFESSIONAL",
    "FaultConfig",
    "GraphQLSandbox",
    "UserState",
    "default_sdl",
    "load_schema",
    "start_graphql_sandbox",
]
