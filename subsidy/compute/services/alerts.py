"""The 80% and 100% alerts of a compute allocation: each goes once, by email and in the
inbox, to the company's members and to the programme officers, when a statement's posting
first takes the subsidy drawn to the threshold. A statement that crosses both at once
sends the 100% alert only (the 80% one is then marked sent too)."""

from decimal import Decimal

from django.urls import reverse
from django.utils import timezone, translation

from applicants.models import Membership
from subsidy.compute.models import ComputeAllocation
from subsidy.notifications.services.outbox import notify, organisation_names
from subsidy.platform.money import money
from subsidy.platform.roles import Role
from subsidy.platform.selectors import users_with_role
from subsidy.scheme.models import Grant

THRESHOLDS = (80, 100)


def _crossed(allocation: ComputeAllocation, before: Decimal, after: Decimal) -> int | None:
    if allocation.amount <= 0:
        return None
    crossed = None
    for threshold in THRESHOLDS:
        mark = allocation.amount * threshold / 100
        sent = allocation.alerted_80_at if threshold == 80 else allocation.alerted_100_at
        if after >= mark and sent is None:
            crossed = threshold
    return crossed


def _context(grant: Grant, allocation: ComputeAllocation, drawn: Decimal,
             threshold: int) -> dict:
    application = grant.application
    return {"application_id": application.pk, "reference": application.reference or "",
            "title": application.title, **organisation_names(application.organisation),
            "threshold": str(threshold), "drawn": money(drawn),
            "allocation": money(allocation.amount),
            "url": reverse("compute:grant", args=[grant.pk])}


def allocation_alerts_send(*, allocations, before: dict, after: dict) -> None:
    """Within the posting's transaction (its rows locked): the alerts the posting crossed."""
    now = timezone.now()
    officers = None
    for allocation in allocations:
        threshold = _crossed(allocation, before.get(allocation.pk, Decimal(0)),
                             after.get(allocation.pk, Decimal(0)))
        if threshold is None:
            continue
        fields = {"alerted_80_at": allocation.alerted_80_at or now}
        if threshold == 100:
            fields["alerted_100_at"] = now
        ComputeAllocation.objects.filter(pk=allocation.pk).update(**fields)
        grant = Grant.objects.select_related("application__organisation").get(
            pk=allocation.grant_id)
        drawn = after[allocation.pk]
        members = (Membership.objects.filter(organisation_id=grant.application.organisation_id,
                                             user__is_active=True).select_related("user"))
        for membership in members:
            with translation.override(membership.user.language):
                notify(recipient=membership.user, event="compute_allocation_alert",
                       context=_context(grant, allocation, drawn, threshold))
        if officers is None:
            officers = list(users_with_role(Role.PROGRAMME_OFFICER))
        for officer in officers:
            notify(recipient=officer, event="compute_allocation_alert_staff",
                   context=_context(grant, allocation, drawn, threshold))
