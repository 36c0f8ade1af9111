"""The money invariants hold on PostgreSQL under concurrency and against writes that
bypass the services."""

import threading
from datetime import date
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from subsidy.finance.bankfiles.records import BankStatementEntry
from subsidy.finance.models import (
    Claim,
    Disbursement,
    PaymentBatch,
    PaymentOutcome,
    Tranche,
)
from subsidy.finance.services.payments import payment_mark_paid
from subsidy.finance.services.statements import bank_statement_import
from subsidy.platform.errors import DomainError
from subsidy.scheme.ledger import grant_paid
from tests.builders.finance import batched_payment, mark_paid, settler

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_finance_users_marking_the_same_payment_at_once_pay_it_once(
        active_grant, officer, finance_officer, finance_approver):
    payment, _batch = batched_payment(active_grant, officer, finance_officer, finance_approver)
    first_officer, second_officer = settler(), settler()
    barrier = threading.Barrier(2)
    outcomes = []

    def mark(actor, reference):
        try:
            barrier.wait()
            payment_mark_paid(actor=actor, payment=payment, bank_reference=reference,
                              value_date=timezone.localdate())
            outcomes.append("paid")
        except DomainError as error:
            outcomes.append(error.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=mark, args=(first_officer, "A")),
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


def test_database_refuses_changing_the_amount_of_a_prepared_payment(
        active_grant, officer, finance_officer, finance_approver):
    payment, _batch = batched_payment(active_grant, officer, finance_officer, finance_approver)

    with pytest.raises(IntegrityError, match="fixed when it is prepared"):
        with transaction.atomic():
            Disbursement.objects.filter(pk=payment.pk).update(
                amount=Decimal("400000.01"), status=Disbursement.Status.PAID,
                bank_reference="X", value_date=date(2027, 1, 5))

    assert Disbursement.objects.get(pk=payment.pk).status == Disbursement.Status.BATCHED


def test_database_refuses_a_payment_above_its_tranche(active_grant, finance_officer):
    tranche = active_grant.tranches.get(number=2)
    claim = Claim.objects.create(tranche=tranche, amount=tranche.amount, narrative="x",
                                 status=Claim.Status.VERIFIED)

    with pytest.raises(IntegrityError, match="exceeds"):
        with transaction.atomic():
            Disbursement.objects.create(
                claim=claim, tranche=tranche, grant=active_grant,
                amount=tranche.amount + Decimal("0.01"), prepared_by=finance_officer,
                payee_name="X", bank_name="HSBC", account_number="004-1")


def test_two_statements_naming_the_same_payment_at_once_settle_it_once(
        active_grant, officer, finance_officer, finance_approver):
    payment, _batch = batched_payment(active_grant, officer, finance_officer, finance_approver)
    today = timezone.localdate().isoformat()
    barrier = threading.Barrier(2)
    results = []

    def run(statement_id, reference):
        content = (f"end_to_end_id,bank_reference,amount,value_date,status,reason\r\n"
                   f"{payment.end_to_end_id},{reference},400000.00,{today},paid,"
                   f"\r\n,{statement_id}-unused,1.00,{today},failed,x\r\n").encode()
        try:
            barrier.wait()
            bank_statement_import(actor=settler(), file_name=f"{statement_id}.csv",
                                  content=content)
            results.append("imported")
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=("A", "HSBC-A")),
               threading.Thread(target=run, args=("B", "HSBC-B"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert results == ["imported", "imported"]
    assert PaymentOutcome.objects.filter(payment=payment).count() == 1
    assert sorted(BankStatementEntry.objects.filter(payment=payment)
                  .values_list("result", flat=True)) == ["already", "matched"]
    assert grant_paid(grant_id=active_grant.pk) == Decimal("400000.00")


def test_database_refuses_changing_a_released_batch_its_file_or_a_payee(
        active_grant, officer, finance_officer, finance_approver):
    payment, batch = batched_payment(active_grant, officer, finance_officer, finance_approver)

    with pytest.raises(IntegrityError), transaction.atomic():
        PaymentBatch.objects.filter(pk=batch.pk).update(file_xml="<Document/>")
    with pytest.raises(IntegrityError), transaction.atomic():
        PaymentBatch.objects.filter(pk=batch.pk).delete()
    with pytest.raises(IntegrityError), transaction.atomic():
        Disbursement.objects.filter(pk=payment.pk).update(account_number="012-1")
    with pytest.raises(IntegrityError), transaction.atomic():
        Disbursement.objects.filter(pk=payment.pk).update(batch=None)


def test_database_keeps_a_payment_outcome_as_recorded(
        active_grant, officer, finance_officer, finance_approver):
    payment, _batch = batched_payment(active_grant, officer, finance_officer, finance_approver)
    mark_paid(payment, bank_reference="HSBC-1")

    with pytest.raises(IntegrityError), transaction.atomic():
        PaymentOutcome.objects.filter(payment=payment).update(bank_reference="HSBC-2")
    with pytest.raises(IntegrityError), transaction.atomic():
        PaymentOutcome.objects.filter(payment=payment).delete()
