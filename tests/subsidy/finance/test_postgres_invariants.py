"""The money invariants hold on PostgreSQL under concurrency and against writes that
bypass the services."""

import threading
from datetime import date
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction

from subsidy.finance.models import Disbursement, Tranche
from subsidy.finance.services.payments import payment_mark_paid
from subsidy.platform.errors import DomainError
from subsidy.platform.roles import Role
from subsidy.scheme.ledger import grant_paid
from tests.builders.finance import batched_payment
from tests.factories import UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_finance_users_marking_the_same_payment_at_once_pay_it_once(
        active_grant, officer, finance_officer, finance_approver):
    payment, _batch = batched_payment(active_grant, officer, finance_officer, finance_approver)
    second_officer = UserFactory(roles=[Role.FINANCE_OFFICER])
    barrier = threading.Barrier(2)
    outcomes = []

    def mark(actor, reference):
        try:
            barrier.wait()
            payment_mark_paid(actor=actor, payment=payment, bank_reference=reference,
                              value_date=date(2027, 1, 5))
            outcomes.append("paid")
        except DomainError as error:
            outcomes.append(error.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=mark, args=(finance_officer, "A")),
               threading.Thread(target=mark, args=(second_officer, "B"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["already_paid", "paid"]
    assert Disbursement.objects.filter(status=Disbursement.Status.PAID).count() == 1
    assert grant_paid(grant_id=active_grant.pk) == Decimal("400000.00")


def test_database_refuses_tranches_that_do_not_sum_to_the_approved_amount(active_grant):
    with pytest.raises(IntegrityError, match="not its approved amount"):
        with transaction.atomic():
            Tranche.objects.filter(grant=active_grant, number=3).update(
                amount=Decimal("299999.99"))

    assert sum(active_grant.tranches.values_list("amount", flat=True)) == Decimal("1000000")


def test_database_refuses_paying_more_than_the_tranche(
        active_grant, officer, finance_officer, finance_approver):
    payment, _batch = batched_payment(active_grant, officer, finance_officer, finance_approver)

    with pytest.raises(IntegrityError, match="exceeds"):
        with transaction.atomic():
            Disbursement.objects.filter(pk=payment.pk).update(
                amount=Decimal("400000.01"), status=Disbursement.Status.PAID,
                bank_reference="X", value_date=date(2027, 1, 5))

    assert Disbursement.objects.get(pk=payment.pk).status == Disbursement.Status.BATCHED
