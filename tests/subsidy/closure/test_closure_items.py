"""The checklist's items from the grant's reports and its compute allocation: completing
waits for the final report the grant owes, and closing releases the compute allocation not
drawn."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from subsidy.closure.models import GrantClosure
from subsidy.compute.models import ComputeAllocation
from subsidy.progress.models import ProgressReport, ReportingRequirement
from subsidy.scheme.models import Grant
from tests.builders.closure import pay_every_tranche
from tests.factories import (
    ComputeAllocationFactory,
    ProgressReportFactory,
)

pytestmark = pytest.mark.django_db


def _final_requirement(grant):
    """The final report the grant owes since it started."""
    return ReportingRequirement.objects.get(grant=grant, kind=ReportingRequirement.Kind.FINAL)


def test_completing_waits_for_the_final_report_it_owes(client, officer, finance_officer,
                                                        finance_approver, active_grant):
    pay_every_tranche(active_grant, officer, finance_officer, finance_approver)
    requirement = _final_requirement(active_grant)
    client.force_login(officer)

    refused = client.post(reverse("closure:grant", args=[active_grant.pk]),
                          {"outcome": "completed"})

    assert "The final report is not accepted yet." in refused.content.decode()
    assert Grant.objects.get(pk=active_grant.pk).status == Grant.Status.ACTIVE
    ProgressReportFactory(requirement=requirement, status=ProgressReport.Status.ACCEPTED,
                          decided_at=timezone.now())

    client.post(reverse("closure:grant", args=[active_grant.pk]), {"outcome": "completed"})

    assert GrantClosure.objects.get(grant=active_grant).outcome == "completed"


def test_terminating_does_not_wait_for_the_final_report(client, officer, active_grant):
    _final_requirement(active_grant)
    client.force_login(officer)

    client.post(reverse("closure:grant", args=[active_grant.pk]),
                {"outcome": "terminated", "reason": "The company was wound up."})

    assert GrantClosure.objects.get(grant=active_grant).outcome == "terminated"


def test_closing_releases_the_compute_allocation_not_drawn(client, officer, active_grant):
    allocation = ComputeAllocationFactory(grant=active_grant)
    client.force_login(officer)
    page = client.get(reverse("closure:grant", args=[active_grant.pk])).content.decode()
    assert 'data-item="compute" data-state="on_closing"' in page

    client.post(reverse("closure:grant", args=[active_grant.pk]),
                {"outcome": "terminated", "reason": "The company was wound up."})

    allocation = ComputeAllocation.objects.get(pk=allocation.pk)
    assert allocation.released_at is not None
    closure = GrantClosure.objects.get(grant=active_grant)
    assert closure.released_compute == allocation.amount > Decimal("0")
