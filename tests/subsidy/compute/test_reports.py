"""The finance dashboard and the 360Giving export count the compute subsidy: the
allocations in what is committed, the subsidy drawn at the Centre beside what is paid, and
every breakdown of the commitments adds up to the rounds' committed figure."""

from decimal import Decimal

import pytest
from django.urls import reverse

from subsidy.finance.opendata.threesixty import grants_package
from subsidy.finance.reports.figures import by_dimension, scheme_totals
from subsidy.platform.roles import Role
from tests.builders.compute import csv_of, grant_with_allocation, line, post_csv
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def drawn_grant():
    grant = grant_with_allocation()  # 12,950.00
    post_csv(csv_of(line(grant, 100)))  # 1,295.00 drawn
    return grant


def test_the_scheme_totals_show_compute_committed_and_drawn(drawn_grant):
    [totals] = scheme_totals(drawn_grant.round.scheme)

    assert totals["compute_drawn"] == Decimal("1295.00")
    assert totals["compute_committed"] == Decimal("12950.00")
    assert totals["committed"] == drawn_grant.approved_amount + Decimal("12950.00")


def test_the_breakdowns_of_commitments_add_up_to_the_rounds(drawn_grant):
    [totals] = scheme_totals(drawn_grant.round.scheme)

    for field in ("category", "sector"):
        rows = by_dimension(field, scheme=drawn_grant.round.scheme)
        assert sum(row["committed"] for row in rows) == totals["committed"]


def test_the_finance_dashboard_shows_the_compute_subsidy_drawn(client, drawn_grant):
    client.force_login(UserFactory(roles=[Role.FINANCE_OFFICER]))

    page = client.get(reverse("finance:dashboard"),
                      {"scheme": drawn_grant.round.scheme.code}).content.decode()

    assert "Compute subsidy drawn at the AISC" in page and "1,295.00" in page


def test_360giving_counts_the_allocation_awarded_and_the_subsidy_drawn(drawn_grant):
    [record] = [g for g in grants_package()["grants"]
                if g["id"].endswith(drawn_grant.application.reference)]

    assert record["amountAwarded"] == float(drawn_grant.approved_amount + Decimal("12950.00"))
    assert record["amountDisbursed"] == 1295
