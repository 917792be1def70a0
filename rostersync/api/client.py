"""The iAdvize operator endpoints as Python methods.

HTTP, retries and error translation live in :mod:`rostersync.api.transport`; this
module knows the resources: which path, which parameters, how to read the reply.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from typing import Any, ClassVar, Protocol, TypeVar

from rostersync.api.errors import NotFoundError
from rostersync.api.forms import form_pairs
from rostersync.api.listing import check_unique_emails, read_listing
from rostersync.api.options import ClientOptions
from rostersync.api.records import (
    SECRET_FIELDS,
    LiveAvailability,
    OperatorProfile,
    OperatorRecord,
    OperatorStatistic,
    RecordError,
    parse_live,
    parse_operator,
    parse_profile,
    parse_statistic,
)
from rostersync.api.replies import Reply, unexpected_reply
from rostersync.api.resources import (
    GroupRecord,
    SkillRecord,
    WebsiteRecord,
    parse_group,
    parse_skill,
    parse_website,
)
from rostersync.api.transport import Transport
from rostersync.capabilities import REST_CAPABILITIES, Capabilities

__all__ = ["PAGE_LIMIT", "IAdvizeClient"]

logger = logging.getLogger("rostersync.api")

PAGE_LIMIT = 100  # the API's maximum page size


class _HasId(Protocol):
    @property
    def id(self) -> int: ...


T = TypeVar("T", bound=_HasId)  # a list item
R = TypeVar("R")  # a single record
# A filter is one value, or ids sent comma-separated.
Filters = Mapping[str, "str | int | list[int] | tuple[int, ...] | set[int] | frozenset[int]"]


class IAdvizeClient:
    """A client for the operator endpoints of the iAdvize REST API v2; thread-safe.

    >>> with IAdvizeClient("https://sd.iadvize.com/api/2", key) as client:  # doctest: +SKIP
    ...     operators = client.list_operators()

    It is the engine's REST backend (:class:`rostersync.plan.protocols.OperatorBackend`):
    it expresses every field of :data:`rostersync.api_fields.API_FIELDS`.
    """

    capabilities: ClassVar[Capabilities] = REST_CAPABILITIES

    def __init__(self, base_url: str, api_key: str, options: ClientOptions | None = None) -> None:
        """``options`` (:class:`~rostersync.api.options.ClientOptions`) default to ``ClientOptions()``."""
        options = options if options is not None else ClientOptions()
        self._page_workers = max(1, options.page_workers)
        self._transport = Transport(base_url, api_key, options)

    @property
    def base_url(self) -> str:
        return self._transport.base_url

    @property
    def request_count(self) -> int:
        """HTTP attempts made so far, retries included."""
        return self._transport.request_count

    def __repr__(self) -> str:
        return f"IAdvizeClient(base_url={self.base_url!r}, api_key=<redacted>)"

    def close(self) -> None:
        self._transport.close()

    def __enter__(self) -> IAdvizeClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # --- operators -------------------------------------------------------------

    def list_operators(self, filters: Filters | None = None, *, full: bool = True) -> list[OperatorRecord]:
        """Every operator matching ``filters`` (e.g. ``{"group_id": 3}``), all pages.

        Without ``full`` an item may hold nothing but its id.  A listing that cannot be
        trusted (pagination that lies or ends early, an id twice, two operators with one
        email) raises :class:`UnexpectedResponseError`: it is never returned in part.
        """
        params = _filter_params(filters)
        if full:
            params["full"] = 1
        records = self._list("/operator", params, "list operators", parse_operator)
        check_unique_emails(records, path="/operator", action="list operators")
        return records

    def get_operator(self, operator_id: int) -> OperatorRecord:
        return self._get_one(f"/operator/{int(operator_id)}", f"get operator {operator_id}",
                             parse_operator, operator_id)

    def find_operator_by_email(self, email: str) -> OperatorRecord | None:
        """The operator with this email (compared case-insensitively), or None."""
        wanted = email.strip().casefold()
        # The server's filter may widen ("*") or ignore case; the exact check is ours.
        matches = [
            record
            for record in self.list_operators({"email": email.strip()})
            if str(record.fields.get("email", "")).strip().casefold() == wanted
        ]
        if len(matches) > 1:
            logger.warning("%d operators have the email %s; using id %d", len(matches), email, matches[0].id)
        return matches[0] if matches else None

    def create_operator(self, fields: Mapping[str, Any]) -> OperatorRecord:
        """Create an operator; return it as the server stored it.

        Raises OutcomeUnknownError when the request went out but the reply was lost:
        the operator may exist, so look it up by email before creating it again.
        """
        action = "create operator" + (f" {fields['email']}" if fields.get("email") else "")
        reply = self._transport.request(
            "POST", "/operator", action=action, form=form_pairs(fields), secrets=_secrets_in(fields)
        )
        try:
            return parse_operator(_unwrap_single(reply.data), redact=self._transport.redactor)
        except RecordError as exc:
            problem = str(exc)
        # It was created, but the reply does not say as what: find it instead.
        found = self.find_operator_by_email(str(fields["email"])) if fields.get("email") else None
        if found is not None:
            return found
        raise unexpected_reply(
            "POST", "/operator", action, reply.status,
            f"{problem}; the operator was probably created but the reply does not say its id",
        )

    def update_operator(self, operator_id: int, fields: Mapping[str, Any]) -> OperatorRecord | None:
        """Change only the given ``fields``; an empty list clears that list.

        Returns the operator as the reply describes it, or None if the reply has no data
        (or if ``fields`` is empty: then nothing is sent).
        """
        if not fields:
            return None
        path = f"/operator/{int(operator_id)}"
        action = f"update operator {operator_id}"
        reply = self._transport.request(
            "PUT", path, action=action, form=form_pairs(fields), secrets=_secrets_in(fields)
        )
        data = _unwrap_single(reply.data)
        if not data:
            return None
        return self._parse_one(parse_operator, data, operator_id, "PUT", path, action, reply.status)

    def delete_operator(self, operator_id: int) -> None:
        path = f"/operator/{int(operator_id)}"
        try:
            self._transport.request("DELETE", path, action=f"delete operator {operator_id}")
        except NotFoundError as exc:
            if not exc.after_lost_reply:
                raise
            # An earlier attempt reached the server but its reply was lost; the 404
            # now says that attempt did the deleting.
            logger.info("delete operator %d: already gone after a lost reply; counted as done", operator_id)

    # --- live availability -----------------------------------------------------

    def list_live(self, filters: Filters | None = None, *, include_offline: bool = False) -> list[LiveAvailability]:
        """Live availability of every operator; by default the API shows only connected ones.

        ``include_offline`` adds those offline (the API lists only operators who logged
        in at least once).
        """
        params = _filter_params(filters)
        if include_offline:
            # The doc calls `connected=0` a filter without saying whether it is a
            # top-level parameter or filters[connected]: send both.
            params["connected"] = 0
            params["filters"] = {**params.get("filters", {}), "connected": 0}
        return self._list("/operator/live", params, "list live availability", parse_live)

    def get_live(self, operator_id: int) -> LiveAvailability:
        return self._get_one(f"/operator/{int(operator_id)}/live",
                             f"get live availability of operator {operator_id}", parse_live, operator_id)

    def set_live(
        self,
        operator_id: int,
        *,
        chat: bool | None = None,
        call: bool | None = None,
        video: bool | None = None,
        disconnect: bool = False,
    ) -> None:
        """Make the operator available or not per channel, or log them out."""
        form: dict[str, Any] = {
            name: {"available": value}
            for name, value in (("chat", chat), ("call", call), ("video", video))
            if value is not None
        }
        if disconnect:
            form["connected"] = 0  # the only value the API accepts
        if not form:
            raise ValueError("set_live needs chat, call, video or disconnect")
        path = f"/operator/{int(operator_id)}/live"
        self._transport.request("PUT", path, action=f"set live availability of operator {operator_id}",
                                form=form_pairs(form))

    # --- statistic and profile -----------------------------------------------

    def get_statistic(self, operator_id: int) -> OperatorStatistic:
        return self._get_one(f"/operator/{int(operator_id)}/statistic",
                             f"get statistic of operator {operator_id}", parse_statistic, operator_id)

    def get_profile(self, operator_id: int) -> OperatorProfile:
        return self._get_one(f"/operator/{int(operator_id)}/profile",
                             f"get profile of operator {operator_id}", parse_profile, operator_id)

    # --- skills, groups and websites (read only) -------------------------------

    def list_skills(self) -> list[SkillRecord]:
        """Every skill of the account, all pages (``parent_id`` gives the tree)."""
        return self._list("/skill", {"full": 1}, "list skills", parse_skill)

    def list_groups(self) -> list[GroupRecord]:
        """Every group of the account, all pages (``parent_id`` gives the tree)."""
        return self._list("/group", {"full": 1}, "list groups", parse_group)

    def list_websites(self) -> list[WebsiteRecord]:
        """Every website of the account, all pages."""
        return self._list("/website", {"full": 1}, "list websites", parse_website)

    # --- listings ---------------------------------------------------------------

    def _list(self, path: str, params: dict[str, Any], action: str, parse: Callable[..., T]) -> list[T]:
        """Every item of every page, in page order, checked (:mod:`rostersync.api.listing`)."""
        def fetch(number: int) -> Reply:
            query = form_pairs({**params, "limit": PAGE_LIMIT, "page": number})
            return self._transport.request("GET", path, action=f"{action} (page {number})", query=query)

        redact = self._transport.redactor
        return read_listing(fetch, lambda item: parse(item, redact=redact), path=path, action=action,
                            workers=self._page_workers)

    # --- single objects -----------------------------------------------------------

    def _get_one(self, path: str, action: str, parse: Callable[..., R], operator_id: int) -> R:
        reply = self._transport.request("GET", path, action=action)
        return self._parse_one(parse, _unwrap_single(reply.data), operator_id, "GET", path, action, reply.status)

    def _parse_one(
        self,
        parse: Callable[..., R], data: Any, operator_id: int, method: str, path: str, action: str, status: int
    ) -> R:
        """``parse(data)``; a reply without a usable object is an UnexpectedResponseError."""
        try:
            return parse(data, expected_id=int(operator_id), redact=self._transport.redactor)
        except RecordError as exc:
            raise unexpected_reply(method, path, action, status, f"'data': {exc}") from None


def _filter_params(filters: Filters | None) -> dict[str, Any]:
    """``{"filters": {...}}`` as the API takes them, or ``{}`` without filters (an empty
    mapping would be encoded as a blank ``filters=``).  A list of ids goes
    comma-separated (``1,2,3``)."""
    values: dict[str, Any] = {}
    for name, value in (filters or {}).items():
        if isinstance(value, (list, tuple, set, frozenset)):
            value = ",".join(str(item) for item in value)
        values[name] = value
    return {"filters": values} if values else {}


def _unwrap_single(data: Any) -> Any:
    # A single object wrapped in a one-item list is still that object.
    if isinstance(data, list) and len(data) == 1:
        return data[0]
    return data


def _secrets_in(fields: Mapping[str, Any]) -> Iterable[str]:
    return [str(fields[name]) for name in SECRET_FIELDS if fields.get(name)]
