"""The closure page: the checklist refuses a grant not ready to close, item by item, and
a ready grant closes from it, completed or terminated with its reason, in English and in
Chinese; the company sees the outcome on its grant page."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from applicants.models import Application
from subsidy.closure.models import GrantClosure
from subsidy.finance.models import Tranche
from subsidy.finance.services.claims import ClaimInput, claim_submit, claim_verify
from subsidy.finance.services.payments import (
    payment_approve,
    payment_batch_create,
    payment_batch_release,
    payment_prepare,
)
from subsidy.finance.services.recoveries import recovery_raise
from subsidy.notifications.models import Notification
from subsidy.scheme.models import Grant
from subsidy.webhooks.models import WebhookDelivery
from tests.builders.closure import pay_every_tranche
from tests.builders.finance import batched_payment, mark_paid, releaser
from tests.builders.partners import link
from tests.builders.progress import final_report_accept
from tests.builders.webhooks import make_endpoint

pytestmark = pytest.mark.django_db


def _page(grant):
    return reverse("closure:grant", args=[grant.pk])


def _set_language(client, language):
    client.post(reverse("set_language"), {"language": language, "next": "/"})


def test_completing_is_refused_from_the_page_while_tranches_are_unpaid(client, officer,
                                                                       active_grant):
    client.force_login(officer)

    response = client.post(_page(active_grant), {"outcome": "completed"})

    assert response.status_code == 200
    assert "3 tranche(s) of this grant are not paid yet" in response.content.decode()
    assert Grant.objects.get(pk=active_grant.pk).status == Grant.Status.ACTIVE
    assert not GrantClosure.objects.exists()


def test_the_page_shows_each_item_with_its_state_and_where_to_act(client, officer,
                                                                  active_grant):
    client.force_login(officer)

    page = client.get(_page(active_grant)).content.decode()

    assert 'id="checklist-completed"' in page and 'id="checklist-terminated"' in page
    assert 'data-item="tranches" data-state="open"' in page
    assert 'data-item="commitment" data-state="on_closing"' in page
    assert reverse("finance:grant", args=[active_grant.pk]) in page
    assert reverse("progress:grant_reports", args=[active_grant.pk]) in page


def test_terminating_needs_a_reason(client, officer, active_grant):
    client.force_login(officer)

    response = client.post(_page(active_grant), {"outcome": "terminated", "reason": " "})

    assert response.status_code == 200
    assert "Give the reason for terminating the project." in response.content.decode()
    assert Grant.objects.get(pk=active_grant.pk).status == Grant.Status.ACTIVE


@pytest.mark.parametrize(("language", "closed_text", "outcome_text"), [
    ("en", "The grant is closed.", "Completed"),
    ("zh-hant", "資助已結束。", "已完成"),
])
def test_a_paid_grant_is_completed_from_the_page(client, officer, finance_officer,
                                                  finance_approver, active_grant, language,
                                                  closed_text, outcome_text):
    pay_every_tranche(active_grant, officer, finance_officer, finance_approver)
    final_report_accept(active_grant, owner=active_grant.owner, officer=officer)
    client.force_login(officer)
    _set_language(client, language)

    response = client.post(_page(active_grant), {"outcome": "completed"}, follow=True)

    page = response.content.decode()
    assert closed_text in page
    assert f'id="closure-outcome">{outcome_text}' in page
    closure = GrantClosure.objects.get(grant=active_grant)
    assert (closure.outcome, closure.paid_amount, closure.released_commitment) == (
        "completed", Decimal("1000000.00"), Decimal("0.00"))
    assert Application.objects.get(pk=active_grant.application_id).status == "completed"


def test_terminating_from_the_page_cancels_the_rest_and_the_company_sees_why(
        client, officer, finance_officer, finance_approver, active_grant):
    payment, _batch = batched_payment(active_grant, officer, finance_officer,
                                      finance_approver)
    mark_paid(payment, bank_reference="REF-T1")
    client.force_login(officer)

    client.post(_page(active_grant), {"outcome": "terminated",
                                      "reason": "The founders left the company."})

    closure = GrantClosure.objects.get(grant=active_grant)
    assert closure.released_commitment == Decimal("600000.00")
    assert set(active_grant.tranches.values_list("status", flat=True)) == {
        Tranche.Status.PAID, Tranche.Status.CANCELLED}
    client.force_login(active_grant.owner)
    grant_page = client.get(reverse("finance:grant", args=[active_grant.pk])).content.decode()
    assert "The founders left the company." in grant_page
    assert 'id="grant-closure">Terminated' in grant_page


def test_a_payment_at_the_bank_holds_the_termination(client, officer, finance_officer,
                                                      finance_approver, active_grant):
    batched_payment(active_grant, officer, finance_officer, finance_approver)
    client.force_login(officer)

    response = client.post(_page(active_grant), {"outcome": "terminated", "reason": "Stop."})

    assert "A payment of this grant is with the bank" in response.content.decode()
    assert Grant.objects.get(pk=active_grant.pk).status == Grant.Status.ACTIVE


def _pay_first_with_spend(grant, officer, finance_officer, finance_approver, spend):
    tranche = grant.tranches.get(number=1)
    line = grant.application.budget_lines.get()
    claim = claim_submit(actor=grant.owner, tranche=tranche, data=ClaimInput(
        amount=tranche.amount, narrative="Done.", spend={line.pk: Decimal(spend)}))
    claim_verify(actor=officer, claim=claim)
    payment = payment_approve(actor=finance_approver,
                              payment=payment_prepare(actor=finance_officer, claim=claim))
    batch = payment_batch_create(actor=finance_officer, payment_ids=[payment.pk])
    payment_batch_release(actor=releaser(), batch=batch, execution_date=timezone.localdate())
    payment.refresh_from_db()
    mark_paid(payment, bank_reference="REF-SPEND")


def test_money_paid_beyond_the_reported_spend_must_be_ordered_back_before_closing(
        client, officer, finance_officer, finance_approver, active_grant):
    # 400,000 paid; 600,000 spent at the grant's 50% earns 300,000: 100,000 is due back.
    _pay_first_with_spend(active_grant, officer, finance_officer, finance_approver,
                          "600000.00")
    client.force_login(officer)

    refused = client.post(_page(active_grant), {"outcome": "terminated", "reason": "Stop."})

    assert "Recoveries raised where due" in refused.content.decode()
    assert Grant.objects.get(pk=active_grant.pk).status == Grant.Status.ACTIVE
    recovery_raise(actor=finance_officer, grant=active_grant, reason="termination",
                   amount=Decimal("100000.00"), note="Paid beyond the spend.")

    client.post(_page(active_grant), {"outcome": "terminated", "reason": "Stop."})

    closure = GrantClosure.objects.get(grant=active_grant)
    assert closure.recoveries_raised == Decimal("100000.00")


def test_the_finance_button_takes_the_same_checklist(client, officer, finance_officer,
                                                      finance_approver, active_grant):
    _pay_first_with_spend(active_grant, officer, finance_officer, finance_approver,
                          "600000.00")
    client.force_login(officer)

    response = client.post(reverse("finance:grant_terminate", args=[active_grant.pk]),
                           {"reason": "Stop."}, follow=True)

    assert "Recoveries raised where due" in response.content.decode()
    assert Grant.objects.get(pk=active_grant.pk).status == Grant.Status.ACTIVE


def test_closing_tells_every_member_and_the_linked_partner(
        client, officer, finance_officer, finance_approver, active_grant, partner,
        django_capture_on_commit_callbacks):
    pay_every_tranche(active_grant, officer, finance_officer, finance_approver)
    final_report_accept(active_grant, owner=active_grant.owner, officer=officer)
    link(partner, active_grant.application.organisation)
    make_endpoint(partner, event_types=["grant.closed"])
    client.force_login(officer)

    client.post(_page(active_grant), {"outcome": "completed"})

    notes = Notification.objects.filter(event="grant_closed")
    assert [n.recipient for n in notes] == [active_grant.owner]
    assert notes.get().context["outcome"] == "completed"
    delivery = WebhookDelivery.objects.get(event_type="grant.closed")
    assert delivery.payload["data"]["grant"]["outcome"] == "completed"
    assert delivery.payload["data"]["application"]["status"] == "completed"


def test_only_the_programme_office_closes_grants(client, finance_officer, active_grant):
    client.force_login(finance_officer)

    assert client.get(_page(active_grant)).status_code == 403
    client.force_login(active_grant.owner)
    assert client.post(_page(active_grant), {"outcome": "completed"}).status_code == 403
