"""Reading a paginated listing whole, and refusing one that cannot be trusted.

A plan deletes what the listing does not hold, so a listing is used only if it is
complete and consistent; otherwise :class:`UnexpectedResponseError` says why, and
nothing is made from it.  Page 1 announces ``pagination.pages`` and ``count``; the
other pages are then fetched in parallel.  Refused:

- more than :data:`MAX_PAGES` pages or :data:`MAX_LISTED` items announced or listed,
  or more pages than the count needs (``ceil(count / page size)`` plus
  :data:`PAGE_SLACK`): a server announcing a billion pages is not walked;
- a page that answers another page number, is empty before the end, or is not as
  long as page 1 before the last; a count or page total that changes between pages;
  fewer or more items in all than the count announced (the listing ended early);
- an id listed twice (the server ignores ``page``, or the account changed while it
  was read: running again is the cure), and, for operators, two with one email
  (compared case-insensitively): nothing tells which one a roster means.

Ids are positive integers, which :mod:`rostersync.api.records` checks item by item.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

from rostersync.api.errors import UnexpectedResponseError
from rostersync.api.records import RecordError
from rostersync.api.replies import Reply, unexpected_reply
from rostersync.api.values import InvalidValue, to_int

__all__ = ["MAX_LISTED", "MAX_PAGES", "PAGE_SLACK", "check_unique_emails", "read_listing"]

MAX_PAGES = 2_000  # at 100 a page, MAX_LISTED operators
MAX_LISTED = 200_000  # items in one listing: far more operators than any account has
PAGE_SLACK = 1  # pages announced beyond what the count needs (an off-by-one server)


class _HasId(Protocol):
    @property
    def id(self) -> int: ...


T = TypeVar("T", bound=_HasId)


@dataclass(frozen=True)
class _Page(Generic[T]):
    number: int
    status: int
    items: list[T]
    pages: int | None  # as announced in the reply's pagination, if at all
    count: int | None
    page: int | None


class _Reader(Generic[T]):
    def __init__(self, fetch: Callable[[int], Reply], parse: Callable[[Any], T], path: str, action: str) -> None:
        self.fetch, self.parse, self.path, self.action = fetch, parse, path, action

    def page(self, number: int) -> _Page[T]:
        reply = self.fetch(number)
        pages, count, page = self._pagination(reply, number)
        items = _items_of(reply.data)
        if items is None:
            raise self.shape(reply.status, f"page {number}: 'data' is {type(reply.data).__name__}, expected a list")
        if len(items) > MAX_LISTED:
            raise self.refuse(reply.status, f"page {number} holds {len(items)} items, more than the {MAX_LISTED} "
                                            "rostersync reads of one listing (MAX_LISTED)")
        records: list[T] = []
        for index, item in enumerate(items):
            try:
                records.append(self.parse(item))
            except RecordError as exc:
                raise self.shape(reply.status, f"page {number}, item {index}: {exc}") from None
        return _Page(number, reply.status, records, pages, count, page)

    def _pagination(self, reply: Reply, number: int) -> tuple[int | None, int | None, int | None]:
        pagination = reply.envelope.get("pagination")
        if pagination is None:
            return None, None, None  # not paginated: everything came at once
        try:
            if not isinstance(pagination, Mapping):
                raise InvalidValue("not an object")
            values = [_count_or_none(pagination.get(key)) for key in ("pages", "count", "page")]
        except InvalidValue:
            shown = repr(pagination)
            shown = shown if len(shown) <= 120 else shown[:117] + "..."
            raise self.shape(reply.status, f"page {number}: pagination is {shown}, expected an object with "
                                           "'pages' and 'count' (integers, 0 or more)") from None
        return values[0], values[1], values[2]

    def shape(self, status: int | None, problem: str) -> UnexpectedResponseError:
        return unexpected_reply("GET", self.path, self.action, status, problem)

    def refuse(self, status: int | None, problem: str) -> UnexpectedResponseError:
        message = (f"{self.action} (GET {self.path}): {problem}. The listing cannot be trusted, so it is not "
                   "used: run again (the account may have changed while it was read); if it persists, check "
                   "--base-url, or report it")
        return UnexpectedResponseError(message, method="GET", path=self.path, status=status)


def read_listing(fetch: Callable[[int], Reply], parse: Callable[[Any], T], *, path: str, action: str,
                 workers: int) -> list[T]:
    """Every item of every page, in page order; ``fetch(n)`` gets page ``n``."""
    reader = _Reader(fetch, parse, path, action)
    first = reader.page(1)
    pages = _pages_to_read(reader, first)
    results = [first]
    if pages > 1:
        results.extend(_fetch_parallel(reader, range(2, pages + 1), workers, first))
    _check_unique_ids(reader, results)
    _check_total(reader, results)
    return [item for page in results for item in page.items]


def _pages_to_read(reader: _Reader[T], first: _Page[T]) -> int:
    announced = max(1, first.pages or 1)
    if announced > MAX_PAGES:
        raise reader.refuse(first.status, f"the server announced {announced} pages, more than the {MAX_PAGES} "
                                          "rostersync reads of one listing (MAX_PAGES)")
    if first.count is not None and first.count > MAX_LISTED:
        raise reader.refuse(first.status, f"the server announced {first.count} items, more than the {MAX_LISTED} "
                                          "rostersync reads of one listing (MAX_LISTED)")
    if announced > 1 and not first.items:
        raise reader.refuse(first.status, f"page 1 is empty, yet {announced} pages are announced")
    if announced > 1 and first.count is not None:
        needed = max(1, math.ceil(first.count / len(first.items)))
        if announced > needed + PAGE_SLACK:
            raise reader.refuse(first.status, f"the server announced {announced} pages for {first.count} items "
                                              f"at {len(first.items)} a page, which need {needed}")
    return announced


def _fetch_parallel(reader: _Reader[T], numbers: range, workers: int, first: _Page[T]) -> list[_Page[T]]:
    def fetch(number: int) -> _Page[T]:
        page = reader.page(number)
        _check_page(reader, page, first, last=numbers[-1])
        return page

    with ThreadPoolExecutor(max_workers=max(1, min(workers, len(numbers))),
                            thread_name_prefix="rostersync-page") as pool:
        futures: list[Future[_Page[T]]] = [pool.submit(fetch, number) for number in numbers]
        try:
            pages: list[_Page[T]] = []
            listed = len(first.items)
            for future in futures:  # page order, whatever finished first
                pages.append(future.result())
                listed += len(pages[-1].items)
                if listed > MAX_LISTED:
                    raise reader.refuse(pages[-1].status, f"more than {MAX_LISTED} items are listed, the most "
                                                          "rostersync reads of one listing (MAX_LISTED)")
            return pages
        except BaseException:
            for future in futures:
                future.cancel()  # the first error is enough: skip pages not yet started
            raise


def _check_page(reader: _Reader[T], page: _Page[T], first: _Page[T], *, last: int) -> None:
    number, size = page.number, len(first.items)
    if page.page is not None and page.page != number:
        raise reader.refuse(page.status, f"asked for page {number}, the server answered page {page.page}: "
                                         "it does not follow the 'page' parameter")
    for name, value, on_first in (("count", page.count, first.count), ("pages", page.pages, first.pages)):
        if value is not None and on_first is not None and value != on_first:
            raise reader.refuse(page.status, f"the announced {name} changed while the listing was read "
                                             f"({on_first} on page 1, {value} on page {number})")
    if not page.items:
        raise reader.refuse(page.status, f"page {number} of {last} is empty: the listing ended early")
    if len(page.items) > size or (number < last and len(page.items) != size):
        raise reader.refuse(page.status, f"page {number} of {last} holds {len(page.items)} items where page 1 "
                                         f"holds {size}")


def _check_total(reader: _Reader[T], pages: Sequence[_Page[T]]) -> None:
    count = pages[0].count
    listed = sum(len(page.items) for page in pages)
    if count is not None and listed != count:
        ended = "ended early" if listed < count else "holds more than it said"
        raise reader.refuse(pages[-1].status, f"the server announced {count} items but listed {listed}: "
                                              f"the listing {ended}")


def _check_unique_ids(reader: _Reader[T], pages: Sequence[_Page[T]]) -> None:
    seen: dict[int, int] = {}  # id -> the page it was first listed on
    first_ids = [item.id for item in pages[0].items]
    for page in pages:
        ids = [item.id for item in page.items]
        if page.number > 1 and ids and ids == first_ids[: len(ids)]:
            raise reader.refuse(page.status, f"page {page.number} lists the same ids as page 1: the server "
                                             "ignores the 'page' parameter")
        for item_id in ids:
            if item_id in seen:
                where = seen[item_id]
                on = f"twice on page {where}" if where == page.number else f"on page {where} and page {page.number}"
                raise reader.refuse(page.status, f"id {item_id} is listed {on}")
            seen[item_id] = page.number


class _HasEmail(_HasId, Protocol):
    @property
    def fields(self) -> Mapping[str, Any]: ...


def check_unique_emails(records: Iterable[_HasEmail], *, path: str, action: str, method: str = "GET") -> None:
    """Two operators with one email (compared case-insensitively) make a listing useless
    to match a roster against: refuse it, naming both."""
    seen: dict[str, int] = {}
    for record in records:
        email = record.fields.get("email")
        if not isinstance(email, str) or not email.strip():
            continue
        key = email.strip().lower()
        other = seen.setdefault(key, record.id)
        if other != record.id:
            shown = email if len(email) <= 80 else email[:77] + "..."
            message = (f"{action} ({method} {path}): operators #{other} and #{record.id} have the same email "
                       f"{shown!r} (compared case-insensitively), so nothing tells which one a roster means: "
                       "change or delete one of them on the account, then run again")
            raise UnexpectedResponseError(message, method=method, path=path)


def _count_or_none(value: Any) -> int | None:
    if value is None:
        return None
    number = to_int(value)
    if number < 0:
        raise InvalidValue("expected 0 or more")
    return number


def _items_of(data: Any) -> list[Any] | None:
    if data is None:
        return []
    if isinstance(data, list):
        return data
    if isinstance(data, Mapping):
        # PHP json_encode renders an empty array as [] but a sparse one as an object.
        return list(data.values()) if all(str(key).isdigit() for key in data) else None
    return None
