"""Reminders before a report is due and escalation after it (beat jobs, ``tasks``).

Each stage is sent once per requirement: the job claims the stage with a conditional
update (``reminded_at`` / ``escalated_at`` still empty) before it notifies, so two runs at
once, or a run repeated after a crash, never send it twice. The due date is the one fixed
when the grant started; a returned report counts as not sent.
"""

from datetime import date, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from subsidy.progress.models import ProgressReport, ReportingRequirement
from subsidy.progress.services.notices import notify_company, notify_officers
from subsidy.scheme.models import FundingRound, Grant

# Each round says when (``FundingRound.report_reminder_days``, default 14: the company hears
# that many days before a report is due; ``report_escalation_days``, default 1: once the due
# date has passed by that many days, the company and the programme officers hear it is
# overdue). The periods are read at each run, so a changed period applies at the next run
# to every report not yet reminded or escalated.


def _per_period(period_field: str, due_date_bound) -> Q:
    """Reports whose due date is within their round's period: one condition per distinct
    period in use (a handful), each a plain date bound, on every database (date arithmetic
    with a column is not portable to SQLite)."""
    periods = (FundingRound.objects.order_by().values_list(period_field, flat=True)
               .distinct())
    condition = Q(pk__in=[])
    for days in periods:
        condition |= Q(**{f"grant__round__{period_field}": days},
                       due_date__lte=due_date_bound(timedelta(days=days)))
    return condition


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
    due = (_owed().filter(_per_period("report_reminder_days", lambda days: today + days))
           .filter(reminded_at__isnull=True, due_date__gte=today))
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
    overdue = (_owed().filter(_per_period("report_escalation_days", lambda days: today - days))
               .filter(escalated_at__isnull=True))
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
