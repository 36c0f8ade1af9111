"""Recoveries hold on PostgreSQL under concurrency and against writes that bypass the
services: what is received never exceeds the order, what is ordered never exceeds what
was paid."""

import threading
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from subsidy.finance.models import Recovery, RecoveryReceipt
from subsidy.finance.services.recoveries import (
    recovery_approve,
    recovery_raise,
    recovery_receipt_record,
)
from subsidy.platform.errors import DomainError
from subsidy.platform.models import AuditEvent
from subsidy.platform.roles import Role
from tests.builders.finance import approved_recovery, batched_payment, mark_paid
from tests.factories import UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def recovery(active_grant, officer, finance_officer, finance_approver):
    payment, _batch = batched_payment(active_grant, officer, finance_officer, finance_approver)
    mark_paid(payment, bank_reference="BNK-1")
    return approved_recovery(active_grant, actor=finance_officer, amount="1000.00")


@pytest.fixture
def pending(active_grant, recovery, finance_officer):
    """A second order on the same grant, raised and not yet approved."""
    return recovery_raise(actor=finance_officer, grant=active_grant, reason="overpayment",
                          amount=Decimal("10.00"), note="Again.")


def test_two_receipts_recorded_at_once_never_exceed_the_order(recovery, finance_officer):
    second_officer = UserFactory(roles=[Role.FINANCE_OFFICER])
    barrier = threading.Barrier(2)
    outcomes = []

    def receive(actor, reference):
        try:
            barrier.wait()
            recovery_receipt_record(actor=actor, recovery=recovery, amount=Decimal("700.00"),
                                    received_on=timezone.localdate(),
                                    bank_reference=reference)
            outcomes.append("received")
        except DomainError as error:
            outcomes.append(error.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=receive, args=(finance_officer, "RCV-A")),
               threading.Thread(target=receive, args=(second_officer, "RCV-B"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["receipt_above_order", "received"]
    assert RecoveryReceipt.objects.count() == 1


def test_database_refuses_a_receipt_above_the_order(recovery, finance_officer):
    with pytest.raises(IntegrityError, match="recovery_receipt_within_order|receipts of"):
        with transaction.atomic():
            RecoveryReceipt.objects.create(
                recovery=recovery, grant_id=recovery.grant_id, amount=Decimal("1000.01"),
                received_on=timezone.localdate(), bank_reference="RCV-X",
                recorded_by=finance_officer)

    assert not RecoveryReceipt.objects.exists()


def test_database_refuses_ordering_back_more_than_was_paid(pending):
    with pytest.raises(IntegrityError, match="recovery orders of grant"):
        with transaction.atomic():
            Recovery.objects.filter(pk=pending.pk).update(amount=Decimal("399000.01"))

    assert Recovery.objects.get(pk=pending.pk).amount == Decimal("10.00")


def test_database_refuses_a_receipt_on_an_unapproved_order(pending, finance_officer):
    with pytest.raises(IntegrityError, match="is not approved"):
        with transaction.atomic():
            RecoveryReceipt.objects.create(
                recovery=pending, grant_id=pending.grant_id, amount=Decimal("1.00"),
                received_on=timezone.localdate(), bank_reference="RCV-Y",
                recorded_by=finance_officer)


def test_database_refuses_an_order_approved_by_whoever_raised_it(pending,
                                                                  finance_officer):
    with pytest.raises(IntegrityError, match="recovery_maker_checker"):
        with transaction.atomic():
            Recovery.objects.filter(pk=pending.pk).update(approved_by=finance_officer,
                                                          approved_at=timezone.now())


def test_database_keeps_an_approved_order_as_approved(recovery):
    with pytest.raises(IntegrityError, match="is approved and cannot change"):
        with transaction.atomic():
            Recovery.objects.filter(pk=recovery.pk).update(amount=Decimal("999.00"))


def test_two_approvers_at_once_approve_an_order_once(pending):
    approvers = [UserFactory(roles=[Role.FINANCE_APPROVER]) for _ in range(2)]
    barrier = threading.Barrier(2)
    outcomes = []

    def approve(actor):
        try:
            barrier.wait()
            recovery_approve(actor=actor, recovery=pending)
            outcomes.append("approved")
        except DomainError as error:
            outcomes.append(error.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=approve, args=(a,)) for a in approvers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["approved", "recovery_approved"]
    assert AuditEvent.objects.filter(action="recovery.approve",
                                     object_id=str(pending.pk)).count() == 1
