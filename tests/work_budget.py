"""Work measured without a clock: how many Python calls an action makes (a test that
times itself fails on a busy machine and passes on a fast one whatever the code does)."""

from __future__ import annotations

import sys
from collections.abc import Callable


class WorkBudgetExceeded(Exception):
    pass


def python_calls(action: Callable[[], object], budget: int) -> int:
    """How many Python function calls `action` makes; WorkBudgetExceeded past `budget`.

    A measure of work that does not depend on the machine's speed: loading the whole
    example roster takes a few thousand calls.
    """
    calls = 0

    def count(frame: object, event: str, arg: object) -> None:
        nonlocal calls
        if event == "call":
            calls += 1
            if calls > budget:
                raise WorkBudgetExceeded(f"more than {budget} Python calls")

    sys.setprofile(count)
    try:
        action()
    finally:
        sys.setprofile(None)
    return calls
