"""``GraphQLBackend``: the operator methods the engine uses, over the iAdvize GraphQL API.

It offers what :class:`~rostersync.api.client.IAdvizeClient` offers the engine
(``list_operators``, ``get_operator``, ``find_operator_by_email``,
``create_operator``, ``update_operator``, ``delete_operator``) with the same REST
field names and :class:`OperatorRecord` values, plus :attr:`capabilities`: it is the engine's GraphQL backend
(:class:`rostersync.plan.protocols.OperatorBackend`).

Before its first request it introspects the live schema once and validates every
document and sample variables it could send (:mod:`.schema_check`); a mismatch
raises :class:`SchemaMismatchError` and nothing is sent after it. Only
``Professional`` users are operators: developers, experts and bots are never
returned, so never planned, changed or deleted. ``userErrors`` fail the one change
with :class:`UserErrorsError`.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator, Mapping
from typing import Any, ClassVar

from rostersync.api.errors import ConfigError, NotFoundError, UnexpectedResponseError
from rostersync.api.graphql import documents as docs
from rostersync.api.graphql.auth import TokenProvider
from rostersync.api.graphql.config import Credentials, validate_endpoint
from rostersync.api.graphql.errors import UserErrorsError
from rostersync.api.graphql.mapping import (
    CAPABILITIES,
    Capabilities,
    groups_touched,
    kept_as_read,
    record_from_user,
    to_create_input,
    to_update_input,
)
from rostersync.api.graphql.schema_check import LiveSchema, check_documents, read_live_schema, samples_for
from rostersync.api.graphql.transport import CallKind, GraphQLReply, GraphQLTransport
from rostersync.api.listing import MAX_PAGES, check_unique_emails
from rostersync.api.options import ClientOptions
from rostersync.api.records import OperatorRecord, RecordError
from rostersync.api.redaction import cut
from rostersync.api.transport import _new_session, _timeouts  # private: shared on purpose

__all__ = ["GraphQLBackend"]

logger = logging.getLogger("rostersync.api")

Filters = Mapping[str, "str | int"]

MAX_USER_ERRORS = 10  # userErrors quoted in an error message, each cut, then all cut again
MAX_USER_ERRORS_CHARS = 600


class GraphQLBackend:
    """The iAdvize GraphQL API as an operator backend; thread-safe.

    >>> with GraphQLBackend(url, token_url, Credentials(email, password)) as backend:  # doctest: +SKIP
    ...     operators = backend.list_operators({"group_id": 7})
    """

    capabilities: ClassVar[Capabilities] = CAPABILITIES

    def __init__(self, endpoint: str, token_url: str, credentials: Credentials,
                 options: ClientOptions | None = None) -> None:
        """``options`` are the REST client's (:class:`ClientOptions`); ``page_workers`` is
        unused, cursor pages being read one after the other."""
        options = options if options is not None else ClientOptions()
        if options.max_attempts < 1:
            raise ConfigError(f"max_attempts must be at least 1, got {options.max_attempts}")
        self.endpoint = validate_endpoint(endpoint, what="GraphQL URL", insecure=options.insecure)
        self.token_url = validate_endpoint(token_url, what="token URL", insecure=options.insecure)
        # Plain http:// (loopback only): no environment proxy may see the password or token.
        self._session = _new_session(16, use_env_proxies=self.endpoint.startswith("https")
                                     and self.token_url.startswith("https"))
        timeouts = _timeouts(options.timeout)  # (connect, deadline), checked once for both
        self._auth = TokenProvider(self.token_url, credentials, self._session, options, timeouts)
        self._transport = GraphQLTransport(self.endpoint, self._auth, self._session, options, timeouts)
        self._lock = threading.Lock()  # one schema check
        self._roles_lock = threading.Lock()  # one reading of the base roles
        self._live: LiveSchema | None = None
        self._role_ids: dict[str, int] | None = None

    def __repr__(self) -> str:
        return f"GraphQLBackend(endpoint={self.endpoint!r}, credentials=<redacted>)"

    @property
    def base_url(self) -> str:
        """The GraphQL endpoint: where this backend's account is, as the REST client's base URL is."""
        return self.endpoint

    @property
    def request_count(self) -> int:
        """GraphQL requests made so far, retries included (logins not counted)."""
        return self._transport.request_count

    @property
    def login_count(self) -> int:
        return self._auth.login_count

    def close(self) -> None:
        self._session.close()

    def __enter__(self) -> GraphQLBackend:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # --- the schema check ---------------------------------------------------------

    def check_schema(self) -> LiveSchema:
        """Introspect once and validate every document and sample; raise on a mismatch."""
        with self._lock:
            if self._live is None:
                reply = self._transport.execute(docs.INTROSPECTION, kind="read", action="read the live schema")
                live = read_live_schema(reply.data)
                check_documents(live.schema, self._documents(live), samples_for(live))
                self._live = live
                logger.info("GraphQL schema checked: %d documents valid; users filters by %s",
                            len(self._documents(live)), ", ".join(sorted(live.user_filters)) or "nothing")
            return self._live

    @staticmethod
    def _documents(live: LiveSchema) -> list[docs.Document]:
        types = live.input_types
        return [docs.list_users(sorted(live.user_filters)), docs.GET_USER, docs.BASE_ROLES,
                docs.create_user(types["userCreate"]), docs.update_user(types["userUpdate"]),
                docs.delete_user(types["userDelete"])]

    def _execute(self, document: Callable[[LiveSchema], docs.Document], variables: Mapping[str, Any], *,
                 kind: CallKind, action: str) -> GraphQLReply:
        live = self.check_schema()
        return self._transport.execute(document(live), variables, kind=kind, action=action)

    def _roles(self) -> dict[str, int]:
        with self._roles_lock:
            return self._read_roles()

    def _read_roles(self) -> dict[str, int]:
        if self._role_ids is None:
            reply = self._execute(lambda _: docs.BASE_ROLES, {}, kind="read", action="list the base roles")
            roles = reply.data.get("professionalBaseRoles") or []
            self._role_ids = {str(role.get("baseRoleName")): int(role["id"]) for role in roles
                              if isinstance(role, Mapping) and role.get("id") is not None}
            missing = sorted(set(docs.ROLE_NAMES.values()) - set(self._role_ids))
            if missing:
                raise UnexpectedResponseError(f"professionalBaseRoles has no {', '.join(missing)} role")
        return self._role_ids

    # --- reading ------------------------------------------------------------------

    def list_operators(self, filters: Filters | None = None, *, full: bool = True) -> list[OperatorRecord]:
        """Every professional matching ``filters`` (``group_id``, ``website_id``, ``email``).

        Filters go to the ``users`` query where the live schema takes them [A2] and
        are always checked here too; each page is requested once. ``full`` is
        accepted for the REST client's signature: a GraphQL list is always full.
        """
        wanted = dict(filters or {})
        unknown = sorted(set(wanted) - set(docs.USER_FILTERS))
        if unknown:
            raise ValueError(f"unknown filter(s) {', '.join(unknown)}: use {', '.join(sorted(docs.USER_FILTERS))}")
        listed = list(self._pages(wanted))  # whole, checked, before any filtering
        check_unique_emails(listed, path="/graphql", action="list users", method="POST")
        return [record for record in listed if _matches(record, wanted)]

    def _pages(self, wanted: Mapping[str, str | int]) -> Iterator[OperatorRecord]:
        live = self.check_schema()
        sent = {docs.USER_FILTERS[key][0]: value for key, value in wanted.items() if key in live.user_filters}
        after: str | None = None
        seen: set[int] = set()
        cursors: set[str] = set()
        skipped = 0
        for page in range(1, MAX_PAGES + 1):
            reply = self._execute(lambda live: docs.list_users(sorted(live.user_filters)),
                                  {"first": docs.PAGE_SIZE, "after": after, **sent}, kind="read",
                                  action=f"list users (page {page})")
            connection = reply.data.get("users")
            if not isinstance(connection, Mapping) or not isinstance(connection.get("edges"), list):
                raise UnexpectedResponseError(f"list users (page {page}): 'users' has no edges list")
            for edge in connection["edges"]:
                record = self._professional(edge.get("node") if isinstance(edge, Mapping) else None, "list users")
                if record is None:
                    skipped += 1
                    continue
                if record.id in seen:  # the server repeats itself, or the account changed while read
                    raise UnexpectedResponseError(f"list users (page {page}): user #{record.id} is listed twice, so "
                                                  "the listing cannot be trusted: run again", method="POST",
                                                  path="/graphql")
                seen.add(record.id)
                yield record
            info = connection.get("pageInfo") or {}
            after = info.get("endCursor") if isinstance(info, Mapping) else None
            if not (isinstance(info, Mapping) and info.get("hasNextPage") is True):
                break
            if not connection["edges"]:
                raise UnexpectedResponseError(f"list users (page {page}): an empty page says another follows",
                                              method="POST", path="/graphql")
            if not isinstance(after, str) or after in cursors:
                raise UnexpectedResponseError(f"list users (page {page}): hasNextPage without a new endCursor")
            cursors.add(after)
        else:
            raise UnexpectedResponseError(f"list users: more than {MAX_PAGES} pages, more than rostersync reads of "
                                          "one listing (MAX_PAGES)", method="POST", path="/graphql")
        logger.debug("list users: %d users that are not professionals (or deleted) left out", skipped)

    @staticmethod
    def _professional(node: Any, action: str) -> OperatorRecord | None:
        """The record of a live professional; None for other users and deleted ones [A4] [A15]."""
        if not isinstance(node, Mapping):
            return None
        if node.get("__typename") != docs.PROFESSIONAL_TYPE or node.get("isDeleted") is True:
            return None
        try:
            return record_from_user(node)
        except (RecordError, ValueError, TypeError) as exc:
            raise UnexpectedResponseError(f"{action}: a user has no usable id ({exc})") from None

    def get_operator(self, operator_id: int) -> OperatorRecord:
        return self._get_user(operator_id)[0]

    def _get_user(self, operator_id: int) -> tuple[OperatorRecord, Mapping[str, Any]]:
        """The operator's record, and the user as the API returned it."""
        action = f"get operator {operator_id}"
        reply = self._execute(lambda _: docs.GET_USER, {"userId": int(operator_id)}, kind="read", action=action)
        node = reply.data.get("user")
        record = self._professional(node, action)
        if record is None or not isinstance(node, Mapping):
            raise NotFoundError(f"{action}: no professional user with id {operator_id} (deleted, or not an "
                                "operator)", method="POST", path="/graphql")
        return record, node

    def find_operator_by_email(self, email: str) -> OperatorRecord | None:
        """The operator with this email (compared case-insensitively), or None."""
        matches = self.list_operators({"email": email.strip()})
        if len(matches) > 1:
            logger.warning("%d operators have the email %s; using id %d", len(matches), email, matches[0].id)
        return matches[0] if matches else None

    # --- writing ------------------------------------------------------------------

    def create_operator(self, fields: Mapping[str, Any]) -> OperatorRecord:
        """Create a professional. A lost reply raises OutcomeUnknownError: look it up by email."""
        action = "create operator" + (f" {fields['email']}" if fields.get("email") else "")
        variables = {"input": to_create_input(fields, self._roles())}
        reply = self._execute(lambda live: docs.create_user(live.input_types["userCreate"]), variables,
                              kind="create", action=action)
        payload = self._payload(reply, "userCreate", action)
        record = self._professional(payload.get("user"), action)
        if record is None:
            raise UnexpectedResponseError(f"{action}: the reply has no created professional user")
        return record

    def update_operator(self, operator_id: int, fields: Mapping[str, Any]) -> OperatorRecord | None:
        """Change only ``fields`` (a channel or the country preferences go whole, completed
        from a fresh read of the operator, their fields rostersync does not manage, such
        as the timezone, as read). Nothing is sent for empty ``fields``."""
        if not fields:
            return None
        action = f"update operator {operator_id}"
        live: Mapping[str, Any] = {}
        kept: Mapping[tuple[str, ...], Any] = {}
        if groups_touched(fields):
            record, node = self._get_user(operator_id)
            live, kept = record.fields, kept_as_read(node)
        variables = {"input": to_update_input(int(operator_id), fields, live, self._roles(), kept)}
        reply = self._execute(lambda live: docs.update_user(live.input_types["userUpdate"]), variables,
                              kind="write", action=action)
        payload = self._payload(reply, "userUpdate", action)
        return self._professional(payload.get("user"), action)

    def delete_operator(self, operator_id: int) -> None:
        action = f"delete operator {operator_id}"
        try:
            reply = self._execute(lambda live: docs.delete_user(live.input_types["userDelete"]),
                                  {"input": {"userId": int(operator_id)}}, kind="write", action=action)
            self._payload(reply, "userDelete", action)
        except NotFoundError as exc:
            if not exc.after_lost_reply:
                raise
            logger.info("%s: already gone after a lost reply; counted as done", action)

    @staticmethod
    def _payload(reply: GraphQLReply, mutation: str, action: str) -> Mapping[str, Any]:
        """The payload; its ``userErrors`` fail the change [A6] (not found: [A16])."""
        payload = reply.data.get(mutation)
        if not isinstance(payload, Mapping):
            raise UnexpectedResponseError(f"{action}: the reply has no {mutation} payload")
        listed = payload.get("userErrors")
        if listed is not None and not isinstance(listed, list):
            raise UnexpectedResponseError(f"{action}: the {mutation} payload's userErrors is not a list")
        errors = [(cut(str(error.get("__typename") or "UserError"), 80), cut(str(error.get("message") or ""), 300))
                  for error in (listed if isinstance(listed, list) else ())[:MAX_USER_ERRORS]
                  if isinstance(error, Mapping)]
        if not errors:
            return payload
        more = len(listed) - MAX_USER_ERRORS if isinstance(listed, list) else 0
        text = cut("; ".join(f"{name}: {message}" for name, message in errors), MAX_USER_ERRORS_CHARS)
        text += f" (and {more} more)" if more > 0 else ""
        if all(name in docs.NOT_FOUND_ERRORS for name, _ in errors):
            error = NotFoundError(f"{action}: not found ({text})", method="POST", path="/graphql", status=200,
                                  server_message=text, attempts=reply.attempts)
            error.after_lost_reply = reply.reply_lost
            raise error
        raise UserErrorsError(f"{action}: the API refused it: {text}", user_errors=errors, attempts=reply.attempts)


def _matches(record: OperatorRecord, wanted: Mapping[str, str | int]) -> bool:
    fields = record.fields
    for key, value in wanted.items():
        if key == "email" and str(fields.get("email") or "").casefold() != str(value).strip().casefold():
            return False
        if key == "group_id" and fields.get("group_id") != int(value):
            return False
        if key == "website_id" and int(value) not in (fields.get("website_list") or ()):
            return False
    return True
