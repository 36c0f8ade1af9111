"""The portfolio: every active grant with its health from overdue reports, payments and
compute against plan, open conditions and variations; its filters and downloads; and the
same number of queries for 1 grant as for 12."""

import csv
import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from subsidy.agreements.models import ConditionPrecedent
from subsidy.finance.models import Tranche
from subsidy.finance.services.tranches import grant_activate
from subsidy.progress.models import ReportingRequirement
from subsidy.variations.models import Variation
from tests.builders.finance import make_accepted_grant
from tests.factories import (
    ComputeAllocationFactory,
    ComputeChargeFactory,
    ConditionPrecedentFactory,
    ReportingRequirementFactory,
    VariationFactory,
)

pytestmark = pytest.mark.django_db
URL = reverse("closure:portfolio")


def _active(officer, **kwargs):
    grant = make_accepted_grant(**kwargs)
    grant_activate(actor=officer, grant=grant)
    return grant


def _health(page: str, grant) -> str:
    marker = f'href="{reverse("finance:grant", args=[grant.pk])}"'
    row = page[page.rindex("<tr", 0, page.index(marker)):]
    return row.split('data-health="', 1)[1].split('"', 1)[0]


def test_each_grant_gets_its_health_from_its_reasons(client, officer):
    green = _active(officer)
    overdue_twice = _active(officer)
    ReportingRequirement.objects.filter(grant=overdue_twice, number__in=(1, 2)).update(
        due_date=timezone.localdate() - timedelta(days=5))
    unmet = _active(officer)
    ConditionPrecedentFactory(grant=unmet, status=ConditionPrecedent.Status.OPEN)
    late = _active(officer)
    Tranche.objects.filter(grant=late, number=1).update(
        due_date=timezone.localdate() - timedelta(days=120))
    client.force_login(officer)

    page = client.get(URL).content.decode()

    assert _health(page, green) == "green"
    assert _health(page, overdue_twice) == "red"
    assert _health(page, unmet) == "amber"
    assert _health(page, late) == "red"
    assert "2 reports overdue" in page


def test_compute_ahead_of_plan_and_a_waiting_variation_are_amber(client, officer):
    burning = _active(officer)
    allocation = ComputeAllocationFactory(grant=burning)
    # 85% of the allocation drawn: amber (80%), whatever the plan.
    ComputeChargeFactory(allocation=allocation, hours=allocation.hours * Decimal("0.85"))
    varied = _active(officer)
    VariationFactory(grant=varied, status=Variation.Status.REQUESTED)
    client.force_login(officer)

    page = client.get(URL).content.decode()

    assert _health(page, burning) == "amber"
    assert "Compute used ahead of plan" in page
    assert _health(page, varied) == "amber"


def test_filters_by_health_round_and_search(client, officer):
    green = _active(officer)
    red = _active(officer)
    ReportingRequirement.objects.filter(grant=red, number__in=(1, 2)).update(
        due_date=timezone.localdate() - timedelta(days=5))
    client.force_login(officer)

    by_health = client.get(URL, {"health": "red"}).content.decode()
    by_round = client.get(URL, {"round": green.round.code}).content.decode()
    by_search = client.get(URL, {"q": red.application.reference}).content.decode()

    assert red.application.reference in by_health
    assert green.application.reference not in by_health
    assert green.application.reference in by_round
    assert red.application.reference not in by_round
    assert red.application.reference in by_search
    assert green.application.reference not in by_search


def test_downloads_as_csv_and_xlsx_with_the_filters(client, officer):
    grant = _active(officer)
    _active(officer)
    client.force_login(officer)

    response = client.get(URL, {"q": grant.application.reference, "download": "csv"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content)
                                       .decode("utf-8-sig"))))
    workbook = load_workbook(io.BytesIO(b"".join(
        client.get(URL, {"download": "xlsx"}).streaming_content)))

    assert rows[0][:3] == ["Reference", "Project", "Company"]
    assert [row[0] for row in rows[1:]] == [grant.application.reference]
    assert rows[1][7] == "Green"
    sheet = workbook.active
    assert sheet.max_row == 3
    assert sheet["F2"].value == 1000000


def _queries(client):
    with CaptureQueriesContext(connection) as context:
        assert client.get(URL).status_code == 200
    return len(context.captured_queries)


def test_the_page_asks_the_same_number_of_queries_for_1_or_12_grants(client, officer):
    first = _active(officer)
    ConditionPrecedentFactory(grant=first)
    client.force_login(officer)
    one = _queries(client)
    for _ in range(11):
        grant = _active(officer, round_=first.round)
        ConditionPrecedentFactory(grant=grant)
        ComputeAllocationFactory(grant=grant)
        ReportingRequirementFactory(grant=grant, number=9, due_date=date(2027, 3, 1))

    assert _queries(client) == one


def test_only_the_programme_office_sees_the_portfolio(client, finance_officer, officer):
    client.force_login(finance_officer)
    assert client.get(URL).status_code == 403
    client.force_login(officer)
    dashboard = client.get(reverse("core:dashboard_officer")).content.decode()
    assert f'href="{URL}"' in dashboard
