"""Submitting, resubmitting and withdrawing: the applicant's steps of the lifecycle. The
rules themselves are in ``applicants.workflow`` (guards and effects) and
``applicants.checks``."""

from applicants.models import Application, ApplicationStatus
from applicants.workflow import application_transition
from subsidy.platform.errors import DomainError
from subsidy.platform.permissions import Action, require


def application_submit(*, actor, application: Application,
                       repeat_is_success: bool = True) -> Application:
    """Submit a draft: every check of DOMAIN.md must pass (``ProblemsError`` lists each
    failure and the draft stays as it was); the application gets its round's next
    reference, its content is frozen as a version, and the members get a receipt and the
    programme officers a notice through the outbox.

    Submitting again what is already submitted (a double click) changes nothing and
    returns the application with its one reference; with ``repeat_is_success=False`` (the
    API, whose clients retry with an idempotency key instead) it is refused like any other
    step the status does not allow (``invalid_transition``)."""
    try:
        return application_transition(actor=actor, application=application,
                                      transition_name="submit")
    except DomainError as refused:
        if refused.code != "invalid_transition" or not repeat_is_success:
            raise
        current = Application.objects.get(pk=application.pk)
        if current.status != ApplicationStatus.SUBMITTED:
            raise
        require(actor, Action.SUBMIT_APPLICATION, current)
        application.refresh_from_db()
        return current


def application_resubmit(*, actor, application: Application) -> Application:
    """Answer a request for information: the checks run again (except the round's closing
    time) and what is sent becomes a new version."""
    return application_transition(actor=actor, application=application,
                                  transition_name="resubmit")


def application_withdraw(*, actor, application: Application, reason: str = "") -> Application:
    """Withdraw an application before a decision; its place in the round is freed."""
    return application_transition(actor=actor, application=application,
                                  transition_name="withdraw", reason=reason)
