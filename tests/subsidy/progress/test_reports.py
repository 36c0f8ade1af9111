"""Progress reports through the pages: the grant starting owes its reports (due dates fixed
then), the company sends one with a value per outcome indicator and evidence, the officer
returns it with comments or accepts it, and a late report stays late."""

from datetime import date

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from applicants.models import Milestone
from subsidy.devdata.applications import demo_pdf
from subsidy.notifications.models import Notification
from subsidy.platform.models import AuditEvent
from subsidy.progress.models import OutcomeIndicator, ProgressReport, ReportingRequirement
from subsidy.progress.selectors import final_report_accepted
from subsidy.webhooks.models import WebhookDelivery
from tests.builders.clamd import EICAR
from tests.builders.partners import link
from tests.builders.webhooks import make_endpoint
from tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    PartnerOrganisationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

R = ProgressReport.Status


def _requirement(grant, number=1):
    return ReportingRequirement.objects.get(grant=grant, number=number)


def _values(grant, **overrides):
    values = {f"indicator-{i.pk}": "1" for i in OutcomeIndicator.objects.filter(
        round=grant.round)}
    return {**values, **overrides}


def _send(client, requirement, narrative="Prototype trained on the AISC cluster.", **extra):
    return client.post(reverse("progress:requirement", args=[requirement.pk]),
                       {"narrative": narrative, **_values(requirement.grant), **extra})


def _review(client, requirement, decision, comment=""):
    return client.post(reverse("progress:review", args=[requirement.pk]),
                       {"decision": decision, "comment": comment})


def test_a_starting_grant_owes_a_report_per_milestone_and_a_final_report(active_grant):
    requirements = list(ReportingRequirement.objects.filter(grant=active_grant))

    assert [(r.number, r.kind, r.due_date) for r in requirements] == [
        (1, "milestone", date(2027, 1, 1)), (2, "milestone", date(2027, 4, 1)),
        (3, "milestone", date(2027, 7, 1)),
        # The project ends 2027-08-31; the round gives 60 days by default.
        (4, "final", date(2027, 10, 30))]
    assert OutcomeIndicator.objects.filter(round=active_grant.round).count() == 6


def test_due_dates_do_not_follow_a_milestone_moved_later(active_grant):
    Milestone.objects.filter(application=active_grant.application,
                             position=0).update(due_date=date(2027, 3, 1))

    assert _requirement(active_grant).due_date == date(2027, 1, 1)


def test_the_company_sends_a_report_the_officer_returns_it_and_then_accepts_it(
        client, active_grant, officer):
    requirement = _requirement(active_grant)
    client.force_login(active_grant.owner)
    page = client.get(reverse("progress:grant_reports", args=[active_grant.pk]))
    assert "Milestone 1" in page.content.decode()
    with time_machine.travel(date(2026, 12, 20)):
        client.force_login(active_grant.owner)
        response = _send(client, requirement,
                         evidence=SimpleUploadedFile("kpis.pdf", demo_pdf("KPIs")))
    assert response.status_code == 302
    report = ProgressReport.objects.get()
    assert (report.status, report.late, report.evidence.count()) == (R.SUBMITTED, False, 1)
    assert report.values.count() == 6
    assert Notification.objects.filter(recipient=officer,
                                       event="report_submitted_staff").exists()

    client.force_login(officer)
    queue = client.get(reverse("progress:queue")).content.decode()
    assert active_grant.application.reference in queue
    assert _review(client, requirement, "return").status_code == 302
    assert ProgressReport.objects.get().status == R.SUBMITTED  # a return needs comments
    _review(client, requirement, "return", "Give the revenue figure for December.")
    assert ProgressReport.objects.get().status == R.RETURNED
    assert Notification.objects.filter(recipient=active_grant.owner,
                                       event="report_returned").exists()

    client.force_login(active_grant.owner)
    page = client.get(reverse("progress:requirement", args=[requirement.pk])).content.decode()
    assert "Give the revenue figure for December." in page
    with time_machine.travel(date(2027, 1, 10)):
        client.force_login(active_grant.owner)
        _send(client, requirement, "Revenue added.")
    report = ProgressReport.objects.get()
    # Sent again after the due date, but first sent in time: it is not late.
    assert (report.status, report.revision, report.late) == (R.SUBMITTED, 2, False)

    client.force_login(officer)
    _review(client, requirement, "accept", "Thank you.")
    assert ProgressReport.objects.get().status == R.ACCEPTED
    assert Notification.objects.filter(recipient=active_grant.owner,
                                       event="report_accepted").exists()
    assert list(AuditEvent.objects.filter(object_type__icontains="progressreport")
                .order_by("id").values_list("action", flat=True)) == [
        "report.submit", "report.returned", "report.submit", "report.accepted"]


def test_a_report_first_sent_after_its_due_date_is_late_and_stays_late(client, active_grant,
                                                                        officer):
    requirement = _requirement(active_grant)
    with time_machine.travel(date(2027, 1, 5)):
        client.force_login(active_grant.owner)
        page = client.get(reverse("progress:grant_reports", args=[active_grant.pk]))
        assert "Overdue" in page.content.decode()
        _send(client, requirement)
    assert ProgressReport.objects.get().late is True

    client.force_login(officer)
    _review(client, requirement, "accept")
    page = client.get(reverse("progress:requirement", args=[requirement.pk])).content.decode()
    assert "Sent late" in page


def test_each_indicator_needs_a_value_and_a_count_is_a_whole_number(client, active_grant):
    requirement = _requirement(active_grant)
    people = OutcomeIndicator.objects.get(round=active_grant.round, code="people-hired")
    client.force_login(active_grant.owner)

    response = _send(client, requirement, **{f"indicator-{people.pk}": "1.5"})
    assert response.status_code == 200
    response = _send(client, requirement, **{f"indicator-{people.pk}": ""})
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert not ProgressReport.objects.exists()


def test_a_report_sent_is_not_sent_twice(client, active_grant):
    requirement = _requirement(active_grant)
    client.force_login(active_grant.owner)
    _send(client, requirement)

    assert _send(client, requirement, "Again.").status_code == 403
    assert ProgressReport.objects.get().revision == 1


def test_a_viewer_reads_the_reports_but_cannot_send_one(client, active_grant):
    viewer = MembershipFactory(organisation=active_grant.application.organisation,
                               role="viewer").user
    requirement = _requirement(active_grant)
    client.force_login(viewer)

    page = client.get(reverse("progress:requirement", args=[requirement.pk]))
    assert page.status_code == 200
    assert "Send to the programme officer" not in page.content.decode()
    assert _send(client, requirement).status_code == 403


def test_another_company_cannot_see_the_reports(client, active_grant):
    stranger = MembershipFactory(organisation=OrganisationFactory()).user
    client.force_login(stranger)

    assert client.get(reverse("progress:grant_reports",
                              args=[active_grant.pk])).status_code == 404
    assert client.get(reverse("progress:requirement",
                              args=[_requirement(active_grant).pk])).status_code == 404


def test_only_programme_officers_review_reports(client, active_grant):
    requirement = _requirement(active_grant)
    client.force_login(active_grant.owner)
    _send(client, requirement)

    assert _review(client, requirement, "accept").status_code == 403
    client.force_login(UserFactory(roles=["finance_officer"]))
    assert client.get(reverse("progress:queue")).status_code == 403
    assert ProgressReport.objects.get().status == R.SUBMITTED


def test_evidence_with_a_virus_refuses_the_report(client, active_grant, clamd):
    client.force_login(active_grant.owner)

    response = _send(client, _requirement(active_grant),
                     evidence=SimpleUploadedFile("kpis.pdf", EICAR))

    assert response.status_code == 200
    assert "A virus was found in this file" in response.content.decode()
    assert not ProgressReport.objects.exists()
    assert AuditEvent.objects.get(action="security.upload_infected").after["type"] == (
        "report_evidence")


def test_the_accepted_final_report_is_what_closure_reads(client, active_grant, officer):
    final = ReportingRequirement.objects.get(grant=active_grant, kind="final")
    client.force_login(active_grant.owner)
    _send(client, final, "The project is complete.")
    assert final_report_accepted(active_grant) is False

    client.force_login(officer)
    _review(client, final, "accept")
    assert final_report_accepted(active_grant) is True


def test_the_reporting_pages_speak_chinese(client, active_grant):
    client.force_login(active_grant.owner)
    client.post(reverse("set_language"), {"language": "zh-hant", "next": "/"})

    page = client.get(reverse("progress:grant_reports", args=[active_grant.pk])).content.decode()
    assert "進度報告" in page
    page = client.get(reverse("progress:requirement",
                              args=[_requirement(active_grant).pk])).content.decode()
    assert "聘用人數" in page


def test_linked_partners_hear_of_each_step_of_a_report_by_webhook(
        client, active_grant, officer, django_capture_on_commit_callbacks):
    partner = PartnerOrganisationFactory()
    link(partner, active_grant.application.organisation)
    make_endpoint(partner, event_types=["report.submitted", "report.returned"])
    requirement = _requirement(active_grant)
    client.force_login(active_grant.owner)
    _send(client, requirement)
    client.force_login(officer)
    _review(client, requirement, "return", "Add the customers.")

    deliveries = list(WebhookDelivery.objects.order_by("id"))
    assert [d.event_type for d in deliveries] == ["report.submitted", "report.returned"]
    data = deliveries[1].payload["data"]
    assert data["requirement"]["due_date"] == "2027-01-01"
    assert data["report"]["officer_comment"] == "Add the customers."
    assert {v["indicator"] for v in data["report"]["values"]} >= {"people-hired", "revenue"}
