from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from subsidy.finance.models import Claim, Disbursement
from subsidy.finance.reports.figures import (
    by_dimension,
    claims_ageing,
    forecast_by_month,
    scheme_totals,
)
from subsidy.finance.reports.registers import (
    RegisterFilter,
    commitment_totals,
    commitments_register,
    disbursement_register,
    json_rows,
    register_totals,
)
from subsidy.finance.services.claims import claim_verify
from subsidy.finance.services.payments import payment_prepare
from subsidy.finance.services.tranches import grant_activate, grant_terminate
from subsidy.scheme.ledger import grant_paid, round_committed, round_paid
from tests.builders.finance import (
    batched_payment,
    claim_first_tranche,
    make_accepted_grant,
    mark_paid,
)
from tests.factories import FundingRoundFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def ledger_world(officer, finance_officer, finance_approver):
    """One round: a grant paid its first tranche, one terminated after its first tranche,
    one batched and not paid, and an accepted grant not started."""
    round_ = FundingRoundFactory(envelope=Decimal("50000000.00"))
    grants = [make_accepted_grant(round_=round_, amount=amount)
              for amount in ("1000000.00", "2000000.00", "3000000.00")]
    make_accepted_grant(round_=round_, amount="500000.00", category="computer_vision")
    for grant in grants:
        grant_activate(actor=officer, grant=grant)
    for grant, value_date in ((grants[0], date(2027, 1, 5)), (grants[1], date(2027, 2, 5))):
        payment, _batch = batched_payment(grant, officer, finance_officer, finance_approver)
        mark_paid(payment, bank_reference=f"R-{payment.pk}",
                  value_date=value_date)
    grant_terminate(actor=officer, grant=grants[1], reason="Stopped.")
    batched_payment(grants[2], officer, finance_officer, finance_approver)
    return round_


def test_commitments_register_totals_reconcile_with_the_ledger(ledger_world):
    totals = commitment_totals(round_code=ledger_world.code)

    assert totals["committed"] == round_committed(round_id=ledger_world.pk)
    # 1,000,000 + 800,000 paid on the terminated grant + 3,000,000 + 500,000
    assert totals["committed"] == Decimal("5300000.00")
    assert totals["paid"] == round_paid(round_id=ledger_world.pk) == Decimal("1200000.00")


def test_disbursement_register_paid_total_reconciles_with_paid_per_grant(ledger_world):
    paid_rows = disbursement_register(RegisterFilter(round_code=ledger_world.code,
                                                     status="paid"))

    assert register_totals(paid_rows)["paid"] == Decimal("1200000.00")
    assert register_totals(paid_rows)["count"] == 2
    grant_ids = set(commitments_register(round_code=ledger_world.code)
                    .values_list("id", flat=True))
    assert sum(grant_paid(grant_id=pk) for pk in grant_ids) == Decimal("1200000.00")


def test_disbursement_register_filters_by_period(ledger_world):
    rows = disbursement_register(RegisterFilter(date_from=date(2027, 2, 1),
                                                date_to=date(2027, 2, 28), status="paid"))

    assert [row["amount"] for row in rows] == [Decimal("800000.00")]


def test_register_rows_are_ready_for_json(ledger_world):
    row = json_rows(disbursement_register(RegisterFilter(status="paid")))[0]

    assert isinstance(row["amount"], str) and row["amount"].endswith(".00")
    assert row["round_code"] == ledger_world.code


def test_dashboard_round_figures_match_the_ledger(ledger_world):
    figures = next(r for s in scheme_totals() for r in s["rounds"] if r.pk == ledger_world.pk)

    assert (figures.committed, figures.paid) == (Decimal("5300000.00"), Decimal("1200000.00"))
    assert figures.remaining == Decimal("44700000.00")


def test_committed_by_category_sums_to_the_round_commitment(ledger_world):
    rows = {row["key"]: row["committed"] for row in by_dimension("category")}

    assert rows == {"computer_vision": Decimal("500000.00"), "nlp": Decimal("4800000.00")}


def test_forecast_counts_only_scheduled_tranches_of_active_grants(ledger_world):
    total = sum(row["total"] for row in forecast_by_month())

    # grant 1: 300k + 300k left; grant 3: all three tranches (the first is at the bank)
    assert total == Decimal("600000.00") + Decimal("3000000.00")


def test_claims_ageing_counts_claims_waiting_for_verification(active_grant):
    claim = claim_first_tranche(active_grant)
    Claim.objects.filter(pk=claim.pk).update(submitted_at=timezone.now() - timedelta(days=10))

    step = next(s for s in claims_ageing() if s["step"] == "verification")

    assert (step["count"], step["week"], step["month"], step["oldest_days"]) == (1, 0, 1, 10)


def test_claims_ageing_counts_verified_claims_without_a_payment_on_its_way_for_preparation(
        active_grant, officer, finance_officer):
    """A verified claim waits for its payment to be prepared until one is prepared; a
    cancelled payment leaves it waiting again. Each step in the same one query."""
    other = make_accepted_grant()
    grant_activate(actor=officer, grant=other)
    waiting, prepared = (claim_verify(actor=officer, claim=claim_first_tranche(grant))
                         for grant in (active_grant, other))
    payment = payment_prepare(actor=finance_officer, claim=prepared)

    steps = {s["step"]: s["count"] for s in claims_ageing()}
    assert (steps["preparation"], steps["approval"]) == (1, 1)

    Disbursement.objects.filter(pk=payment.pk).update(status=Disbursement.Status.CANCELLED)
    steps = {s["step"]: s["count"] for s in claims_ageing()}
    assert (steps["preparation"], steps["approval"]) == (2, 0)


def test_committed_by_month_sums_to_the_round_commitment(ledger_world):
    from subsidy.finance.reports.figures import by_month

    months = by_month()

    assert sum(row["net"] for row in months) == Decimal("5300000.00")
    assert sum(row["paid"] for row in months) == Decimal("1200000.00")
