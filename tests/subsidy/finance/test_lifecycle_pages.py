"""The start, completion and termination buttons of the staff application page carry the
grant with them: one lifecycle owns the grant, whichever page takes the step."""

from datetime import date
from decimal import Decimal

import pytest

from applicants.models import Application
from subsidy.finance.models import Tranche
from subsidy.platform.models import AuditEvent
from subsidy.scheme.ledger import round_committed
from subsidy.scheme.models import Grant
from tests.builders.closure import accept_final_report
from tests.builders.finance import batched_payment, make_accepted_grant, mark_paid

pytestmark = pytest.mark.django_db


def _step(client, officer, grant, step, **data):
    client.force_login(officer)
    return client.post(f"/staff/applications/{grant.application_id}/steps/{step}/", data,
                       follow=True)


def _statuses(grant):
    return (Application.objects.get(pk=grant.application_id).status,
            Grant.objects.get(pk=grant.pk).status)


def _grant_audit(grant, action):
    return AuditEvent.objects.filter(action=action, object_id=str(grant.pk)).count()


def test_starting_the_project_on_the_application_page_schedules_the_tranches(
        client, officer, accepted_grant):
    _step(client, officer, accepted_grant, "activate")

    assert _statuses(accepted_grant) == ("active", "active")
    assert list(accepted_grant.tranches.order_by("number").values_list("amount", flat=True)) \
        == [Decimal("400000.00"), Decimal("300000.00"), Decimal("300000.00")]
    assert _grant_audit(accepted_grant, "grant.activate") == 1


def test_the_project_does_not_start_without_a_valid_tranche_schedule(client, officer):
    # Milestone shares of 150%: the last tranche would be negative.
    grant = make_accepted_grant(shares=("60", "60", "30"))

    page = _step(client, officer, grant, "activate").content.decode()

    assert "Tranche 3: give an amount of zero or more" in page
    assert _statuses(grant) == ("accepted", "accepted")
    assert not grant.tranches.exists()


def test_terminating_on_the_application_page_cancels_the_tranches_and_releases_the_money(
        client, officer, active_grant):
    round_ = active_grant.round
    assert round_committed(round_id=round_.pk) == Decimal("1000000.00")

    _step(client, officer, active_grant, "terminate", reason="Project abandoned.")

    assert _statuses(active_grant) == ("terminated", "terminated")
    assert set(active_grant.tranches.values_list("status", flat=True)) == {
        Tranche.Status.CANCELLED}
    assert round_committed(round_id=round_.pk) == Decimal("0.00")
    assert _grant_audit(active_grant, "grant.terminate") == 1


def test_a_project_with_a_payment_at_the_bank_is_not_terminated_on_the_application_page(
        client, officer, finance_officer, finance_approver, active_grant):
    batched_payment(active_grant, officer, finance_officer, finance_approver)

    page = _step(client, officer, active_grant, "terminate", reason="Stop.").content.decode()

    assert "A payment of this grant is with the bank" in page
    assert _statuses(active_grant) == ("active", "active")
    assert not active_grant.tranches.filter(status=Tranche.Status.CANCELLED).exists()


def test_completing_on_the_application_page_is_refused_while_a_tranche_is_unpaid(
        client, officer, active_grant):
    page = _step(client, officer, active_grant, "complete").content.decode()

    assert "3 tranche(s) of this grant are not paid yet" in page
    assert _statuses(active_grant) == ("active", "active")


def test_completing_on_the_application_page_closes_a_fully_paid_grant(
        client, officer, finance_officer, finance_approver, active_grant):
    for number in (1, 2, 3):
        payment, _batch = batched_payment(active_grant, officer, finance_officer,
                                          finance_approver, number=number)
        mark_paid(payment,
                  bank_reference=f"REF-{number}", value_date=date(2027, 1, 5))
    accept_final_report(active_grant)

    _step(client, officer, active_grant, "complete")

    assert _statuses(active_grant) == ("completed", "completed")
    assert Grant.objects.get(pk=active_grant.pk).closed_at is not None
    assert _grant_audit(active_grant, "grant.complete") == 1
