import pytest

from subsidy.variations.selectors import open_variation_counts
from tests.factories import GrantFactory, VariationFactory


@pytest.mark.django_db
def test_open_variation_counts_counts_only_requests_waiting_for_a_decision(
        django_assert_num_queries):
    waiting = VariationFactory()
    decided = VariationFactory(status="withdrawn", withdrawn_at="2027-01-01T00:00:00Z")
    VariationFactory(grant=decided.grant, status="withdrawn", withdrawn_at="2027-01-02T00:00Z")
    quiet = GrantFactory()

    with django_assert_num_queries(1):
        counts = open_variation_counts([waiting.grant_id, decided.grant_id, quiet.pk])

    assert counts == {waiting.grant_id: 1}
    assert counts.get(quiet.pk, 0) == 0


@pytest.mark.django_db
def test_open_variation_counts_of_no_grants_asks_nothing(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert open_variation_counts([]) == {}
