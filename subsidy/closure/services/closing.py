"""Closing a grant: completed, or terminated with its reason, once its checklist is
complete.

The closing is the application's ``complete`` or ``terminate`` step. Both require the
closure part (``Transition.requires``), which this package registers
(``subsidy.closure.registration``): under the application's lock, before the grant's
finance effects, ``grant_closure_record`` refuses while the checklist has an item to do,
then writes the closure record, the audit event, the grantee's notifications and the
linked partners' ``grant.closed`` webhook. Whichever page, API or job takes the step, the
checklist is asked.
"""

from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from applicants.errors import ProblemsError
from applicants.models import Membership, PartnerLink
from applicants.workflow import application_transition, public_status_code
from subsidy.closure.checklist import (
    COMPLETED,
    OUTCOMES,
    TERMINATED,
    closure_checklist,
    grant_money_facts,
)
from subsidy.closure.models import GrantClosure
from subsidy.compute.services.allocations import compute_allocation_release
from subsidy.notifications.services.outbox import notify, organisation_names
from subsidy.platform.audit import actor_user, audit_record
from subsidy.platform.errors import DomainError
from subsidy.platform.money import money
from subsidy.scheme.models import Grant
from subsidy.webhooks.services.delivery import webhook_event_publish, webhook_time

# The application's step that closes a grant with each outcome.
STEP_OF_OUTCOME = {COMPLETED: "complete", TERMINATED: "terminate"}
OUTCOME_OF_STEP = {step: outcome for outcome, step in STEP_OF_OUTCOME.items()}
# The application's status after each outcome.
OUTCOME_STATUS = {COMPLETED: "completed", TERMINATED: "terminated"}


def grant_close_out(*, actor, grant: Grant, outcome: str, reason: str = "") -> GrantClosure:
    """Close ``grant`` as ``outcome``: ``completed``, or ``terminated`` with ``reason``.
    Refused (``ProblemsError``) while its checklist has an item to do."""
    if outcome not in OUTCOMES:
        raise DomainError(_("Choose how the grant closes: completed or terminated."),
                          code="outcome_unknown", field="outcome")
    payload = {"reason": reason} if outcome == TERMINATED else {}
    application_transition(actor=actor, application=grant.application,
                           transition_name=STEP_OF_OUTCOME[outcome], **payload)
    return GrantClosure.objects.get(grant_id=grant.pk)


def grant_closure_record(ctx) -> None:
    """The closure's side of the ``complete`` and ``terminate`` steps (a registered effect,
    run under the application's lock before the grant's finance effects)."""
    outcome = OUTCOME_OF_STEP[ctx.transition.name]
    grant = (Grant.objects.select_for_update(of=("self",)).select_related("round")
             .filter(application_id=ctx.application.pk).first())
    if grant is None or grant.status != Grant.Status.ACTIVE:
        # The grant's own effect names the refusal (no grant, or not active).
        return
    checklist = closure_checklist(grant, outcome=outcome)
    if not checklist.complete:
        raise ProblemsError([(None, f"{item.label}: {item.detail}")
                             for item in checklist.open_items], code="closure_incomplete")
    facts = grant_money_facts(grant)
    released_compute = compute_allocation_release(grant=grant, actor=ctx.actor)
    reason = (ctx.payload.get("reason") or "").strip() if outcome == TERMINATED else ""
    closure = GrantClosure.objects.create(
        grant=grant, outcome=outcome, reason=reason, closed_by=actor_user(ctx.actor),
        paid_amount=facts.paid,
        released_commitment=max(grant.approved_amount - facts.paid, 0),
        released_compute=released_compute,
        recoveries_raised=facts.recoveries_raised,
        checklist=[item.as_record() for item in checklist.items])
    audit_record(actor=ctx.actor, action="grant.closure", obj=grant,
                 before={"status": grant.status},
                 after={"outcome": outcome, "reason": reason,
                        "paid": str(closure.paid_amount),
                        "released_commitment": str(closure.released_commitment),
                        "released_compute": str(closure.released_compute),
                        "checklist": closure.checklist})
    _notify_grantee(ctx.application, closure)
    _publish_to_partners(ctx.application, closure)


def _notify_grantee(application, closure: GrantClosure) -> None:
    members = (Membership.objects.filter(organisation_id=application.organisation_id,
                                         user__is_active=True).select_related("user"))
    for membership in members:
        user = membership.user
        with translation.override(user.language):
            context = {
                "application_id": application.pk, "reference": application.reference or "",
                "title": application.title, **organisation_names(application.organisation),
                "outcome": closure.outcome,
                "outcome_label": str(GrantClosure.Outcome(closure.outcome).label),
                "reason": closure.reason, "paid": money(closure.paid_amount),
                "url": reverse("finance:grant", args=[closure.grant_id]),
            }
        notify(recipient=user, event="grant_closed", context=context)


def _publish_to_partners(application, closure: GrantClosure) -> None:
    links = (PartnerLink.objects.filter(organisation_id=application.organisation_id,
                                        linked_at__isnull=False, revoked_at__isnull=True)
             .select_related("partner"))
    data = {
        "application": {"id": str(application.public_id), "reference": application.reference,
                        "organisation": application.organisation_id,
                        "round": application.round.code,
                        "status": public_status_code(OUTCOME_STATUS[closure.outcome])},
        "grant": closure_representation(closure),
    }
    for link in links:
        webhook_event_publish(partner=link.partner, event_type="grant.closed", data=data)


def closure_representation(closure: GrantClosure) -> dict:
    """The closure as the partner API and the ``grant.closed`` webhook give it."""
    return {"outcome": closure.outcome, "reason": closure.reason,
            "closed_at": webhook_time(closure.closed_at),
            "paid_amount": str(closure.paid_amount),
            "released_commitment": str(closure.released_commitment),
            "released_compute": str(closure.released_compute),
            "recoveries_raised": str(closure.recoveries_raised)}
