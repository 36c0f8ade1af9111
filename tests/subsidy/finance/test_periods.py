"""Monthly accounting periods, from the finance pages: a finance officer asks for the
close of an ended month, a finance approver who did not ask closes it; nothing dated in a
closed month is posted any more, its figures stay as reported, a payment returned later
is an adjustment in the open month, and the accruals at the month's end are listed and
downloaded."""

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from subsidy.finance.models import Disbursement
from subsidy.finance.periods.records import AccountingPeriod, PeriodAdjustment
from subsidy.finance.periods.services import period_close, period_close_request
from subsidy.finance.reports.figures import by_month
from subsidy.finance.services.payments import payment_mark_failed
from subsidy.platform.errors import DomainError
from subsidy.platform.models import AuditEvent
from subsidy.platform.roles import Role
from subsidy.scheme.ledger import paid_payments
from tests.builders.finance import approved_recovery, mark_paid, settler
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _close(client, month, finance_officer, finance_approver):
    args = [month.year, month.month]
    client.force_login(finance_officer)
    client.post(reverse("finance:period_close_request", args=args))
    client.force_login(finance_approver)
    return client.post(reverse("finance:period_close", args=args), follow=True)


def test_finance_closes_an_ended_month_by_maker_checker_from_the_period_page(
        client, paid_and_accrued, last_month, finance_officer, finance_approver):
    response = _close(client, last_month, finance_officer, finance_approver)

    period = AccountingPeriod.objects.get(month=last_month)
    assert period.is_closed
    assert (period.close_requested_by, period.closed_by) == (finance_officer,
                                                             finance_approver)
    assert period.reported["paid"] == "400000.00"
    assert period.reported["accrued"] == "200000.00"
    assert "as reported at the close" in response.content.decode()
    assert sorted(AuditEvent.objects.filter(object_type="subsidy.accountingperiod")
                  .values_list("action", flat=True)) == ["period.close",
                                                         "period.close_request"]


def test_whoever_asked_for_the_close_cannot_close_the_period(client, last_month):
    both = UserFactory(roles=[Role.FINANCE_OFFICER, Role.FINANCE_APPROVER])
    client.force_login(both)
    args = [last_month.year, last_month.month]
    client.post(reverse("finance:period_close_request", args=args))

    page = client.get(reverse("finance:period", args=args)).content.decode()
    response = client.post(reverse("finance:period_close", args=args), follow=True)

    assert reverse("finance:period_close", args=args) not in page
    assert "someone else must close the period" in response.content.decode()
    assert not AccountingPeriod.objects.get(month=last_month).is_closed


def test_the_current_month_cannot_be_closed(finance_officer):
    with pytest.raises(DomainError) as refused:
        period_close_request(actor=finance_officer, month=timezone.localdate())

    assert refused.value.code == "period_not_ended"


def test_an_earlier_open_period_must_be_closed_first(last_month, finance_officer,
                                                     finance_approver):
    earlier = (last_month - timedelta(days=1)).replace(day=1)
    AccountingPeriod.objects.create(month=earlier)
    period = period_close_request(actor=finance_officer, month=last_month)

    with pytest.raises(DomainError) as refused:
        period_close(actor=finance_approver, period=period)

    assert refused.value.code == "earlier_period_open"


def test_nothing_dated_in_a_closed_month_can_be_posted(
        client, paid_and_accrued, last_month, finance_officer, finance_approver):
    _payment, pending = paid_and_accrued
    _close(client, last_month, finance_officer, finance_approver)
    client.force_login(settler())

    response = client.post(reverse("finance:paid", args=[pending.pk]), {
        "bank_reference": "BNK-LATE", "value_date": (last_month + timedelta(days=27))
        .isoformat()}, follow=True)

    assert "is closed: nothing dated" in response.content.decode()
    pending.refresh_from_db()
    assert pending.status == Disbursement.Status.BATCHED
    paid_today = mark_paid(pending, bank_reference="BNK-TODAY")
    assert paid_today.status == Disbursement.Status.PAID


def test_a_recovery_receipt_dated_in_a_closed_month_is_refused(
        client, paid_and_accrued, last_month, finance_officer, finance_approver):
    payment, _pending = paid_and_accrued
    _close(client, last_month, finance_officer, finance_approver)
    recovery = approved_recovery(payment.grant, actor=finance_officer, amount="1000.00")
    client.force_login(finance_officer)

    response = client.post(reverse("finance:recovery_receipt", args=[recovery.pk]), {
        "amount": "10.00", "received_on": (last_month + timedelta(days=3)).isoformat(),
        "bank_reference": "RCV-OLD"}, follow=True)

    assert "is closed: nothing dated" in response.content.decode()
    assert not recovery.receipts.exists()


def test_a_return_after_the_close_is_an_adjustment_in_the_open_month(
        client, paid_and_accrued, last_month, finance_officer, finance_approver):
    payment, _pending = paid_and_accrued
    _close(client, last_month, finance_officer, finance_approver)
    reported = AccountingPeriod.objects.get(month=last_month).reported

    payment_mark_failed(actor=settler(), payment=payment, reason="Account closed.")

    adjustment = PeriodAdjustment.objects.get()
    this_month = timezone.localdate().replace(day=1)
    assert (adjustment.payment, adjustment.amount) == (payment, Decimal("-400000.00"))
    assert (adjustment.period.month, adjustment.original_period.month) == (this_month,
                                                                           last_month)
    assert AccountingPeriod.objects.get(month=last_month).reported == reported
    client.force_login(finance_officer)
    months = {row["month"]: row for row in
              client.get(reverse("finance:dashboard")).context["by_month"]}
    assert months[last_month]["paid"] == Decimal("400000.00")
    assert months[this_month]["paid"] == Decimal("-400000.00")
    total = sum(paid_payments().values_list("amount", flat=True), Decimal("0.00"))
    assert sum(row["paid"] for row in by_month()) == total
    page = client.get(reverse("finance:period", args=[this_month.year, this_month.month]))
    assert page.context["f"]["adjustments"] == Decimal("-400000.00")
    assert payment.end_to_end_id in page.content.decode()


def test_a_return_within_an_open_month_needs_no_adjustment(paid_and_accrued):
    payment, _pending = paid_and_accrued

    payment_mark_failed(actor=settler(), payment=payment, reason="Account closed.")

    assert not PeriodAdjustment.objects.exists()


def _csv(response) -> list[dict]:
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(body, newline="")))


def test_the_accruals_at_the_month_end_are_listed_and_stay_as_reported(
        client, paid_and_accrued, last_month, finance_officer, finance_approver):
    _payment, pending = paid_and_accrued
    args = [last_month.year, last_month.month]
    client.force_login(finance_officer)
    before = client.get(reverse("finance:period", args=args))
    [row] = before.context["f"]["accruals"]
    assert (row["claim"], row["amount"]) == (pending.claim_id, Decimal("200000.00"))

    _close(client, last_month, finance_officer, finance_approver)
    mark_paid(pending, bank_reference="BNK-NOW")
    client.force_login(finance_officer)
    after = client.get(reverse("finance:period", args=args))
    rows = _csv(client.get(reverse("finance:period", args=args), {"format": "csv"}))
    xlsx = client.get(reverse("finance:period", args=args), {"format": "xlsx"})

    assert [r["claim"] for r in after.context["f"]["accruals"]] == [pending.claim_id]
    assert after.context["f"]["accrued"] == Decimal("200000.00")
    assert [(r["Claim"], r["Accrued (HKD)"]) for r in rows] == [
        (str(pending.claim_id), "200000.00")]
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")


def test_the_period_pages_ask_a_fixed_number_of_queries(
        client, paid_and_accrued, last_month, finance_officer, django_assert_num_queries):
    AccountingPeriod.objects.get_or_create(month=last_month)
    client.force_login(finance_officer)
    args = [last_month.year, last_month.month]
    client.get(reverse("finance:period", args=args))

    with django_assert_num_queries(10):
        assert client.get(reverse("finance:period", args=args)).status_code == 200
    with django_assert_num_queries(5):
        assert client.get(reverse("finance:periods")).status_code == 200


def test_the_company_does_not_see_the_periods(client, paid_and_accrued, last_month):
    payment, _pending = paid_and_accrued
    client.force_login(payment.owner)

    assert client.get(reverse("finance:periods")).status_code == 403
    assert client.get(reverse("finance:period", args=[last_month.year,
                                                      last_month.month])).status_code == 403


def test_a_periods_state_reads_as_accounting_in_chinese(
        client, paid_and_accrued, last_month, finance_officer, finance_approver):
    """"Open" and "Closed" of a month are accounting words (未結賬 / 已結賬), not a round's
    "open for applications" (開放中) or "closed" (已截止)."""
    AccountingPeriod.objects.get_or_create(month=last_month)
    client.force_login(finance_officer)
    client.post(reverse("set_language"), {"language": "zh-hant", "next": "/"})
    text = client.get(reverse("finance:periods")).content.decode()
    assert "未結賬" in text and "開放中" not in text
    _close(client, last_month, finance_officer, finance_approver)
    client.force_login(finance_officer)
    client.post(reverse("set_language"), {"language": "zh-hant", "next": "/"})
    text = client.get(reverse("finance:periods")).content.decode()
    assert "已結賬" in text
