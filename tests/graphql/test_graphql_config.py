"""URLs and credentials of the GraphQL backend; its public names; the assumption register."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import rostersync.api.graphql as graphql_api
import rostersync.sandbox.graphql as graphql_sandbox
from rostersync.api.errors import ConfigError
from rostersync.api.graphql import (
    ASSUMPTIONS,
    CAPABILITIES,
    resolve_credentials,
    resolve_graphql_url,
    resolve_token_url,
    validate_endpoint,
)
from rostersync.api_fields import API_FIELDS


@pytest.mark.parametrize(("url", "platform", "env", "expected"), [
    (None, None, {}, "https://api.iadvize.com/graphql?platform=sd"),
    (None, "standard", {}, "https://api.iadvize.com/graphql?platform=sd"),
    (None, "ha", {}, "https://api.iadvize.com/graphql"),
    (None, "ha", {"IADVIZE_GRAPHQL_URL": "http://127.0.0.1:9/graphql"}, "http://127.0.0.1:9/graphql"),
    ("https://x.test/graphql", None, {"IADVIZE_GRAPHQL_URL": "https://y.test/graphql"}, "https://x.test/graphql"),
])
def test_graphql_url(url: str | None, platform: str | None, env: dict[str, str], expected: str) -> None:
    assert resolve_graphql_url(url, platform, env) == expected


def test_token_url() -> None:
    assert resolve_token_url(None, {}) == "https://api.iadvize.com/oauth2/token"
    assert resolve_token_url(None, {"IADVIZE_TOKEN_URL": "https://t.test/token"}) == "https://t.test/token"


@pytest.mark.parametrize(("url", "problem"), [
    ("ftp://api.iadvize.com/graphql", "not an http(s) URL"),
    ("https://me:pw@api.iadvize.com/graphql", "carries a user name or password"),
    ("https://api.iadvize.com/graphql?access_token=abc", "other than platform"),
    ("http://api.iadvize.com/graphql", "refusing plain http://"),
])
def test_endpoints_refused(url: str, problem: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(problem)) as caught:
        validate_endpoint(url, what="GraphQL URL")
    assert "abc" not in str(caught.value) and ":pw" not in str(caught.value)


def test_endpoints_allowed() -> None:
    assert validate_endpoint(" https://api.iadvize.com/graphql?platform=sd ", what="x") == \
        "https://api.iadvize.com/graphql?platform=sd"
    assert validate_endpoint("http://api.iadvize.com/graphql", what="x", insecure=True)


def test_credentials_from_the_environment_or_a_file(tmp_path: Path) -> None:
    secret = tmp_path / "password"
    secret.write_text("from-a-file\n", encoding="utf-8")
    credentials = resolve_credentials({"IADVIZE_EMAIL": "a@b.test"}, password_file=secret)
    assert (credentials.email, credentials.password) == ("a@b.test", "from-a-file")
    assert resolve_credentials({"IADVIZE_ACCESS_TOKEN": "tok"}).access_token == "tok"
    with pytest.raises(ConfigError, match="IADVIZE_PASSWORD is not set"):
        resolve_credentials({"IADVIZE_EMAIL": "a@b.test"})
    with pytest.raises(ConfigError, match="no GraphQL credentials"):
        resolve_credentials({})


def test_public_names_are_pinned() -> None:
    assert graphql_api.__all__ == [
        "ACCESS_TOKEN_ENV", "ASSUMPTIONS", "CAPABILITIES", "EMAIL_ENV", "GRAPHQL_URL", "GRAPHQL_URL_ENV",
        "PASSWORD_ENV", "TOKEN_URL", "TOKEN_URL_ENV", "Assumption", "Capabilities", "Credentials",
        "GraphQLBackend", "SchemaMismatchError", "UserErrorsError", "resolve_credentials", "resolve_graphql_url",
        "resolve_token_url", "validate_endpoint",
    ]
    assert graphql_sandbox.__all__ == [
        "CUSTOM_ROLE_ID", "DEFAULT_EMAIL", "DEFAULT_PASSWORD", "MAX_PAGE_SIZE", "NON_PROFESSIONALS",
        "PROFESSIONAL", "FaultConfig", "GraphQLSandbox", "UserState", "default_sdl", "load_schema",
        "start_graphql_sandbox",
    ]


def test_every_api_field_is_routed_or_declared_inexpressible() -> None:
    managed = {field.name for field in API_FIELDS if not field.deprecated}
    assert managed - CAPABILITIES.fields == {"sso_key"}  # §6: no counterpart
    assert CAPABILITIES.fields <= managed


def test_every_assumption_cited_in_the_client_is_registered() -> None:
    source = "".join(path.read_text(encoding="utf-8")
                     for path in Path(graphql_api.__file__).parent.glob("*.py"))
    cited = set(re.findall(r"\[(A\d+)\]", source))
    registered = {assumption.key for assumption in ASSUMPTIONS}
    assert cited == registered
    assert all(assumption.section.startswith("§") for assumption in ASSUMPTIONS)
