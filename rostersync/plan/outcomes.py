"""What apply reports: one `Outcome` per change, gathered in an `ApplyReport`.

Plain values, apart from the machinery that makes them (`rostersync.plan.apply`):
the renderers read them without importing the thread pool.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from rostersync.plan.changes import Change

Status = Literal["done", "failed", "not started"]


@dataclass(frozen=True)
class Outcome:
    change: Change
    status: Status
    detail: str  # what happened, for a person: "created #12", or why it failed
    created_id: int | None = None  # the id a create made (or adopted), even when its check then failed

    @property
    def id(self) -> int | None:
        """The operator's id: the one the change names, or the one its create made; None if none was."""
        return self.change.id if self.change.id is not None else self.created_id

    @property
    def ok(self) -> bool:
        return self.status == "done"


@dataclass(frozen=True)
class ApplyReport:
    outcomes: tuple[Outcome, ...]  # in plan order
    interrupted: bool = False

    def with_status(self, status: Status) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == status]

    @property
    def ok(self) -> bool:
        return all(o.ok for o in self.outcomes) and not self.interrupted

    def summary_line(self) -> str:
        done = self.with_status("done")
        counts = {"create": 0, "update": 0, "delete": 0}
        for outcome in done:
            counts[outcome.change.action] += 1
        text = (f"Apply {'interrupted' if self.interrupted else 'complete'}: {counts['create']} created, "
                f"{counts['update']} updated, {counts['delete']} deleted")
        failed, skipped = len(self.with_status("failed")), len(self.with_status("not started"))
        if failed:
            text += f", {failed} failed"
        if skipped:
            text += f", {skipped} not started"
        return text + "."
