"""On generated volume, with recoveries received on closed and active grants, every place
that shows the money agrees with the ledger and with independent SQL over the tables: the
dashboard, the registers (pages and API CSV), the API summary and 360Giving."""

import csv
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from subsidy.devdata.volume import VolumeSpec, generate_volume
from subsidy.finance.models import Disbursement
from subsidy.finance.opendata.threesixty import grants_package
from subsidy.finance.services.recoveries import recovery_receipt_record
from subsidy.platform.roles import Role
from subsidy.scheme.ledger import rounds_with_commitments
from subsidy.scheme.models import FundingRound, Grant, Scheme
from tests.builders.finance import approved_recovery
from tests.factories import UserFactory

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
    return finance


def _independent():
    """The ledger's figures straight from the tables."""
    closed = "('completed', 'terminated')"
    paid = _sql("SELECT SUM(amount) FROM subsidy_disbursement WHERE status = 'paid'")
    recovered = _sql("SELECT SUM(amount) FROM subsidy_recoveryreceipt")
    committed = (
        _sql("SELECT SUM(approved_amount) FROM subsidy_grant "
             "WHERE status IN ('offered', 'accepted', 'active')")
        + _sql("SELECT SUM(d.amount) FROM subsidy_disbursement d JOIN subsidy_grant g "
               f"ON g.id = d.grant_id WHERE d.status = 'paid' AND g.status IN {closed}")
        - _sql("SELECT SUM(r.amount) FROM subsidy_recoveryreceipt r JOIN subsidy_grant g "
               f"ON g.id = r.grant_id WHERE g.status IN {closed}"))
    return {"paid": paid, "recovered": recovered, "net_paid": paid - recovered,
            "committed": committed}


def _csv_rows(response) -> list[dict]:
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(body, newline="")))


def test_dashboard_registers_api_and_360giving_agree_with_the_ledger(
        volume, client, issue_key, client_for):
    expected = _independent()
    assert expected["recovered"] == Decimal("1800.75")
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
    assert sum(m["net"] for m in months) == expected["committed"]
    assert sum(m["paid"] for m in months) == expected["paid"]
    assert sum(m["recovered"] for m in months) == expected["recovered"]
    assert (commitments["committed"], commitments["paid"], commitments["recovered"],
            commitments["net_paid"]) == (expected["committed"], expected["paid"],
                                         expected["recovered"], expected["net_paid"])
    assert disbursements["paid"] == expected["paid"]
    assert sum(Decimal(r["committed"]) for r in summary["rounds"]) == expected["committed"]
    assert sum(Decimal(r["paid"]) for r in summary["rounds"]) == expected["paid"]
    assert sum(Decimal(m["paid"]) for m in summary["months"]) == expected["paid"]
    assert sum(Decimal(r["net_paid"]) for r in api_commitments) == expected["net_paid"]
    assert sum(Decimal(r["committed"]) for r in api_commitments) == expected["committed"]
    assert sum(Decimal(r["amount"]) for r in api_paid) == expected["paid"]
    assert Decimal(str(sum(g["amountDisbursed"] for g in package["grants"]))).quantize(
        Decimal("0.01")) == expected["net_paid"]
