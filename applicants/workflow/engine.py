"""The one service that changes an application's status: ``application_transition`` takes a
step of the table, with its guard and every effect, in one transaction under the row lock.
The model refuses status writes made anywhere else."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from applicants.errors import ProblemsError
from applicants.models import Application, StatusChange, status_gate_open
from applicants.workflow.status import public_status, transition_note
from applicants.workflow.table import TRANSITIONS, TRANSITIONS_BY_NAME, transition_effects
from applicants.workflow.transition import Transition, TransitionContext
from subsidy.platform.audit import actor_user, audit_record
from subsidy.platform.errors import DomainError, PermissionDeniedError

# Fields the engine may have changed on the locked row; copied back to the caller's object.
_ENGINE_FIELDS = ["status", "status_changed_at", "reference", "submitted_at", "updated_at"]


def application_transition(*, actor, application: Application, transition_name: str,
                           **payload) -> Application:
    """Take one step of the lifecycle, or change nothing.

    Locks the application row, then checks in order: the step exists, the actor may take
    it, the application is in one of its source states, and its guard finds no problem.
    Then it sets the new status, runs the step's effects (those higher layers registered
    first), records the status change and the audit event, all in one transaction;
    notifications leave through the outbox once the transaction commits. Raises
    ``PermissionDeniedError`` or ``DomainError`` (a ``ProblemsError`` listing every problem
    when the guard refuses), or ``UnregisteredEffectError`` when effects the step requires
    (``Transition.requires``) were never registered.
    """
    transition = TRANSITIONS_BY_NAME.get(transition_name)
    if transition is None:
        raise DomainError(_("This action does not exist."), code="unknown_transition")
    # A step whose required effects were never registered (the grant's, for activate,
    # complete and terminate) is refused before anything is locked or written.
    effects = transition_effects(transition)
    with transaction.atomic():
        locked = (Application.objects.select_for_update(of=("self",))
                  .select_related("round", "organisation").get(pk=application.pk))
        _may_take_or_raise(actor, locked, transition)
        source = locked.status
        ctx = TransitionContext(actor=actor, application=locked, transition=transition,
                                source=source, payload=payload)
        problems = transition.guard(ctx)
        if problems:
            raise ProblemsError(problems, code="guard")
        with status_gate_open():
            locked.status = transition.target
            locked.status_changed_at = timezone.now()
            locked.save(update_fields=["status", "status_changed_at", "updated_at"])
        for effect in effects:
            effect(ctx)
        note = transition_note(payload)
        StatusChange.objects.create(application=locked, transition=transition.name,
                                    from_status=source, to_status=transition.target,
                                    actor=actor_user(actor), note=note, at=locked.status_changed_at)
        audit_record(actor=actor, action=f"application.{transition.name}", obj=locked,
                     before={"status": source},
                     after={"status": transition.target, "reference": locked.reference,
                            "note": note})
    for name in _ENGINE_FIELDS:
        setattr(application, name, getattr(locked, name))
    application._status_as_loaded = locked.status
    return locked


def _may_take_or_raise(actor, application: Application, transition: Transition) -> None:
    if not transition.allows(actor, application):
        raise PermissionDeniedError(
            _("You may not take the step “%(step)s” on this application.")
            % {"step": transition.label})
    if application.status not in transition.sources:
        # Staff know the internal steps; applicants and partners see the public state.
        status = (application.get_status_display() if getattr(actor, "is_staff_role", False)
                  else public_status(application.status))
        raise DomainError(
            _("“%(step)s” is not possible while the application is “%(status)s”.")
            % {"step": transition.label, "status": status},
            code="invalid_transition")


def transition_problems(*, actor, application: Application, transition_name: str,
                        **payload) -> list[tuple[str | None, str]]:
    """What would refuse the step now, asked before a check page, without locking or
    writing: the actor, the state and the guard. A refusal only an effect can find (the
    round's envelope) shows when the step is taken."""
    transition = TRANSITIONS_BY_NAME.get(transition_name)
    if transition is None:
        return [(None, _("This action does not exist."))]
    try:
        _may_take_or_raise(actor, application, transition)
    except DomainError as exc:
        return [(None, exc.message)]
    return list(transition.guard(TransitionContext(
        actor=actor, application=application, transition=transition,
        source=application.status, payload=payload)))


def available_transitions(user, application: Application) -> list[Transition]:
    """The steps ``user`` may take on ``application`` now (guards are checked when the step
    is taken), so pages and the API offer no forbidden button."""
    return [t for t in TRANSITIONS
            if application.status in t.sources and t.allows(user, application)]


def bulk_load():
    """The one way round the engine: ``generate_volume`` writes load-test applications in
    their final states in bulk, with their status changes, instead of walking each one
    through its transitions. Nothing that serves users may use it."""
    return status_gate_open()
