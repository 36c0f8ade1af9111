"""Each grant, claim and payment has its own history page: its audit records, newest
first, as the audit-trail page shows them, linked from the grant page, the claim page and
the batch page, for those who may read the audit trail."""

import csv
import io

import pytest
from django.urls import reverse

from subsidy.platform.audit import audit_record
from subsidy.platform.roles import Role
from tests.builders.finance import batched_payment, mark_paid
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def auditor():
    return UserFactory(roles=[Role.FINANCE_APPROVER])


@pytest.fixture
def paid(active_grant, officer, finance_officer, finance_approver):
    payment, batch = batched_payment(active_grant, officer, finance_officer,
                                     finance_approver)
    return mark_paid(payment, bank_reference="BNK-HIST"), batch


def _actions(response) -> list[str]:
    return [row["action"] for row in response.context["rows"]]


def test_a_grants_history_is_one_link_from_its_page(client, auditor, paid, active_grant):
    client.force_login(auditor)

    page = client.get(reverse("finance:grant", args=[active_grant.pk])).content.decode()
    history = client.get(reverse("finance:grant_history", args=[active_grant.pk]))

    assert reverse("finance:grant_history", args=[active_grant.pk]) in page
    assert _actions(history) == ["grant.activate"]
    assert active_grant.application.reference in history.content.decode()


def test_a_claims_and_its_payments_history_are_linked_from_the_claim(client, auditor, paid):
    payment, _batch = paid
    client.force_login(auditor)

    page = client.get(reverse("finance:claim", args=[payment.claim_id])).content.decode()
    claim_history = client.get(reverse("finance:claim_history", args=[payment.claim_id]))
    payment_history = client.get(reverse("finance:payment_history", args=[payment.pk]))

    assert reverse("finance:claim_history", args=[payment.claim_id]) in page
    assert reverse("finance:payment_history", args=[payment.pk]) in page
    assert _actions(claim_history) == ["claim.verify", "claim.submit"]
    assert _actions(payment_history) == ["disbursement.paid", "disbursement.approve",
                                         "disbursement.prepare"]


def test_a_payments_history_is_linked_from_its_batch_and_downloads(client, auditor, paid):
    payment, batch = paid
    client.force_login(auditor)

    page = client.get(reverse("finance:batch", args=[batch.pk])).content.decode()
    download = client.get(reverse("finance:payment_history", args=[payment.pk]),
                          {"format": "csv"})

    assert reverse("finance:payment_history", args=[payment.pk]) in page
    rows = list(csv.DictReader(io.StringIO(
        b"".join(download.streaming_content).decode("utf-8-sig"), newline="")))
    assert [row["Action"] for row in rows] == ["disbursement.paid", "disbursement.approve",
                                               "disbursement.prepare"]


def test_the_company_and_finance_officers_do_not_read_histories(client, paid, active_grant,
                                                                finance_officer):
    payment, _batch = paid
    urls = [reverse("finance:grant_history", args=[active_grant.pk]),
            reverse("finance:claim_history", args=[payment.claim_id]),
            reverse("finance:payment_history", args=[payment.pk])]
    for user in (active_grant.owner, finance_officer):
        client.force_login(user)
        assert [client.get(url).status_code for url in urls] == [403, 403, 403]


def test_a_history_page_asks_the_same_number_of_queries_for_1_or_40_records(
        client, auditor, paid, active_grant, officer, django_assert_num_queries):
    client.force_login(auditor)
    url = reverse("finance:grant_history", args=[active_grant.pk])
    client.get(url)
    with django_assert_num_queries(7):
        assert len(client.get(url).context["rows"]) == 1
    for n in range(39):
        audit_record(actor=officer, action="grant.note", obj=active_grant, after={"n": n})
    with django_assert_num_queries(7):
        assert len(client.get(url).context["rows"]) == 40
