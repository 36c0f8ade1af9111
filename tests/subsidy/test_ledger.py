from decimal import Decimal

import pytest

from subsidy.scheme.ledger import round_committed, round_remaining, rounds_with_commitments
from subsidy.scheme.models import Grant
from tests.factories import FundingRoundFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


def _grant(round_, amount, status):
    from applicants.models import Application

    application = Application.objects.create(round=round_, organisation=OrganisationFactory(),
                                             title="Project")
    return Grant.objects.create(application=application, round=round_, status=status,
                                approved_amount=Decimal(amount),
                                approved_ratio_percent=Decimal("70"))


def test_committed_counts_open_grants_whole_and_closed_ones_for_their_net_paid_only():
    round_ = FundingRoundFactory(envelope=Decimal("10000000"))
    for status in ["offered", "accepted", "active"]:
        _grant(round_, "1000000.00", status)
    # Nothing was paid on these: a closed grant releases all it did not pay.
    for status in ["completed", "terminated"]:
        _grant(round_, "888888.00", status)
    for status in ["declined", "lapsed"]:
        _grant(round_, "999999.00", status)

    assert round_committed(round_id=round_.pk) == Decimal("3000000.00")
    assert round_remaining(round_=round_) == Decimal("7000000.00")


def test_rounds_with_commitments_matches_the_per_round_figures():
    busy = FundingRoundFactory(envelope=Decimal("5000000"),
                               max_subsidy_per_project=Decimal("1000000"))
    quiet = FundingRoundFactory(envelope=Decimal("3000000"),
                                max_subsidy_per_project=Decimal("1000000"))
    _grant(busy, "1250000.50", "offered")
    _grant(busy, "250000.25", "active")

    figures = {r.pk: (r.committed, r.remaining) for r in rounds_with_commitments()}

    assert figures[busy.pk] == (Decimal("1500000.75"), Decimal("3499999.25"))
    assert figures[quiet.pk] == (Decimal("0.00"), Decimal("3000000.00"))


def test_round_figures_read_each_source_once_whatever_the_number_of_rounds(
        django_assert_num_queries):
    """As subqueries per round, every round's paid figure scanned the paid payments again,
    two or three times each: the finance dashboard took seconds on a scheme of 10,000
    grants. Now the rounds, then one grouped query per source in one statement."""
    rounds = [FundingRoundFactory(envelope=Decimal("5000000"),
                                  max_subsidy_per_project=Decimal("1000000"))
              for _ in range(3)]
    for round_ in rounds:
        _grant(round_, "1000000.00", "active")
        _grant(round_, "500000.00", "completed")

    with django_assert_num_queries(2) as queries:
        figures = {r.pk: r.committed for r in rounds_with_commitments()}
    with django_assert_num_queries(1):
        committed = round_committed(round_id=rounds[0].pk)

    assert figures == dict.fromkeys((r.pk for r in rounds), Decimal("1000000.00"))
    assert committed == Decimal("1000000.00")
    statement = queries.captured_queries[1]["sql"]
    assert statement.count("UNION ALL") == 3 and statement.count("GROUP BY") == 4
