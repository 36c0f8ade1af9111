"""The application lifecycle of DOMAIN.md: one table of transitions (``table``) and one
service that performs them (``engine.application_transition``).

Each ``Transition`` names its source states, its target, who may take it (a permission
``Action`` or a predicate on the actor), its guard and its effects (``effects``).
``application_transition`` is the only code that changes a status: the model refuses
status writes made anywhere else. Higher layers add effects to a step with
``transition_effect_register``.
"""

from applicants.workflow.effects import SUBMITTED_PARTS, application_created_publish
from applicants.workflow.engine import (
    application_transition,
    available_transitions,
    bulk_load,
    transition_problems,
)
from applicants.workflow.status import (
    ASSESSMENT_STATUSES,
    BEFORE_DECISION,
    PUBLIC_STATUS,
    UNDER_ASSESSMENT,
    public_status,
    public_status_code,
    public_steps_ahead,
    public_timeline,
    transition_note,
)
from applicants.workflow.table import (
    CLOSURE,
    GRANT,
    SIGNATURE,
    TRANSITIONS,
    TRANSITIONS_BY_NAME,
    UnregisteredEffectError,
    transition_effect_register,
    transition_effects,
)
from applicants.workflow.transition import Transition, TransitionContext, system

__all__ = [
    "ASSESSMENT_STATUSES", "BEFORE_DECISION", "CLOSURE", "GRANT", "PUBLIC_STATUS", "SIGNATURE",
    "SUBMITTED_PARTS", "TRANSITIONS", "TRANSITIONS_BY_NAME", "UNDER_ASSESSMENT", "Transition",
    "TransitionContext", "UnregisteredEffectError", "application_created_publish",
    "application_transition", "available_transitions", "bulk_load", "public_status",
    "public_status_code", "public_steps_ahead", "public_timeline", "system",
    "transition_effect_register", "transition_effects", "transition_note",
    "transition_problems",
]
