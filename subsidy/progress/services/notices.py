"""Who hears of a report's steps: the company's members and the programme officers by
email and in the inbox, and the company's linked partners by signed webhook. Everything
leaves through the outbox once the step commits."""

from django.urls import reverse
from django.utils import translation

from applicants.models import Membership, PartnerLink
from subsidy.notifications.services.outbox import notify, organisation_names
from subsidy.platform.roles import Role
from subsidy.platform.selectors import users_with_role
from subsidy.progress.models import ProgressReport, ReportingRequirement
from subsidy.webhooks.services.delivery import webhook_event_publish, webhook_time


def _context(requirement: ReportingRequirement) -> dict:
    grant = requirement.grant
    application = grant.application
    return {
        "application_id": application.pk,
        "reference": application.reference or "",
        "title": application.title,
        **organisation_names(application.organisation),
        "round": grant.round.code,
        "report": requirement.title,
        "due_on": requirement.due_date.isoformat(),
        "url": reverse("progress:requirement", args=[requirement.pk]),
    }


def notify_company(*, requirement: ReportingRequirement, event: str,
                   extra: dict | None = None) -> None:
    """Tell the active members of the grant's company, each in their own language."""
    members = (Membership.objects.filter(
        organisation_id=requirement.grant.application.organisation_id, user__is_active=True)
        .select_related("user"))
    for membership in members:
        with translation.override(membership.user.language):
            context = {**_context(requirement), **(extra or {})}
        notify(recipient=membership.user, event=event, context=context)


def notify_officers(*, requirement: ReportingRequirement, event: str, actor=None,
                    extra: dict | None = None) -> None:
    """Tell every active programme officer (but ``actor``, who took the step)."""
    officers = users_with_role(Role.PROGRAMME_OFFICER)
    if actor is not None:
        officers = officers.exclude(pk=actor.pk)
    context = {**_context(requirement), **(extra or {})}
    for officer in officers:
        notify(recipient=officer, event=event, context=context)


def report_payload(report: ProgressReport) -> dict:
    """A report as partners and the API see it."""
    requirement = report.requirement
    return {
        "id": report.pk,
        "requirement": requirement.pk,
        "status": report.status,
        "revision": report.revision,
        "late": report.late,
        "submitted_at": webhook_time(report.submitted_at),
        "first_submitted_at": webhook_time(report.first_submitted_at),
        "decided_at": webhook_time(report.decided_at) if report.decided_at else None,
        "officer_comment": report.officer_comment,
        "values": [{"indicator": value.indicator.code, "value": str(value.value)}
                   for value in report.values.select_related("indicator")],
    }


def publish_to_partners(*, report: ProgressReport, event_type: str) -> None:
    """Partners linked to the company hear of the report's step (inside its transaction)."""
    requirement = report.requirement
    application = requirement.grant.application
    links = (PartnerLink.objects.filter(organisation_id=application.organisation_id,
                                        linked_at__isnull=False, revoked_at__isnull=True)
             .select_related("partner"))
    data = {"application": {"id": str(application.public_id),
                            "reference": application.reference,
                            "organisation": application.organisation_id},
            "requirement": {"id": requirement.pk, "number": requirement.number,
                            "kind": requirement.kind,
                            "due_date": requirement.due_date.isoformat()},
            "report": report_payload(report)}
    for link in links:
        webhook_event_publish(partner=link.partner, event_type=event_type, data=data)
