"""Panel decisions and grant offers, through the workflow engine.

An approval is the engine's ``approve`` step (its guard checks the caps, its effect creates
the grant and commits the amount against the round's envelope under the round's row lock)
followed at once by ``make_offer`` (the offer's expiry starts and the applicant is told),
in one transaction: either both happen or neither.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from applicants.models import Application, ApplicationStatus
from applicants.workflow import application_transition, transition_problems
from reviews.services.panel import panel_may_decide_or_raise
from subsidy.platform.errors import DomainError
from subsidy.platform.money import money
from subsidy.scheme.models import Grant


class Decision:
    APPROVE = "approve"
    REJECT = "reject"
    WAITLIST = "waitlist"
    ALL = (APPROVE, REJECT, WAITLIST)


@transaction.atomic
def application_approve(*, actor, application: Application, amount: Decimal,
                        conditions: str = "", exceptional_justification: str = "") -> Grant:
    """Approve with an amount and conditions and send the offer. Refused, with nothing
    changed, when the amount breaks a cap (``ProblemsError`` naming each reason) or does not
    fit in what is left of the round's envelope (``envelope_exhausted``), and from a panel
    member who has not declared their interests or is recused."""
    panel_may_decide_or_raise(actor=actor, application=application)
    application_transition(actor=actor, application=application, transition_name="approve",
                           amount=amount, conditions=conditions,
                           exceptional_justification=exceptional_justification)
    # The offer follows the approval automatically: the system sends it.
    application_transition(actor=None, application=application, transition_name="make_offer")
    return Grant.objects.get(application_id=application.pk)


def application_reject(*, actor, application: Application, reason: str) -> Application:
    """Reject with a reason; the applicant sees the reason."""
    panel_may_decide_or_raise(actor=actor, application=application)
    return application_transition(actor=actor, application=application,
                                  transition_name="reject", reason=reason)


def application_waitlist(*, actor, application: Application, reason: str = "") -> Application:
    """Put on the reserve list; it can be approved later when money frees up."""
    panel_may_decide_or_raise(actor=actor, application=application)
    return application_transition(actor=actor, application=application,
                                  transition_name="waitlist", reason=reason)


TRANSITION_FOR = {Decision.APPROVE: "approve", Decision.REJECT: "reject",
                  Decision.WAITLIST: "waitlist"}


def _payload(decision: str, *, amount, conditions: str, reason: str,
             exceptional_justification: str) -> dict:
    if decision == Decision.APPROVE:
        return {"amount": amount, "conditions": conditions,
                "exceptional_justification": exceptional_justification}
    return {"reason": reason}


def decision_problems(*, actor, application: Application, decision: str, amount=None,
                      conditions: str = "", reason: str = "",
                      exceptional_justification: str = "") -> list[tuple[str | None, str]]:
    """What would refuse this decision now, each as ``(field, message)``, asked before the
    check page so the panel confirms only a decision that can be taken: the member's
    declaration, the application's state, the caps and the reason. The envelope is
    checked, under its lock, when the decision is taken."""
    if decision not in Decision.ALL:
        return [("decision", _("Choose a decision."))]
    try:
        panel_may_decide_or_raise(actor=actor, application=application)
    except DomainError as exc:
        return [(None, exc.message)]
    return transition_problems(
        actor=actor, application=application, transition_name=TRANSITION_FOR[decision],
        **_payload(decision, amount=amount, conditions=conditions, reason=reason,
                   exceptional_justification=exceptional_justification))


def decision_take(*, actor, application: Application, decision: str, amount=None,
                  conditions: str = "", reason: str = "",
                  exceptional_justification: str = "") -> str:
    """Take one decision by the service for it; returns what happened, in words."""
    if decision == Decision.APPROVE:
        grant = application_approve(actor=actor, application=application, amount=amount,
                                    conditions=conditions,
                                    exceptional_justification=exceptional_justification)
        return _("Approved: an offer of HK$%(amount)s has been sent.") % {
            "amount": money(grant.approved_amount, currency=False)}
    if decision == Decision.REJECT:
        application_reject(actor=actor, application=application, reason=reason)
        return _("Rejected.")
    if decision == Decision.WAITLIST:
        application_waitlist(actor=actor, application=application, reason=reason)
        return _("Put on the reserve list.")
    raise DomainError(_("Choose a decision."), field="decision")


@dataclass(frozen=True)
class BulkRow:
    """One application's decision in a bulk: its own amount, conditions and reason."""

    application_id: int
    decision: str
    amount: Decimal | None = None
    conditions: str = ""
    reason: str = ""


@dataclass(frozen=True)
class BulkResult:
    application: Application
    ok: bool
    message: str
    problems: tuple = ()


def _problem_message(exc: DomainError) -> tuple[str, tuple]:
    problems = tuple(getattr(exc, "problems", None) or [(exc.field, exc.message)])
    return " ".join(str(m) for _f, m in problems), problems


def bulk_each(rows: list[BulkRow], applications: dict, take) -> list[BulkResult]:
    """Take each row with ``take(application, row)`` (returning what happened, in words),
    each in its own transaction, so one refusal leaves the others decided and that row
    as it was; a result per row, in the order of the rows."""
    results = []
    for row in rows:
        application = applications.get(row.application_id)
        if application is None:
            continue
        try:
            with transaction.atomic():
                message = take(application, row)
        except DomainError as exc:
            message, problems = _problem_message(exc)
            results.append(BulkResult(application=application, ok=False, message=message,
                                      problems=problems))
        else:
            results.append(BulkResult(application=application, ok=True, message=message))
    return results


def decisions_bulk(*, actor, rows: list[BulkRow]) -> list[BulkResult]:
    """A decision per row, each with its own amount and conditions, each in its own
    transaction (``bulk_each``): a refusal (a cap, the envelope, a changed state) is
    reported on its row and leaves the others decided."""
    applications = {a.pk: a for a in Application.objects.filter(
        pk__in=[r.application_id for r in rows]).select_related("round", "organisation")}
    return bulk_each(rows, applications, lambda application, row: decision_take(
        actor=actor, application=application, decision=row.decision, amount=row.amount,
        conditions=row.conditions, reason=row.reason))


def offers_lapse_expired(*, now=None) -> int:
    """Let every offer past its expiry lapse, through the engine as the system; each one
    releases its commitment. Running it again finds nothing more to do; an offer accepted
    in the meantime is left alone. Returns the number of offers that lapsed."""
    now = now or timezone.now()
    expired = (Application.objects.filter(status=ApplicationStatus.OFFERED,
                                          grant__status=Grant.Status.OFFERED,
                                          grant__offer_expires_at__lte=now)
               .order_by("pk"))
    lapsed = 0
    for application in expired:
        try:
            application_transition(actor=None, application=application,
                                   transition_name="lapse_offer")
        except DomainError:
            continue
        lapsed += 1
    return lapsed
