from datetime import date
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from subsidy.finance.models import Claim, Disbursement, Tranche
from subsidy.finance.services.claims import claim_verify
from subsidy.finance.services.payments import (
    batch_totals,
    payment_approve,
    payment_batch_create,
    payment_prepare,
)
from subsidy.finance.services.tranches import grant_activate
from subsidy.notifications.models import Notification
from subsidy.platform.errors import DomainError, PermissionDeniedError
from subsidy.platform.models import AuditEvent
from subsidy.platform.roles import Role
from subsidy.scheme.ledger import grant_paid
from tests.builders.finance import (
    batched_payment,
    claim_first_tranche,
    make_accepted_grant,
    mark_paid,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

S = Disbursement.Status


@pytest.fixture
def prepared(active_grant, officer, finance_officer):
    claim = claim_first_tranche(active_grant)
    claim_verify(actor=officer, claim=claim)
    return payment_prepare(actor=finance_officer, claim=claim)


def test_unverified_claim_cannot_be_prepared(active_grant, finance_officer):
    claim = claim_first_tranche(active_grant)

    with pytest.raises(DomainError, match="verified"):
        payment_prepare(actor=finance_officer, claim=claim)

    assert not Disbursement.objects.exists()


def test_a_different_approver_approves_a_prepared_payment(prepared, finance_approver):
    approved = payment_approve(actor=finance_approver, payment=prepared)

    assert approved.status == S.APPROVED
    assert Notification.objects.filter(event="claim_approved").exists()


def test_preparer_holding_the_approver_role_cannot_approve_their_own_payment(
        active_grant, officer):
    both = UserFactory(roles=[Role.FINANCE_OFFICER, Role.FINANCE_APPROVER,
                              Role.ADMINISTRATOR])
    claim = claim_first_tranche(active_grant)
    claim_verify(actor=officer, claim=claim)
    payment = payment_prepare(actor=both, claim=claim)

    with pytest.raises(PermissionDeniedError, match="someone else"):
        payment_approve(actor=both, payment=payment)

    assert Disbursement.objects.get(pk=payment.pk).status == S.PREPARED


def test_database_refuses_a_payment_approved_by_its_preparer(prepared):
    with pytest.raises(IntegrityError), transaction.atomic():
        Disbursement.objects.filter(pk=prepared.pk).update(
            status=S.APPROVED, approved_by=prepared.prepared_by)


def test_finance_officer_without_the_approver_role_cannot_approve(prepared):
    other_officer = UserFactory(roles=[Role.FINANCE_OFFICER])

    with pytest.raises(PermissionDeniedError):
        payment_approve(actor=other_officer, payment=prepared)


def test_batch_sends_each_payment_to_the_payee_it_was_prepared_with(
        prepared, finance_approver, finance_officer):
    payment_approve(actor=finance_approver, payment=prepared)

    batch = payment_batch_create(actor=finance_officer, payment_ids=[prepared.pk])

    payment = Disbursement.objects.get(pk=prepared.pk)
    assert payment.status == S.BATCHED
    assert payment.account_number == "004-123-456789-001"
    assert batch_totals(batch=batch) == {"count": 1, "total": Decimal("400000.00"),
                                         "paid": 0, "failed": 0}


def test_batch_with_an_unapproved_payment_is_refused_and_changes_nothing(
        active_grant, officer, finance_officer, finance_approver):
    other = make_accepted_grant()
    grant_activate(actor=officer, grant=other)
    claim = claim_first_tranche(other)
    claim_verify(actor=officer, claim=claim)
    approved = payment_approve(
        actor=finance_approver, payment=payment_prepare(actor=finance_officer,
                                                                   claim=claim))
    claim = claim_first_tranche(active_grant)
    claim_verify(actor=officer, claim=claim)
    unapproved = payment_prepare(actor=finance_officer, claim=claim)

    with pytest.raises(DomainError, match="not approved"):
        payment_batch_create(actor=finance_officer,
                             payment_ids=[approved.pk, unapproved.pk])

    assert Disbursement.objects.get(pk=approved.pk).status == S.APPROVED
    assert Disbursement.objects.get(pk=approved.pk).batch_id is None


def test_marking_paid_pays_the_tranche_and_the_claim(active_grant, officer, finance_officer,
                                                    finance_approver):
    payment, _batch = batched_payment(active_grant, officer, finance_officer, finance_approver)

    mark_paid(payment, bank_reference="HSBC-42")

    assert Disbursement.objects.get(pk=payment.pk).status == S.PAID
    assert Tranche.objects.get(pk=payment.tranche_id).status == Tranche.Status.PAID
    assert Claim.objects.get(pk=payment.claim_id).status == Claim.Status.PAID
    assert grant_paid(grant_id=active_grant.pk) == Decimal("400000.00")
    assert Notification.objects.filter(event="claim_paid").exists()
    assert AuditEvent.objects.filter(action="disbursement.paid").exists()
    assert list(payment.outcomes.values_list("kind", "bank_reference")) == [
        ("paid", "HSBC-42")]


def test_payment_marked_paid_twice_is_refused_and_keeps_the_first_reference(
        active_grant, officer, finance_officer, finance_approver):
    payment, _batch = batched_payment(active_grant, officer, finance_officer, finance_approver)
    mark_paid(payment, bank_reference="FIRST")

    with pytest.raises(DomainError, match="paid already"):
        mark_paid(payment, bank_reference="SECOND")

    assert Disbursement.objects.get(pk=payment.pk).bank_reference == "FIRST"
    assert grant_paid(grant_id=active_grant.pk) == Decimal("400000.00")


def test_paid_without_a_bank_reference_is_refused(active_grant, officer, finance_officer,
                                                  finance_approver):
    payment, _batch = batched_payment(active_grant, officer, finance_officer, finance_approver)

    with pytest.raises(DomainError):
        mark_paid(payment, bank_reference=" ")

    assert Disbursement.objects.get(pk=payment.pk).status == S.BATCHED


def test_database_refuses_a_second_paid_payment_for_a_tranche(
        active_grant, officer, finance_officer, finance_approver):
    payment, _batch = batched_payment(active_grant, officer, finance_officer, finance_approver)
    mark_paid(payment, bank_reference="A")
    Claim.objects.filter(pk=payment.claim_id).update(status=Claim.Status.CANCELLED)
    second_claim = Claim.objects.create(tranche=payment.tranche, amount=Decimal("1"),
                                        narrative="x")

    with pytest.raises(IntegrityError), transaction.atomic():
        Disbursement.objects.create(
            claim=second_claim, tranche=payment.tranche, grant=active_grant,
            amount=Decimal("1"), status=S.PAID, prepared_by=finance_officer,
            approved_by=UserFactory(), bank_reference="B", value_date=date(2027, 1, 6),
            payee_name="X", bank_name="HSBC", account_number="004-1")


def test_batches_made_in_the_same_minute_get_distinct_references_with_their_number(
        officer, finance_officer, finance_approver):
    batches = []
    for _ in range(2):
        grant = make_accepted_grant()
        grant_activate(actor=officer, grant=grant)
        batches.append(batched_payment(grant, officer, finance_officer, finance_approver)[1])

    assert [b.reference.rsplit("-", 1)[1] for b in batches] == [
        f"{b.pk:05d}" for b in batches]
