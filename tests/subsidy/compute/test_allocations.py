"""A grant's compute allocation: valued at the round's rate and the grant's ratio, counted
in the round's committed figure until released at closure, and summarised for any number
of grants in one query."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from applicants.workflow import application_transition
from subsidy.compute.models import ComputeAllocation
from subsidy.compute.selectors import grant_compute_summaries
from subsidy.compute.services.allocations import (
    compute_allocation_release,
    compute_allocation_set,
)
from subsidy.platform.errors import DomainError
from subsidy.scheme.ledger import round_committed, rounds_with_commitments
from subsidy.scheme.models import Grant
from tests.builders.finance import make_offered_grant
from tests.factories import (
    ComputeAllocationFactory,
    ComputeChargeFactory,
    FundingRoundFactory,
    GrantFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def test_the_allocation_is_hours_at_the_round_s_rate_times_the_grant_s_ratio():
    grant = GrantFactory(approved_ratio_percent=Decimal("70"))  # round rate 18.50

    allocation = compute_allocation_set(actor=UserFactory(), grant=grant, hours="1000")

    assert allocation.amount == Decimal("12950.00")
    assert (allocation.list_rate, allocation.ratio_percent) == (Decimal("18.50"),
                                                                 Decimal("70.00"))


def test_the_allocation_counts_in_the_round_s_committed_figure_until_released():
    grant = GrantFactory(approved_ratio_percent=Decimal("50"))
    before = round_committed(round_id=grant.round_id)
    compute_allocation_set(actor=UserFactory(), grant=grant, hours="1000")  # 9,250.00
    ComputeChargeFactory(allocation=grant.compute_allocation, hours=Decimal("200"))  # 1,850

    assert round_committed(round_id=grant.round_id) == before + Decimal("9250.00")

    released = compute_allocation_release(grant=grant, actor=UserFactory())

    assert released == Decimal("7400.00")
    assert round_committed(round_id=grant.round_id) == before + Decimal("1850.00")
    [row] = [r for r in rounds_with_commitments() if r.pk == grant.round_id]
    assert row.remaining == row.envelope - row.committed


def test_releasing_twice_changes_nothing_and_says_the_same_amount():
    allocation = ComputeAllocationFactory()
    first = compute_allocation_release(grant=allocation.grant, actor=None)
    second = compute_allocation_release(grant=allocation.grant, actor=None)

    assert first == second == allocation.amount
    allocation.refresh_from_db()
    assert allocation.released_amount == allocation.amount


def test_a_grant_without_an_allocation_releases_nothing():
    assert compute_allocation_release(grant=GrantFactory(), actor=None) == Decimal("0.00")


def test_an_allocation_beyond_the_envelope_is_refused():
    round_ = FundingRoundFactory(envelope=Decimal("1000000.00"),
                                 max_subsidy_per_project=Decimal("1000000.00"))
    grant = GrantFactory(application__round=round_,
                         application__requested_subsidy=Decimal("995000.00"))

    with pytest.raises(DomainError) as refused:
        compute_allocation_set(actor=None, grant=grant, hours="1000")  # 9,250 > 5,000 left

    assert refused.value.code == "envelope_exhausted"
    assert not ComputeAllocation.objects.exists()


def test_a_closed_grant_gets_no_allocation():
    grant = GrantFactory(status=Grant.Status.COMPLETED)

    with pytest.raises(DomainError):
        compute_allocation_set(actor=None, grant=grant, hours="10")


def test_the_allocation_cannot_fall_below_what_was_drawn():
    charge = ComputeChargeFactory(hours=Decimal("500"))

    with pytest.raises(DomainError) as refused:
        compute_allocation_set(actor=None, grant=charge.grant, hours="100")

    assert refused.value.code == "below_drawn"


def test_summaries_of_many_grants_take_one_query(django_assert_num_queries):
    grants = []
    for _ in range(4):
        charge = ComputeChargeFactory(hours=Decimal("100"), period=date(2026, 10, 1))
        ComputeChargeFactory(allocation=charge.allocation, statement__period=date(2026, 11, 1),
                             hours=Decimal("100"))
        grants.append(charge.grant_id)

    without = GrantFactory().pk

    with django_assert_num_queries(1):
        summaries = grant_compute_summaries([*grants, without])

    assert set(summaries) == set(grants)
    summary = summaries[grants[0]]
    # 1000 hours at 18.50 x 50% = 9,250; 200 hours used = 1,850 drawn.
    assert summary.allocation_amount == Decimal("9250.00")
    assert summary.drawn_amount == Decimal("1850.00")
    assert summary.used_hours == Decimal("200.00")
    assert summary.percent_used == Decimal("20.00")
    # 925 a month over October and November: 7,400 left lasts 8 months from 30 November.
    assert summary.forecast_exhaustion == date(2027, 7, 31)


def test_a_summary_without_use_forecasts_nothing():
    allocation = ComputeAllocationFactory()

    summary = grant_compute_summaries([allocation.grant_id])[allocation.grant_id]

    assert summary.forecast_exhaustion is None
    assert summary.percent_used == Decimal("0.00")


@pytest.mark.postgres
def test_the_database_refuses_drawing_beyond_the_allocation():
    allocation = ComputeAllocationFactory(hours=Decimal("10"))

    with pytest.raises(IntegrityError), transaction.atomic():
        ComputeChargeFactory(allocation=allocation, hours=Decimal("20"))


@pytest.mark.postgres
def test_the_database_refuses_an_allocation_beyond_the_envelope():
    round_ = FundingRoundFactory(envelope=Decimal("1000000.00"),
                                 max_subsidy_per_project=Decimal("1000000.00"))
    grant = GrantFactory(application__round=round_,
                         application__requested_subsidy=Decimal("995000.00"))

    with pytest.raises(IntegrityError), transaction.atomic():
        ComputeAllocationFactory(grant=grant, hours=Decimal("1000"))
    with connection.cursor() as cursor:
        cursor.execute("SELECT aiss_round_committed(%s)", [round_.pk])
        assert cursor.fetchone()[0] == Decimal("995000.00")


def _offered_grant_with_allocation():
    grant = make_offered_grant()
    compute_allocation_set(actor=UserFactory(), grant=grant, hours="1000")
    return grant


def test_declining_the_offer_on_its_page_releases_the_compute_allocation_too(client):
    grant = _offered_grant_with_allocation()
    before = round_committed(round_id=grant.round_id)
    client.force_login(grant.owner)

    response = client.post(reverse("applicants:offer_response", args=[grant.application_id]),
                           {"decision": "decline", "confirm": "on"})

    assert response.status_code == 302
    grant.refresh_from_db()
    assert grant.status == Grant.Status.DECLINED
    allocation = ComputeAllocation.objects.get(grant=grant)
    assert (allocation.released_amount, allocation.released_at is not None) == (
        allocation.amount, True)
    # Neither the cash nor the compute commitment of a declined offer counts any more.
    assert round_committed(round_id=grant.round_id) == (
        before - grant.approved_amount - allocation.amount)


def test_an_offer_that_lapses_releases_its_compute_allocation():
    grant = _offered_grant_with_allocation()
    Grant.objects.filter(pk=grant.pk).update(
        offer_expires_at=timezone.now() - timezone.timedelta(minutes=1))
    before = round_committed(round_id=grant.round_id)

    application_transition(actor=None, application=grant.application,
                           transition_name="lapse_offer")

    allocation = ComputeAllocation.objects.get(grant=grant)
    assert allocation.released_amount == allocation.amount
    assert round_committed(round_id=grant.round_id) == (
        before - grant.approved_amount - allocation.amount)
