from datetime import date
from decimal import Decimal

import pytest

from applicants.models import Application
from subsidy.finance.models import Claim, Disbursement, Tranche
from subsidy.finance.services.claims import claim_verify
from subsidy.finance.services.payments import (
    payment_approve,
    payment_prepare,
)
from subsidy.finance.services.tranches import grant_terminate
from subsidy.platform.errors import DomainError
from subsidy.scheme.ledger import round_committed, round_remaining, rounds_with_commitments
from subsidy.scheme.models import Grant
from tests.builders.closure import accept_final_report
from tests.builders.finance import batched_payment, claim_first_tranche, mark_paid

pytestmark = pytest.mark.django_db


def _pay_first(grant, officer, finance_officer, finance_approver):
    payment, _batch = batched_payment(grant, officer, finance_officer, finance_approver)
    mark_paid(payment, bank_reference="REF-1",
              value_date=date(2027, 1, 5))
    return payment


def test_terminating_cancels_unpaid_tranches_and_keeps_the_paid_one(
        active_grant, officer, finance_officer, finance_approver):
    _pay_first(active_grant, officer, finance_officer, finance_approver)

    grant_terminate(actor=officer, grant=active_grant, reason="Project abandoned.")

    assert dict(active_grant.tranches.values_list("number", "status")) == {
        1: Tranche.Status.PAID, 2: Tranche.Status.CANCELLED, 3: Tranche.Status.CANCELLED}
    assert Grant.objects.get(pk=active_grant.pk).status == Grant.Status.TERMINATED
    assert Application.objects.get(pk=active_grant.application_id).status == "terminated"


def test_terminated_grant_commits_only_what_was_paid(active_grant, officer, finance_officer,
                                                     finance_approver):
    round_ = active_grant.round
    _pay_first(active_grant, officer, finance_officer, finance_approver)
    assert round_committed(round_id=round_.pk) == Decimal("1000000.00")

    grant_terminate(actor=officer, grant=active_grant, reason="Project abandoned.")

    assert round_committed(round_id=round_.pk) == Decimal("400000.00")
    assert round_remaining(round_=round_) == round_.envelope - Decimal("400000.00")
    [figures] = [r for r in rounds_with_commitments() if r.pk == round_.pk]
    assert figures.committed == Decimal("400000.00")


def test_terminating_cancels_an_open_claim(active_grant, officer):
    claim = claim_first_tranche(active_grant)

    grant_terminate(actor=officer, grant=active_grant, reason="Breach of conditions.")

    assert Claim.objects.get(pk=claim.pk).status == Claim.Status.CANCELLED


def test_grant_with_a_payment_at_the_bank_cannot_be_terminated(
        active_grant, officer, finance_officer, finance_approver):
    batched_payment(active_grant, officer, finance_officer, finance_approver)

    with pytest.raises(DomainError, match="with the bank"):
        grant_terminate(actor=officer, grant=active_grant, reason="Stop.")

    assert Grant.objects.get(pk=active_grant.pk).status == Grant.Status.ACTIVE
    assert Disbursement.objects.get().status == Disbursement.Status.BATCHED


def test_termination_needs_a_reason(active_grant, officer):
    with pytest.raises(DomainError):
        grant_terminate(actor=officer, grant=active_grant, reason="")

    assert Grant.objects.get(pk=active_grant.pk).status == Grant.Status.ACTIVE
    assert not active_grant.tranches.filter(status=Tranche.Status.CANCELLED).exists()


def test_grant_with_unpaid_tranches_cannot_be_completed(active_grant, officer):
    from subsidy.finance.services.tranches import grant_complete

    with pytest.raises(DomainError, match="not paid"):
        grant_complete(actor=officer, grant=active_grant)

    assert Grant.objects.get(pk=active_grant.pk).status == Grant.Status.ACTIVE


def test_grant_completes_once_every_tranche_is_paid(active_grant, officer, finance_officer,
                                                   finance_approver):
    from subsidy.finance.services.tranches import grant_complete

    for number in (1, 2, 3):
        payment, _batch = batched_payment(active_grant, officer, finance_officer,
                                          finance_approver, number=number)
        mark_paid(payment, bank_reference=f"R-{payment.pk}",
                  value_date=date(2027, 1, number))
    accept_final_report(active_grant)

    grant_complete(actor=officer, grant=active_grant)

    assert Grant.objects.get(pk=active_grant.pk).status == Grant.Status.COMPLETED
    assert Application.objects.get(pk=active_grant.application_id).status == "completed"


def test_payment_of_a_terminated_grant_cannot_be_prepared(active_grant, officer,
                                                          finance_officer):
    claim = claim_first_tranche(active_grant)
    claim_verify(actor=officer, claim=claim)
    grant_terminate(actor=officer, grant=active_grant, reason="Project abandoned.")

    with pytest.raises(DomainError) as refused:
        payment_prepare(actor=finance_officer, claim=claim)

    assert refused.value.code == "grant_not_active"
    assert not Disbursement.objects.exists()


def test_payment_of_a_terminated_grant_cannot_be_approved(active_grant, officer,
                                                          finance_officer, finance_approver):
    claim = claim_first_tranche(active_grant)
    claim_verify(actor=officer, claim=claim)
    payment = payment_prepare(actor=finance_officer, claim=claim)
    grant_terminate(actor=officer, grant=active_grant, reason="Project abandoned.")

    with pytest.raises(DomainError) as refused:
        payment_approve(actor=finance_approver, payment=payment)

    assert refused.value.code == "grant_not_active"
    assert Disbursement.objects.get().status == Disbursement.Status.CANCELLED


def test_tranche_of_a_terminated_grant_cannot_be_claimed(active_grant, officer):
    grant_terminate(actor=officer, grant=active_grant, reason="Project abandoned.")

    with pytest.raises(DomainError, match="only while the grant is active"):
        claim_first_tranche(active_grant)

    assert not Claim.objects.exists()
