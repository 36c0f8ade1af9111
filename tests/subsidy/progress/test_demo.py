"""The demo (``make run``) shows reporting: a started grant whose first report was sent late
and returned, and whose next report is due within the reminder window."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from subsidy.platform.models import User
from subsidy.progress.models import ProgressReport, ReportingRequirement

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_report_returned_and_one_due_soon(client):
    call_command("seed_demo")
    call_command("seed_demo")  # idempotent

    returned = ProgressReport.objects.get(requirement__grant__application__organisation__br_number=
                                          "67890123")
    assert (returned.status, returned.late) == ("returned", True)
    today = timezone.localdate()
    due_soon = ReportingRequirement.objects.get(grant=returned.requirement.grant, number=2)
    assert today <= due_soon.due_date <= today + timedelta(
        days=due_soon.grant.round.report_reminder_days)

    client.force_login(User.objects.get(email="applicant@demo.aiss.hk"))
    page = client.get(reverse("progress:grant_reports",
                              args=[due_soon.grant_id])).content.decode()
    assert "Returned for changes" in page and "Sent late" in page


def test_the_demo_rounds_reporting_rules_show_its_indicators_in_use(client):
    call_command("seed_demo")
    client.force_login(User.objects.get(email="officer@demo.aiss.hk"))

    page = client.get(reverse("progress:round_reporting", args=["2026R1"])).content.decode()

    assert "AISC hours used" in page and "Values reported" in page
