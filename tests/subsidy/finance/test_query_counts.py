"""The finance work pages ask a fixed number of queries however many rows they show."""

from decimal import Decimal

import pytest
from django.urls import reverse

from subsidy.finance.models import Disbursement
from subsidy.finance.selectors import grant_with_tranches
from subsidy.finance.services.claims import claim_verify, tranche_due_problem, tranche_due_problems
from subsidy.finance.services.payments import (
    payment_approve,
    payment_batch_create,
    payment_prepare,
)
from subsidy.finance.services.tranches import grant_activate
from tests.builders.finance import batched_payment, claim_first_tranche, make_accepted_grant

pytestmark = pytest.mark.django_db


def _get(client, user, url, queries, expected):
    client.force_login(user)
    with queries(expected):
        assert client.get(url).status_code == 200


def _claims(count, officer):
    claims = []
    for _ in range(count):
        grant = make_accepted_grant()
        grant_activate(actor=officer, grant=grant)
        claims.append(claim_first_tranche(grant))
    return claims


def test_claim_queue_asks_the_same_number_of_queries_for_5_or_50_claims(
        client, officer, django_assert_num_queries):
    url = reverse("finance:claims")
    _claims(5, officer)
    _get(client, officer, url, django_assert_num_queries, 5)
    _claims(45, officer)

    _get(client, officer, url, django_assert_num_queries, 5)


def test_batch_list_asks_the_same_number_of_queries_for_5_or_50_batches(
        client, officer, finance_officer, finance_approver, django_assert_num_queries):
    def batches(count):
        for _ in range(count):
            grant = make_accepted_grant()
            grant_activate(actor=officer, grant=grant)
            batched_payment(grant, officer, finance_officer, finance_approver)

    url = reverse("finance:payments")
    batches(5)
    _get(client, finance_officer, url, django_assert_num_queries, 8)
    batches(45)

    _get(client, finance_officer, url, django_assert_num_queries, 8)


def _batch_of(count, officer, finance_officer, finance_approver):
    ids = []
    for claim in _claims(count, officer):
        claim_verify(actor=officer, claim=claim)
        payment = payment_prepare(actor=finance_officer, claim=claim)
        payment_approve(actor=finance_approver, payment=payment)
        ids.append(payment.pk)
    return payment_batch_create(actor=finance_officer, payment_ids=ids)


def test_batch_page_asks_the_same_number_of_queries_for_5_or_50_payments(
        client, officer, finance_officer, finance_approver, django_assert_num_queries):
    small = _batch_of(5, officer, finance_officer, finance_approver)
    large = _batch_of(50, officer, finance_officer, finance_approver)

    _get(client, finance_officer, reverse("finance:batch", args=[small.pk]),
         django_assert_num_queries, 8)

    assert Disbursement.objects.filter(batch=large).count() == 50
    _get(client, finance_officer, reverse("finance:batch", args=[large.pk]),
         django_assert_num_queries, 8)


def _active_grant_with_tranches(count, officer):
    share = str(Decimal(100) / count)
    grant = make_accepted_grant(shares=[share] * count)
    grant_activate(actor=officer, grant=grant)
    claim_first_tranche(grant)
    return grant


# Staff who see finance reports also see the grant's recoveries: one query more (their
# receipts are fetched only when there is an order).
# The grant's conditions precedent and signed agreements: one query each.
# Its compute at the AI Supercomputing Centre: one query.
@pytest.mark.parametrize(("viewer", "expected"), [("owner", 13), ("officer", 14)])
def test_grant_page_asks_the_same_number_of_queries_for_5_or_50_tranches(
        client, officer, viewer, expected, django_assert_num_queries):
    small = _active_grant_with_tranches(5, officer)
    large = _active_grant_with_tranches(50, officer)
    user = {"owner": small.owner, "officer": officer}[viewer]
    large_user = {"owner": large.owner, "officer": officer}[viewer]

    _get(client, user, reverse("finance:grant", args=[small.pk]), django_assert_num_queries,
         expected)

    assert large.tranches.count() == 50
    _get(client, large_user, reverse("finance:grant", args=[large.pk]),
         django_assert_num_queries, expected)


def test_due_problems_of_all_tranches_match_those_of_each_tranche(active_grant):
    claim_first_tranche(active_grant)
    grant = grant_with_tranches(grant_id=active_grant.pk)

    assert tranche_due_problems(grant) == {
        tranche.number: tranche_due_problem(tranche) for tranche in active_grant.tranches.all()}
