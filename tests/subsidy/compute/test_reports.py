"""The finance dashboard, the commitments register and the 360Giving export count the
compute subsidy: the allocations in what is committed, the subsidy drawn at the Centre
beside what is paid, and every breakdown of the commitments adds up to the rounds'
committed figure."""

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse

from subsidy.compute.services.allocations import compute_allocation_release
from subsidy.finance.opendata.threesixty import grants_package
from subsidy.finance.reports.figures import by_dimension, scheme_totals
from subsidy.finance.reports.registers import commitment_totals, commitments_register
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


def _register_row(grant) -> dict:
    [row] = [r for r in commitments_register(round_code=grant.round.code)
             if r["id"] == grant.pk]
    return row


def test_the_commitments_register_shows_each_grants_allocation_drawn_and_released(
        drawn_grant):
    row = _register_row(drawn_grant)
    assert (row["compute_allocated"], row["compute_drawn"], row["compute_released"],
            row["compute_committed"]) == (Decimal("12950.00"), Decimal("1295.00"),
                                          Decimal("0.00"), Decimal("12950.00"))
    assert row["committed"] == drawn_grant.approved_amount + Decimal("12950.00")
    # Committed and neither paid nor drawn at the Centre.
    assert row["outstanding"] == row["committed"] - Decimal("1295.00")

    compute_allocation_release(grant=drawn_grant, actor=UserFactory())

    row = _register_row(drawn_grant)
    assert (row["compute_released"], row["compute_committed"]) == (
        Decimal("11655.00"), Decimal("1295.00"))
    assert row["committed"] == drawn_grant.approved_amount + Decimal("1295.00")
    assert row["outstanding"] == drawn_grant.approved_amount


def test_the_commitments_register_totals_agree_with_the_dashboard(drawn_grant):
    compute_allocation_release(grant=drawn_grant, actor=UserFactory())
    [dashboard] = scheme_totals(drawn_grant.round.scheme)

    totals = commitment_totals(scheme_code=drawn_grant.round.scheme.code)

    assert (totals["committed"], totals["compute_committed"], totals["compute_drawn"]) == (
        dashboard["committed"], dashboard["compute_committed"], dashboard["compute_drawn"])
    assert (totals["compute_allocated"], totals["compute_released"]) == (
        Decimal("12950.00"), Decimal("11655.00"))


@pytest.mark.parametrize(("language", "heading", "summary"), [
    ("en", "Compute drawn", "Compute subsidy at the AI Supercomputing Centre: "
     "HK$12,950.00 allocated, HK$1,295.00 drawn, HK$0.00 released."),
    ("zh-hant", "已動用算力資助", "人工智能超算中心的算力資助：已配額 HK$12,950.00，"
     "已動用 HK$1,295.00，已釋放 HK$0.00。"),
])
def test_the_commitments_register_page_shows_the_compute_subsidy(
        client, drawn_grant, language, heading, summary):
    client.force_login(UserFactory(roles=[Role.FINANCE_OFFICER], language=language))

    page = client.get(reverse("finance:commitments_register"),
                      {"scheme": drawn_grant.round.scheme.code}).content.decode()

    assert heading in page and summary in page
    assert "<td class=\"num\">HK$12,950.00</td>" in page


def test_the_commitments_register_csv_has_the_compute_columns_and_totals(
        client, drawn_grant):
    client.force_login(UserFactory(roles=[Role.FINANCE_OFFICER]))

    response = client.get(reverse("finance:commitments_register"),
                          {"scheme": drawn_grant.round.scheme.code, "format": "csv"})
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    [row] = list(csv.DictReader(io.StringIO(body, newline="")))

    assert (row["Compute allocation (HKD)"], row["Compute subsidy drawn (HKD)"],
            row["Compute released (HKD)"], row["Compute committed (HKD)"]) == (
        "12950.00", "1295.00", "0.00", "12950.00")
