"""What the finance services share: money formatting and the applicant's notifications."""


from django.urls import reverse
from django.utils import translation

from applicants.models import Membership
from subsidy.finance.models import Claim
from subsidy.notifications.services.outbox import notify, organisation_names
from subsidy.platform.money import money
from subsidy.platform.roles import Role
from subsidy.platform.selectors import users_with_role


def _claim_context(claim: Claim) -> dict:
    tranche = claim.tranche
    application = tranche.grant.application
    return {
        "application_id": application.pk,
        "reference": application.reference or "",
        "title": application.title,
        **organisation_names(application.organisation),
        "round": tranche.grant.round.code,
        "tranche": str(tranche.number),
        "amount": money(claim.amount),
    }


def notify_staff_of_claim(*, claim: Claim, role: str, event: str, url: str,
                          actor=None, extra: dict | None = None) -> None:
    """Tell every active holder of ``role`` (but ``actor``, who took the step) that a claim
    or its payment waits for them."""
    staff = users_with_role(role)
    if actor is not None:
        staff = staff.exclude(pk=actor.pk)
    context = {**_claim_context(claim), "url": url, **(extra or {})}
    for user in staff:
        notify(recipient=user, event=event, context=context)


def notify_officers_of_claim(*, claim: Claim) -> None:
    """Tell every active programme officer that a claim waits for verification."""
    notify_staff_of_claim(claim=claim, role=Role.PROGRAMME_OFFICER,
                          event="claim_submitted_staff",
                          url=reverse("finance:claim", args=[claim.pk]),
                          extra={"revision": claim.revision})


def notify_company(*, claim: Claim, event: str, extra: dict | None = None) -> None:
    """Tell the active members of the grant's company about a step of their claim."""
    tranche = claim.tranche
    application = tranche.grant.application
    members = (Membership.objects.filter(organisation_id=application.organisation_id,
                                         user__is_active=True).select_related("user"))
    for membership in members:
        user = membership.user
        with translation.override(user.language):
            context = {
                **_claim_context(claim),
                "url": reverse("finance:claim", args=[claim.pk]),
                **(extra or {}),
            }
        notify(recipient=user, event=event, context=context)
