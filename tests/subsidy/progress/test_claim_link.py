"""A tranche's claim may point to the progress report sent for its milestone instead of
asking for the report twice; finance's claim page offers only that milestone's reports."""

import pytest
from django.urls import reverse

from subsidy.finance.models import Claim
from subsidy.progress.models import OutcomeIndicator, ReportingRequirement

pytestmark = pytest.mark.django_db


def _send_report(client, grant, number):
    requirement = ReportingRequirement.objects.get(grant=grant, number=number)
    values = {f"indicator-{i.pk}": "1" for i in OutcomeIndicator.objects.filter(
        round=grant.round)}
    client.post(reverse("progress:requirement", args=[requirement.pk]),
                {"narrative": "Prototype delivered and tested.", **values})
    return requirement.report


def _claim(client, grant, **data):
    return client.post(reverse("finance:tranche_claim", args=[grant.pk, 1]),
                       {"amount": "400000.00", "narrative": "", **data})


def test_a_claim_points_to_the_report_sent_for_its_milestone(client, active_grant, officer):
    client.force_login(active_grant.owner)
    report = _send_report(client, active_grant, 1)

    page = client.get(reverse("finance:tranche_claim", args=[active_grant.pk, 1]))
    assert "Report 1: Milestone 1 (awaiting review)" in page.content.decode()
    response = _claim(client, active_grant, report=str(report.pk))

    assert response.status_code == 302
    claim = Claim.objects.get()
    assert (claim.progress_report_id, claim.narrative) == (report.pk, "")
    client.force_login(officer)
    page = client.get(reverse("finance:claim", args=[claim.pk])).content.decode()
    assert reverse("progress:requirement", args=[report.requirement_id]) in page


def test_a_claim_cannot_point_to_another_milestones_report(client, active_grant):
    client.force_login(active_grant.owner)
    other = _send_report(client, active_grant, 2)

    response = _claim(client, active_grant, report=str(other.pk))

    assert response.status_code == 200
    assert not Claim.objects.exists()


def test_without_a_report_the_claim_still_asks_for_one(client, active_grant):
    client.force_login(active_grant.owner)

    response = _claim(client, active_grant)

    assert response.status_code == 200
    assert "Write the progress report, or choose the one sent" in response.content.decode()
    assert not Claim.objects.exists()
