"""What the finance services share: money formatting and the applicant's notifications."""

from decimal import Decimal

from django.utils import translation

from applicants.models import Membership
from subsidy.models import Claim, User
from subsidy.roles import Role
from subsidy.services.notifications import notify


def money(amount: Decimal) -> str:
    return f"HK${amount:,.2f}"


def _claim_context(claim: Claim) -> dict:
    tranche = claim.tranche
    application = tranche.grant.application
    return {
        "application_id": application.pk,
        "reference": application.reference or "",
        "title": application.title,
        "organisation": application.organisation.name_en,
        "round": tranche.grant.round.code,
        "tranche": str(tranche.number),
        "amount": money(claim.amount),
    }


def notify_officers_of_claim(*, claim: Claim) -> None:
    """Tell every active programme officer that a claim waits for verification."""
    officers = User.objects.filter(role_grants__role=Role.PROGRAMME_OFFICER,
                                   is_active=True).distinct()
    context = {**_claim_context(claim), "revision": claim.revision,
               "url": f"/finance/claims/{claim.pk}/"}
    for officer in officers:
        notify(recipient=officer, event="claim_submitted_staff", context=context)


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
                "url": f"/finance/grants/{tranche.grant_id}/claims/{claim.pk}/",
                **(extra or {}),
            }
        notify(recipient=user, event=event, context=context)
