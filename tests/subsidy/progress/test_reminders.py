"""Reminders before a report's due date and escalation after it: each sent once per
requirement and stage, however often the jobs run; a sent report is not chased."""

from datetime import date, datetime

import pytest
import time_machine

from subsidy.notifications.models import Notification
from subsidy.progress.models import ReportingRequirement
from subsidy.progress.services.indicators import round_reporting_periods_set
from subsidy.progress.services.reminders import report_escalations_send, report_reminders_send
from subsidy.progress.tasks import send_report_escalations, send_report_reminders
from tests.factories import ProgressReportFactory

pytestmark = pytest.mark.django_db


def _events(user, event):
    return Notification.objects.filter(recipient=user, event=event).count()


def test_the_company_is_reminded_once_in_the_two_weeks_before_a_due_date(active_grant):
    # Report 1 is due 2027-01-01: not yet on 2026-12-17, reminded from 2026-12-18.
    assert report_reminders_send(today=date(2026, 12, 17)) == 0
    assert report_reminders_send(today=date(2026, 12, 18)) == 1
    assert report_reminders_send(today=date(2026, 12, 19)) == 0

    assert _events(active_grant.owner, "report_due_soon") == 1
    requirement = ReportingRequirement.objects.get(grant=active_grant, number=1)
    assert requirement.reminded_at is not None


def test_an_overdue_report_is_escalated_once_to_the_company_and_the_officers(active_grant,
                                                                              officer):
    assert report_escalations_send(today=date(2027, 1, 1)) == 0  # due today: not yet
    assert report_escalations_send(today=date(2027, 1, 2)) == 1
    assert report_escalations_send(today=date(2027, 1, 9)) == 0

    assert _events(active_grant.owner, "report_overdue") == 1
    assert _events(officer, "report_overdue_staff") == 1


def test_a_sent_report_is_neither_reminded_nor_escalated(active_grant):
    requirement = ReportingRequirement.objects.get(grant=active_grant, number=1)
    ProgressReportFactory(requirement=requirement, submitted_by=active_grant.owner)

    assert report_reminders_send(today=date(2026, 12, 20)) == 0
    assert report_escalations_send(today=date(2027, 1, 2)) == 0


def test_the_beat_jobs_run_the_services(active_grant, settings):
    assert send_report_reminders.name == "subsidy.tasks.send_report_reminders"
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"subsidy.tasks.send_report_reminders",
            "subsidy.tasks.send_report_escalations"} <= scheduled
    # Run now (2026-12-03): nothing due within two weeks, nothing overdue.
    assert send_report_reminders() == 0
    assert send_report_escalations() == 0


def _morning(day):
    # 09:00 in Hong Kong, when the daily jobs run.
    return datetime.fromisoformat(f"{day}T09:00:00+08:00")


def _run_on(day):
    with time_machine.travel(_morning(day), tick=False):
        return send_report_reminders(), send_report_escalations()


def test_a_rounds_longer_reminder_period_reminds_earlier(active_grant, officer):
    # Report 1 is due 2027-01-01. With the default 14 days nobody hears on 2026-12-02.
    assert _run_on("2026-12-02") == (0, 0)
    round_reporting_periods_set(actor=officer, round_=active_grant.round,
                                final_report_due_days=60, report_reminder_days=30,
                                report_escalation_days=1)

    assert _run_on("2026-12-01") == (0, 0)  # 31 days before
    assert _run_on("2026-12-02") == (1, 0)  # 30 days before
    assert _events(active_grant.owner, "report_due_soon") == 1


def test_a_rounds_longer_escalation_period_escalates_later(active_grant, officer):
    round_reporting_periods_set(actor=officer, round_=active_grant.round,
                                final_report_due_days=60, report_reminder_days=14,
                                report_escalation_days=7)

    assert _run_on("2027-01-02")[1] == 0  # one day late: the default would escalate
    assert _run_on("2027-01-07")[1] == 0
    assert _run_on("2027-01-08")[1] == 1  # seven days late
    assert _events(officer, "report_overdue_staff") == 1
