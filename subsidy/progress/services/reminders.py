"""Reminders before a report is due and escalation after it (beat jobs, ``tasks``).

Each stage is sent once per requirement: the job claims the stage with a conditional
update (``reminded_at`` / ``escalated_at`` still empty) before it notifies, so two runs at
once, or a run repeated after a crash, never send it twice. The due date is the one fixed
when the grant started; a returned report counts as not sent.
"""

from datetime import date

from django.db import transaction
from django.db.models import DateField, ExpressionWrapper, F, Q
from django.utils import timezone

from subsidy.progress.models import ProgressReport, ReportingRequirement
from subsidy.progress.services.notices import notify_company, notify_officers
from subsidy.scheme.models import Grant

# Each round says when (``FundingRound.report_reminder_days``, default 14: the company hears
# that many days before a report is due; ``report_escalation_days``, default 1: once the due
# date has passed by that many days, the company and the programme officers hear it is
# overdue). The dates are worked out in the query, so a changed period applies at the next
# run to every report not yet reminded or escalated.
REMIND_FROM = ExpressionWrapper(F("due_date") - F("grant__round__report_reminder_days"),
                                output_field=DateField())
ESCALATE_FROM = ExpressionWrapper(F("due_date") + F("grant__round__report_escalation_days"),
                                  output_field=DateField())


def _owed():
    return (ReportingRequirement.objects
            .filter(grant__status=Grant.Status.ACTIVE)
            .filter(Q(report__isnull=True) | Q(report__status=ProgressReport.Status.RETURNED))
            .select_related("grant__application__organisation", "grant__round"))


def _claim_stage(requirement: ReportingRequirement, stage_field: str) -> bool:
    """Mark the stage sent; False when another run did it first."""
    return bool(ReportingRequirement.objects
                .filter(pk=requirement.pk, **{f"{stage_field}__isnull": True})
                .update(**{stage_field: timezone.now()}))


def report_reminders_send(*, today: date | None = None) -> int:
    """Remind the company of each report not sent and due within its round's reminder
    period. Returns how many requirements were reminded."""
    today = today or timezone.localdate()
    due = (_owed().alias(remind_from=REMIND_FROM)
           .filter(reminded_at__isnull=True, due_date__gte=today, remind_from__lte=today))
    sent = 0
    for requirement in due.order_by("due_date", "pk"):
        with transaction.atomic():
            if _claim_stage(requirement, "reminded_at"):
                notify_company(requirement=requirement, event="report_due_soon",
                               extra={"days": (requirement.due_date - today).days})
                sent += 1
    return sent


def report_escalations_send(*, today: date | None = None) -> int:
    """Tell the company and the programme officers of each report overdue by its round's
    escalation period or more. Returns how many were escalated."""
    today = today or timezone.localdate()
    overdue = (_owed().alias(escalate_from=ESCALATE_FROM)
               .filter(escalated_at__isnull=True, escalate_from__lte=today))
    sent = 0
    for requirement in overdue.order_by("due_date", "pk"):
        with transaction.atomic():
            if _claim_stage(requirement, "escalated_at"):
                extra = {"days": (today - requirement.due_date).days}
                notify_company(requirement=requirement, event="report_overdue", extra=extra)
                notify_officers(requirement=requirement, event="report_overdue_staff",
                                extra=extra)
                sent += 1
    return sent
