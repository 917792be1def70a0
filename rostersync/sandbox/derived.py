"""Statistic and profile of an operator: believable values, the same on every run.

The sandbox has no conversations to count, so both resources are derived from the
operator's id (and name, for the profile) through a ``random.Random`` seeded with a
string: string seeds do not depend on ``PYTHONHASHSEED``, so the values are stable.
"""

from __future__ import annotations

import random
import unicodedata
from collections.abc import Mapping
from typing import Any

__all__ = ["operator_profile", "operator_statistic"]

# (statuses, descriptions) by the language of the operator's admin interface.
_TEXTS_BY_LANGUAGE: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "fr": (
        ("Je suis disponible pour vous aider", "À votre écoute du lundi au vendredi",
         "Conseils personnalisés, réponse rapide"),
        ("Passionné par la menuiserie depuis plusieurs années, j'aime vous apporter "
         "des conseils.",
         "Spécialiste des livraisons et des retours, je trouve toujours une solution.",
         "Ancienne vendeuse en boutique, je vous conseille comme en magasin."),
    ),
    "en": (
        ("Happy to help!", "Ask me anything about your order", "Here for you, 9 to 5"),
        ("Ten years in customer care; I know our catalogue inside out.",
         "I help you choose the right product and follow your order to your door.",
         "Former shop assistant: I advise you online as I would in store."),
    ),
}

# Where people work, by the language of their admin interface.
_PLACES_BY_LANGUAGE = {
    "fr": (("Nantes", "France"), ("Paris", "France"), ("Lyon", "France"),
           ("Bordeaux", "France"), ("Montréal", "Canada"), ("Bruxelles", "Belgique")),
    "en": (("London", "United Kingdom"), ("Manchester", "United Kingdom"),
           ("Dublin", "Ireland"), ("Edinburgh", "United Kingdom")),
    "de": (("Berlin", "Deutschland"), ("Hamburg", "Deutschland"), ("Wien", "Österreich")),
    "es": (("Madrid", "España"), ("Barcelona", "España"), ("Sevilla", "España")),
}


def operator_statistic(operator_id: int) -> dict[str, Any]:
    """The documented ``GET /operator/{id}/statistic`` object."""
    rng = random.Random(f"statistic:{operator_id}")
    conversations = rng.randint(40, 2500)
    return {
        "id": operator_id,
        "conversation_number": conversations,
        "satisfaction_global_rate": round(rng.uniform(0.72, 0.98), 2),
        "experience": conversations * rng.randint(6, 12),
        "_link": f"/operator/{operator_id}/statistic",
    }


def operator_profile(operator_id: int, operator: Mapping[str, Any]) -> dict[str, Any]:
    """The documented ``GET /operator/{id}/profile`` object."""
    rng = random.Random(f"profile:{operator_id}")
    language = operator.get("language_admin") or "en"
    statuses, descriptions = _TEXTS_BY_LANGUAGE.get(language, _TEXTS_BY_LANGUAGE["en"])
    places = _PLACES_BY_LANGUAGE.get(language, _PLACES_BY_LANGUAGE["en"])
    city, country = rng.choice(places)
    return {
        "user_id": operator_id,
        "status": rng.choice(statuses),
        "description": rng.choice(descriptions),
        "facebook": _facebook_handle(operator, operator_id),
        "twitter": _twitter_handle(operator, operator_id),
        "city": city,
        "country": country,
        "_link": f"/operator/{operator_id}/profile",
    }


def _facebook_handle(operator: Mapping[str, Any], operator_id: int) -> str:
    """``first.last`` in plain ASCII, as people pick them; the id when there is no name."""
    words = [operator.get("first_name") or "", operator.get("name") or ""]
    parts = [_ascii_slug(word) for word in words if _ascii_slug(word)]
    return ".".join(parts) if parts else f"operator.{operator_id}"


def _twitter_handle(operator: Mapping[str, Any], operator_id: int) -> str:
    """``first_last``: letters, digits and ``_``, at most 15 characters, as Twitter allows."""
    words = [_ascii_slug(operator.get(key) or "") for key in ("first_name", "name")]
    handle = "_".join(word for word in words if word) or f"operator{operator_id}"
    return handle[:15]


def _ascii_slug(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return "".join(char for char in plain.lower() if char.isalnum())
