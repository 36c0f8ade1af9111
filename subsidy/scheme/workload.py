"""The programme office's work waiting, queue by queue, for the officer's dashboard.

The queues live in higher layers (screening and reviews in ``reviews``, claims in
``subsidy.finance``): each registers a source when Django starts, and the dashboard asks
every registered source in the order given. A source answers one ``WorkQueue``: how many
items wait and the oldest few, each with the time it has waited since and a link."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from django.utils import timezone

# How many of the oldest items each queue shows on the dashboard.
OLDEST_SHOWN = 5


@dataclass(frozen=True)
class WaitingItem:
    label: str
    url: str
    since: datetime
    detail: str = ""

    @property
    def days_waiting(self) -> int:
        return max((timezone.now() - self.since).days, 0)


@dataclass(frozen=True)
class WorkQueue:
    code: str
    label: str
    count: int
    url: str
    items: list[WaitingItem] = field(default_factory=list)
    # Items count their age from a due date passed (overdue), not from when they arrived.
    overdue: bool = False

    @property
    def oldest_days(self) -> int | None:
        return self.items[0].days_waiting if self.items else None


_sources: dict[str, tuple[int, Callable[[], WorkQueue]]] = {}


def workload_source_register(*, code: str, order: int, source: Callable[[], WorkQueue]) -> None:
    """``source()`` answers one queue of the officer's work; registering a code again
    replaces its source."""
    _sources[code] = (order, source)


def officer_workload() -> list[WorkQueue]:
    """Every registered queue, in the order of the lifecycle."""
    return [source() for _order, source in sorted(_sources.values(), key=lambda s: s[0])]
