"""The GraphQL backend's two additions to the API error tree of :mod:`rostersync.api.errors`.

::

    ApiError
     ├── ConfigError ...               (as for REST: bad URL, no credentials)
     ├── AuthError                     login refused, token refused and not renewable,
     │                                 PERMISSION_DENIED
     ├── RejectedError
     │    └── UserErrorsError          a mutation answered ``userErrors``: that one
     │                                 change failed, with the API's messages
     ├── SchemaMismatchError           the live schema differs from what the documents
     │                                 assume: raised before anything is written
     └── ... (TransportError, OutcomeUnknownError, NotFoundError, RateLimitedError,
              ServerError, UnexpectedResponseError: as for REST)

Every message names what was attempted and what the server said; neither the
password nor a token is ever part of one.
"""

from __future__ import annotations

from collections.abc import Sequence

from rostersync.api.errors import ApiError, RejectedError

__all__ = ["SchemaMismatchError", "UserErrorsError"]


class UserErrorsError(RejectedError):
    """A mutation's payload listed ``userErrors``; ``user_errors`` holds ``(typename, message)``."""

    def __init__(self, message: str, *, user_errors: Sequence[tuple[str, str]], attempts: int = 0) -> None:
        super().__init__(message, method="POST", path="/graphql", status=200,
                         server_message="; ".join(text for _, text in user_errors), attempts=attempts)
        self.user_errors = tuple(user_errors)


class SchemaMismatchError(ApiError):
    """The live schema does not accept a document or variables rostersync would send.

    ``problems`` are graphql-core's messages, each naming the field, argument or
    type concerned. Raised by the schema check, before the first write.
    """

    def __init__(self, problems: Sequence[str]) -> None:
        listed = "".join(f"\n  - {problem}" for problem in problems)
        super().__init__(
            "the live GraphQL schema does not match what rostersync assumes "
            "(rostersync/api/graphql/documents.py), so nothing was written:" + listed
            + "\nreport this to the rostersync maintainers; the REST API (--api rest) still works"
        )
        self.problems = tuple(problems)
