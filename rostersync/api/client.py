"""The iAdvize operator endpoints as Python methods.

HTTP, retries and error translation live in :mod:`rostersync.api.transport`; this
module knows the resources: which path, which parameters, how to read the reply.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Protocol, TypeVar

from rostersync.api.errors import NotFoundError
from rostersync.api.forms import form_pairs
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
from rostersync.api.transport import Transport
from rostersync.api.values import to_int

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
    """

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

        Without ``full`` an item may hold nothing but its id.
        """
        params = _filter_params(filters)
        if full:
            params["full"] = 1
        return self._list("/operator", params, "list operators", parse_operator)

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

    # --- pages -------------------------------------------------------------------

    def _list(self, path: str, params: dict[str, Any], action: str, parse: Callable[[Any], T]) -> list[T]:
        """Every item of every page, in page order.

        Page 1 tells how many pages there are; the others are fetched in parallel.
        """
        first = self._get_page(path, params, 1, action)
        pages = self._page_count(first, path, action)
        results = [self._parse_page(first, 1, path, action, parse)]
        if pages > 1:
            results.extend(self._fetch_pages(path, params, range(2, pages + 1), action, parse))
        return _dedupe([item for page in results for item in page], action)

    def _fetch_pages(
        self, path: str, params: dict[str, Any], numbers: range, action: str, parse: Callable[[Any], T]
    ) -> list[list[T]]:
        def fetch(number: int) -> list[T]:
            reply = self._get_page(path, params, number, action)
            return self._parse_page(reply, number, path, action, parse)

        workers = min(self._page_workers, len(numbers))
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="rostersync-page") as pool:
            futures: list[Future[list[T]]] = [pool.submit(fetch, number) for number in numbers]
            try:
                return [future.result() for future in futures]  # page order, whatever finished first
            except BaseException:
                for future in futures:
                    future.cancel()  # the first error is enough: skip pages not yet started
                raise

    def _get_page(self, path: str, params: dict[str, Any], number: int, action: str) -> Reply:
        query = form_pairs({**params, "limit": PAGE_LIMIT, "page": number})
        return self._transport.request("GET", path, action=f"{action} (page {number})", query=query)

    def _page_count(self, reply: Reply, path: str, action: str) -> int:
        pagination = reply.envelope.get("pagination")
        if pagination is None:
            return 1  # not paginated: everything came at once
        try:
            if not isinstance(pagination, Mapping):
                raise ValueError
            return max(1, to_int(pagination.get("pages", 1)))
        except ValueError:
            raise unexpected_reply("GET", path, action, reply.status,
                                   f"pagination is {pagination!r}, expected an object with 'pages'") from None

    def _parse_page(self, reply: Reply, number: int, path: str, action: str, parse: Callable[..., T]) -> list[T]:
        items = _items_of(reply.data)
        if items is None:
            raise unexpected_reply("GET", path, action, reply.status,
                                   f"page {number}: 'data' is {type(reply.data).__name__}, expected a list")
        records: list[T] = []
        for index, item in enumerate(items):
            try:
                records.append(parse(item, redact=self._transport.redactor))
            except RecordError as exc:
                raise unexpected_reply(
                    "GET", path, action, reply.status, f"page {number}, item {index}: {exc}"
                ) from None
        return records

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


def _items_of(data: Any) -> list[Any] | None:
    if data is None:
        return []
    if isinstance(data, list):
        return data
    if isinstance(data, Mapping):
        # PHP json_encode renders an empty array as [] but a sparse one as an object.
        return list(data.values()) if all(str(key).isdigit() for key in data) else None
    return None


def _dedupe(records: list[T], action: str) -> list[T]:
    """Drop an item seen on an earlier page (the list moved while it was read)."""
    seen: set[int] = set()
    unique: list[T] = []
    for record in records:
        if record.id in seen:
            logger.warning("%s: id %d appeared on two pages; kept the first", action, record.id)
            continue
        seen.add(record.id)
        unique.append(record)
    return unique


def _secrets_in(fields: Mapping[str, Any]) -> Iterable[str]:
    return [str(fields[name]) for name in SECRET_FIELDS if fields.get(name)]
