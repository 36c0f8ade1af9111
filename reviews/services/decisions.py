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
from applicants.workflow import application_transition
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


@dataclass(frozen=True)
class BulkResult:
    application: Application
    ok: bool
    message: str


def decisions_bulk(*, actor, application_ids: list[int], decision: str,
                   reason: str = "") -> list[BulkResult]:
    """One decision over a selection. Each application is decided in its own transaction,
    so one refusal (a cap, the envelope, a changed state) leaves the others decided; the
    result says, per application, what happened. A bulk approval grants the amount each
    applicant requested, without conditions."""
    if decision not in Decision.ALL:
        raise DomainError(_("Choose a decision."), field="decision")
    if decision == Decision.REJECT and not (reason or "").strip():
        raise DomainError(_("Give the reason for the rejection; the applicants will see it."),
                          field="reason")
    applications = (Application.objects.filter(pk__in=application_ids)
                    .select_related("round", "organisation").order_by("reference", "pk"))
    results = []
    for application in applications:
        try:
            if decision == Decision.APPROVE:
                grant = application_approve(actor=actor, application=application,
                                            amount=application.requested_subsidy)
                message = _("Approved: offer of HK$%(amount)s sent.") % {
                    "amount": money(grant.approved_amount, currency=False)}
            elif decision == Decision.REJECT:
                application_reject(actor=actor, application=application, reason=reason)
                message = _("Rejected.")
            else:
                application_waitlist(actor=actor, application=application, reason=reason)
                message = _("Put on the reserve list.")
        except DomainError as exc:
            problems = getattr(exc, "problems", None)
            message = " ".join(m for _f, m in problems) if problems else str(exc.message)
            results.append(BulkResult(application=application, ok=False, message=message))
        else:
            results.append(BulkResult(application=application, ok=True, message=message))
    return results


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
