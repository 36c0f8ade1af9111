"""On generated volume, with recoveries received on closed and active grants, a payment
returned by the bank after its month was closed (an adjustment in the open month), and
compute allocations at the AI Supercomputing Centre (one drawn on and released, one drawn
on and open), every place that shows the money agrees with the ledger and with independent
SQL over the tables: the dashboard, the registers (pages and API CSV), the API summary and
360Giving; the closed month still shows what it reported."""

import csv
import io
from datetime import datetime, time, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from subsidy.compute.services.allocations import (
    compute_allocation_release,
    compute_allocation_set,
)
from subsidy.devdata.volume import VolumeSpec, generate_volume
from subsidy.finance.models import Disbursement
from subsidy.finance.opendata.threesixty import grants_package
from subsidy.finance.periods.records import AccountingPeriod, PeriodAdjustment
from subsidy.finance.periods.services import period_close, period_close_request
from subsidy.finance.reports.figures import months
from subsidy.finance.services.payments import payment_mark_failed
from subsidy.finance.services.recoveries import recovery_receipt_record
from subsidy.finance.services.tranches import grant_activate
from subsidy.platform.roles import Role
from subsidy.scheme.ledger import rounds_with_commitments
from subsidy.scheme.models import FundingRound, Grant, Scheme
from tests.builders.compute import csv_of, line, post_csv
from tests.builders.finance import (
    approved_recovery,
    batched_payment,
    last_month,
    make_accepted_grant,
    mark_paid,
    settler,
)
from tests.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


def _sql(query: str) -> Decimal:
    with connection.cursor() as cursor:
        cursor.execute(query)
        (value,) = cursor.fetchone()
    return Decimal(value or 0).quantize(Decimal("0.01"))


@pytest.fixture
def volume():
    generate_volume(VolumeSpec(applications=120, rounds=2, criterion_scores=False),
                    progress=lambda _line: None)
    finance = UserFactory(roles=[Role.FINANCE_OFFICER])
    paid = (Disbursement.objects.filter(status=Disbursement.Status.PAID)
            .values_list("grant_id", flat=True))
    for n, status in enumerate([Grant.Status.COMPLETED, Grant.Status.TERMINATED,
                                Grant.Status.ACTIVE]):
        grant = Grant.objects.filter(status=status, pk__in=paid).order_by("pk").first()
        recovery = approved_recovery(grant, actor=finance, amount="1000.00")
        recovery_receipt_record(actor=finance, recovery=recovery, amount=Decimal("600.25"),
                                received_on=timezone.localdate(),
                                bank_reference=f"RCV-{n}")
    _return_after_close(finance)
    _compute(finance)
    return finance


def _compute(finance):
    """Two active grants of the round with the most room get compute allocations and a
    month's use at the Centre; the first releases the rest of its allocation."""
    round_ = max(rounds_with_commitments(FundingRound.objects.all()),
                 key=lambda r: r.remaining)
    released, kept = Grant.objects.filter(round=round_, status=Grant.Status.ACTIVE
                                          ).order_by("pk")[:2]
    month = f"{timezone.localdate():%Y-%m}"
    for n, (grant, hours, used) in enumerate([(released, "1000", 300), (kept, "500", 120)]):
        compute_allocation_set(actor=finance, grant=grant, hours=hours)
        post_csv(csv_of(line(grant, used, period=month)), reference=f"AISC-RECON-{n}")
    compute_allocation_release(grant=released, actor=finance)


def _return_after_close(finance):
    """A small grant of a volume round paid last month; every month up to last month is
    closed, then the bank returns that payment: the return is an adjustment in the open
    month."""
    officer = UserFactory(roles=[Role.PROGRAMME_OFFICER])
    approver = UserFactory(roles=[Role.FINANCE_APPROVER])
    round_ = max(rounds_with_commitments(FundingRound.objects.all()),
                 key=lambda r: r.remaining)
    closing = last_month()
    with time_machine.travel(timezone.make_aware(datetime.combine(
            closing + timedelta(days=9), time(10))), tick=False):
        grant = make_accepted_grant(round_=round_, amount="1000.00", shares=("100",),
                                    organisation=OrganisationFactory(br_number="98765432"))
        grant_activate(actor=officer, grant=grant)
        returned, _batch = batched_payment(grant, officer, finance,
                                           UserFactory(roles=[Role.FINANCE_APPROVER]))
        mark_paid(returned, bank_reference="BNK-RETURNED")
    first = min([closing, *AccountingPeriod.objects.values_list("month", flat=True),
                 Disbursement.objects.filter(value_date__isnull=False)
                 .order_by("value_date").values_list("value_date", flat=True).first()
                 .replace(day=1)])
    for month in months(first, closing):
        period_close(actor=approver, period=period_close_request(actor=finance, month=month))
    payment_mark_failed(actor=settler(), payment=returned, reason="Account closed.")


def _independent():
    """The ledger's figures straight from the tables."""
    closed = "('completed', 'terminated')"
    paid = _sql("SELECT SUM(amount) FROM subsidy_disbursement WHERE status = 'paid'")
    recovered = _sql("SELECT SUM(amount) FROM subsidy_recoveryreceipt")
    compute_drawn = _sql("SELECT SUM(subsidy_amount) FROM subsidy_computecharge")
    compute_released = _sql("SELECT SUM(released_amount) FROM subsidy_computeallocation")
    compute_committed = _sql(
        "SELECT SUM(amount - released_amount) FROM subsidy_computeallocation")
    committed = (
        _sql("SELECT SUM(approved_amount) FROM subsidy_grant "
             "WHERE status IN ('offered', 'accepted', 'active')")
        + _sql("SELECT SUM(d.amount) FROM subsidy_disbursement d JOIN subsidy_grant g "
               f"ON g.id = d.grant_id WHERE d.status = 'paid' AND g.status IN {closed}")
        - _sql("SELECT SUM(r.amount) FROM subsidy_recoveryreceipt r JOIN subsidy_grant g "
               f"ON g.id = r.grant_id WHERE g.status IN {closed}")
        + compute_committed)
    return {"paid": paid, "recovered": recovered, "net_paid": paid - recovered,
            "committed": committed, "compute_drawn": compute_drawn,
            "compute_released": compute_released, "compute_committed": compute_committed}


def _csv_rows(response) -> list[dict]:
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(body, newline="")))


def test_dashboard_registers_api_and_360giving_agree_with_the_ledger(
        volume, client, issue_key, client_for):
    expected = _independent()
    assert expected["recovered"] == Decimal("1800.75")
    assert expected["compute_drawn"] > 0
    assert 0 < expected["compute_released"] < expected["compute_committed"]
    adjustment = PeriodAdjustment.objects.select_related("original_period", "payment").get()
    assert Scheme.objects.count() == 1
    rounds = list(rounds_with_commitments(FundingRound.objects.all()))
    assert sum(r.committed for r in rounds) == expected["committed"]

    client.force_login(volume)
    position = client.get(reverse("finance:dashboard")).context
    commitments = client.get(reverse("finance:commitments_register")).context["totals"]
    disbursements = client.get(reverse("finance:disbursement_register")).context["totals"]
    api = client_for(issue_key(user=volume, scopes=["reports:read"]))
    summary = api.get("/api/v1/reports/summary/").json()
    api_commitments = _csv_rows(api.get("/api/v1/reports/commitments/csv/"))
    api_paid = [row for row in _csv_rows(api.get("/api/v1/reports/disbursements/csv/"))
                if row["status"] == "paid"]
    package = grants_package()

    s = position["s"]
    assert (s["committed"], s["paid"], s["recovered"], s["net_paid"]) == (
        expected["committed"], expected["paid"], expected["recovered"], expected["net_paid"])
    months = position["by_month"]
    by_month = {m["month"]: m for m in months}
    closed = adjustment.original_period
    assert by_month[closed.month]["paid"] == Decimal(closed.reported["paid"])
    paid_this_month = _sql("SELECT SUM(amount) FROM subsidy_disbursement WHERE status = "
                           f"'paid' AND value_date >= '{adjustment.period.month.isoformat()}'")
    assert adjustment.amount == -adjustment.payment.amount
    assert by_month[adjustment.period.month]["paid"] == paid_this_month + adjustment.amount
    # The monthly table dates cash events (approvals, releases, receipts); compute
    # allocations are shown in the position above it, not month by month.
    assert sum(m["net"] for m in months) == expected["committed"] - expected[
        "compute_committed"]
    assert sum(m["paid"] for m in months) == expected["paid"]
    assert sum(m["recovered"] for m in months) == expected["recovered"]
    assert (commitments["committed"], commitments["paid"], commitments["recovered"],
            commitments["net_paid"]) == (expected["committed"], expected["paid"],
                                         expected["recovered"], expected["net_paid"])
    assert (commitments["compute_committed"], commitments["compute_drawn"],
            commitments["compute_released"]) == (
        expected["compute_committed"], expected["compute_drawn"], expected["compute_released"])
    assert (s["compute_committed"], s["compute_drawn"]) == (
        expected["compute_committed"], expected["compute_drawn"])
    assert disbursements["paid"] == expected["paid"]
    assert sum(Decimal(r["committed"]) for r in summary["rounds"]) == expected["committed"]
    assert sum(Decimal(r["paid"]) for r in summary["rounds"]) == expected["paid"]
    assert sum(Decimal(m["paid"]) for m in summary["months"]) == expected["paid"]
    assert sum(Decimal(r["net_paid"]) for r in api_commitments) == expected["net_paid"]
    assert sum(Decimal(r["committed"]) for r in api_commitments) == expected["committed"]
    for key in ("compute_committed", "compute_drawn", "compute_released"):
        assert sum(Decimal(r[key]) for r in api_commitments) == expected[key], key
    assert sum(Decimal(r["compute_allocated"]) - Decimal(r["compute_released"])
               for r in api_commitments) == expected["compute_committed"]
    assert sum(Decimal(r["outstanding"]) for r in api_commitments) == (
        expected["committed"] - expected["net_paid"] - expected["compute_drawn"])
    assert sum(Decimal(r["amount"]) for r in api_paid) == expected["paid"]
    assert Decimal(str(sum(g["amountDisbursed"] for g in package["grants"]))).quantize(
        Decimal("0.01")) == expected["net_paid"] + expected["compute_drawn"]
