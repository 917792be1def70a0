"""`--api rest|graphql`, and what each backend can express.

Kept apart from `connection.py` so that `validate` (which checks a roster against a
backend's capabilities but sends nothing) does not import the HTTP client.
"""

from __future__ import annotations

import click

from rostersync.capabilities import REST_CAPABILITIES, Capabilities

__all__ = ["API_CHOICES", "api_option", "capabilities_for"]

API_CHOICES = ("rest", "graphql")

api_option = click.option(
    "--api", type=click.Choice(API_CHOICES, case_sensitive=False), default="rest", show_default=True,
    help="Which iAdvize API: rest (every field) or graphql (the Users API; no sso_key, no expert role, "
         "one role per operator).")


def capabilities_for(api: str) -> Capabilities:
    """What the backend `api` names can express; the GraphQL one is imported only when asked for."""
    if api.lower() == "graphql":
        from rostersync.api.graphql import CAPABILITIES

        return CAPABILITIES
    return REST_CAPABILITIES
