"""Closed periods hold on PostgreSQL, against writes that bypass the services and under
concurrency: nothing is posted with a value date in a closed month, a closed period and
its adjustments never change, and a close racing a payment either counts it or refuses it."""

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from subsidy.finance.models import Disbursement, PaymentOutcome, RecoveryReceipt
from subsidy.finance.periods.records import AccountingPeriod, PeriodAdjustment
from subsidy.finance.periods.services import period_close, period_close_request
from subsidy.finance.services.payments import payment_mark_failed, payment_mark_paid
from subsidy.platform.errors import DomainError
from tests.builders.finance import approved_recovery, settler
from tests.builders.finance import last_month as _last_month

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def closed(paid_and_accrued, finance_officer, finance_approver):
    period = period_close_request(actor=finance_officer, month=_last_month())
    period_close(actor=finance_approver, period=period)
    return paid_and_accrued


def _refused(match="is closed"):
    return pytest.raises(IntegrityError, match=match)


def test_database_refuses_a_payment_paid_in_a_closed_month(closed):
    _payment, pending = closed
    with _refused("accounting period .* is closed"), transaction.atomic():
        Disbursement.objects.filter(pk=pending.pk).update(
            status="paid", bank_reference="BNK-X", value_date=_last_month())


def test_database_refuses_a_bank_outcome_dated_in_a_closed_month(closed):
    _payment, pending = closed
    with _refused("accounting period .* is closed"), transaction.atomic():
        PaymentOutcome.objects.create(payment=pending, kind="paid", bank_reference="BNK-Y",
                                      value_date=_last_month(), recorded_by=settler())


def test_database_refuses_a_receipt_dated_in_a_closed_month(closed, finance_officer):
    payment, _pending = closed
    recovery = approved_recovery(payment.grant, actor=finance_officer, amount="10.00")
    with _refused("accounting period .* is closed"), transaction.atomic():
        RecoveryReceipt.objects.create(recovery=recovery, grant_id=recovery.grant_id,
                                       amount=Decimal("1.00"), received_on=_last_month(),
                                       bank_reference="RCV-Z", recorded_by=finance_officer)


def test_database_refuses_unpaying_a_closed_month_payment_without_an_adjustment(closed):
    payment, _pending = closed
    with _refused("post an adjustment first"), transaction.atomic():
        Disbursement.objects.filter(pk=payment.pk).update(status="failed")


def test_database_keeps_a_closed_period_and_its_adjustments(closed):
    payment, _pending = closed
    payment_mark_failed(actor=settler(), payment=payment, reason="Returned.")
    with _refused("closed and cannot change"), transaction.atomic():
        AccountingPeriod.objects.filter(month=_last_month()).update(reported={})
    with _refused("closed and cannot change"), transaction.atomic():
        AccountingPeriod.objects.filter(month=_last_month()).update(closed_at=None)
    with _refused("never changed or deleted"), transaction.atomic():
        PeriodAdjustment.objects.update(amount=Decimal("-1.00"))
    assert PeriodAdjustment.objects.get().amount == -payment.amount


def test_a_close_and_a_payment_into_the_month_take_turns(paid_and_accrued,
                                                         finance_officer, finance_approver):
    _payment, pending = paid_and_accrued
    month = _last_month()
    period = period_close_request(actor=finance_officer, month=month)
    recorder = settler()
    barrier = threading.Barrier(2)
    outcomes = {}

    def close():
        try:
            barrier.wait()
            period_close(actor=finance_approver, period=period)
            outcomes["close"] = "closed"
        finally:
            connection.close()

    def pay():
        try:
            barrier.wait()
            payment_mark_paid(actor=recorder, payment=pending, bank_reference="BNK-RACE",
                              value_date=month + timedelta(days=27))
            outcomes["pay"] = "paid"
        except (DomainError, IntegrityError) as error:
            outcomes["pay"] = "refused"
            assert "closed" in str(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=close), threading.Thread(target=pay)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    reported = AccountingPeriod.objects.get(month=month).reported
    paid_in_month = sum(PaymentOutcome.objects.filter(
        kind="paid", value_date__gte=month, value_date__lt=timezone.localdate().replace(
            day=1)).values_list("payment__amount", flat=True), Decimal("0.00"))
    assert outcomes["close"] == "closed"
    assert Decimal(reported["paid"]) == paid_in_month
    assert Decimal(reported["accrued"]) == (Decimal("0.00") if outcomes["pay"] == "paid"
                                            else Decimal("200000.00"))
