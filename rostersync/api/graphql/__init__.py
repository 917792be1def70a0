"""The iAdvize GraphQL API (users) as a second operator backend.

>>> from rostersync.api.graphql import GraphQLBackend, resolve_credentials, resolve_graphql_url
>>> backend = GraphQLBackend(resolve_graphql_url(None, None, env), resolve_token_url(None, env),
...                          resolve_credentials(env))                        # doctest: +SKIP

Modules: ``documents`` (every document sent and every assumption, [A1]...),
``config`` (URLs, credentials), ``auth`` (tokens), ``transport`` (JSON over
requests, retries), ``schema_check`` (introspection, validation of documents and
sample variables before any write), ``mapping`` (REST fields <-> users, capabilities), ``backend``.
No GraphQL client library: the transport is a few lines of ``requests``, and
graphql-core does what needs a GraphQL implementation (validation against the
introspected schema). It shares no code with the GraphQL sandbox.
"""

from rostersync.api.graphql.backend import GraphQLBackend
from rostersync.api.graphql.config import (
    ACCESS_TOKEN_ENV,
    EMAIL_ENV,
    GRAPHQL_URL,
    GRAPHQL_URL_ENV,
    PASSWORD_ENV,
    TOKEN_URL,
    TOKEN_URL_ENV,
    Credentials,
    resolve_credentials,
    resolve_graphql_url,
    resolve_token_url,
    validate_endpoint,
)
from rostersync.api.graphql.documents import ASSUMPTIONS, Assumption
from rostersync.api.graphql.errors import SchemaMismatchError, UserErrorsError
from rostersync.api.graphql.mapping import CAPABILITIES, Capabilities

__all__ = [
    "ACCESS_TOKEN_ENV",
    "ASSUMPTIONS",
    "CAPABILITIES",
    "EMAIL_ENV",
    "GRAPHQL_URL",
    "GRAPHQL_URL_ENV",
    "PASSWORD_ENV",
    "TOKEN_URL",
    "TOKEN_URL_ENV",
    "Assumption",
    "Capabilities",
    "Credentials",
    "GraphQLBackend",
    "SchemaMismatchError",
    "UserErrorsError",
    "resolve_credentials",
    "resolve_graphql_url",
    "resolve_token_url",
    "validate_endpoint",
]
