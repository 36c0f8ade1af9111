"""What a step of the lifecycle is: its source states, its target, who may take it, its
guard (the problems that refuse it, none when it may be taken) and its effects (what
follows, in order, inside the same transaction)."""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from applicants.models import Application
from subsidy.platform.permissions import can


@dataclass(frozen=True)
class TransitionContext:
    actor: Any
    application: Application
    transition: "Transition"
    source: str
    payload: dict


Problems = list[tuple[str | None, str]]
Guard = Callable[[TransitionContext], Problems]
Effect = Callable[[TransitionContext], None]
Who = str | Callable[[Any, Application], bool]


def always(ctx: TransitionContext) -> Problems:
    return []


@dataclass(frozen=True)
class Transition:
    name: str
    sources: frozenset[str]
    target: str
    who: tuple[Who, ...]
    label: Any
    guard: Guard = always
    effects: tuple[Effect, ...] = field(default_factory=tuple)
    # Parts a higher layer must register effects for (``transition_effect_register``'s
    # ``part``): without them the step would succeed while, say, the grant stays behind.
    requires: frozenset[str] = frozenset()

    def allows(self, actor, application: Application) -> bool:
        """True when ``actor`` (None for the system itself) may take this step."""
        for who in self.who:
            if isinstance(who, str):
                if actor is not None and can(actor, who, application):
                    return True
            elif who(actor, application):
                return True
        return False


def system(actor, application) -> bool:
    """Scheduled jobs and other transitions' effects act as the system (no actor)."""
    return actor is None
