"""A package's public names, each imported from its module on first use (PEP 562).

`rostersync` and `rostersync.api` both list theirs this way, so that importing them
(which every command does) loads none of the modules behind the names.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["lazy_exports"]


def lazy_exports(namespace: dict[str, Any], exports: Mapping[str, str],
                 ) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """The ``__getattr__`` and ``__dir__`` of the module whose globals are `namespace`:
    a name of `exports` (name -> the module defining it) is imported on first use and
    kept in `namespace` for the next one."""
    package = namespace["__name__"]

    def load(name: str) -> Any:
        module = exports.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module), name)
        namespace[name] = value
        return value

    def listing() -> list[str]:
        return sorted({*namespace, *namespace["__all__"]})

    return load, listing
