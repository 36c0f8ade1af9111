"""``manage.py grant_lifecycle_check`` finds applications whose grant stayed behind (the
staff page's buttons moved them without it before this release) and, with ``--repair``,
applies the grant's effects the workflow now applies, as the system."""

from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from applicants.models import Application, status_gate_open
from subsidy.finance.models import Claim, Tranche
from subsidy.platform.models import AuditEvent
from subsidy.scheme.ledger import round_committed, round_remaining
from subsidy.scheme.models import Grant
from tests.builders.finance import (
    batched_payment,
    claim_first_tranche,
    make_accepted_grant,
    mark_paid,
)

pytestmark = pytest.mark.django_db


def _drift(grant, status):
    """Move the application alone, as the staff page's buttons did before this release."""
    with status_gate_open():
        Application.objects.filter(pk=grant.application_id).update(status=status)


def _run(*args):
    """The command's output and exit status (0 when it returned normally)."""
    out = StringIO()
    try:
        call_command("grant_lifecycle_check", *args, stdout=out)
    except CommandError as error:
        return out.getvalue(), error.returncode
    return out.getvalue(), 0


def _tranches(grant):
    return dict(grant.tranches.values_list("number", "status"))


def test_an_upgrade_without_drift_passes(active_grant):
    out, status = _run()

    assert status == 0
    assert "Every application agrees with its grant." in out


def test_a_terminated_project_with_an_active_grant_is_listed_and_fails_the_check(
        active_grant):
    _drift(active_grant, "terminated")

    out, status = _run()

    assert status == 2
    assert f"{active_grant.application.reference} (application " in out
    assert "application terminated, grant active" in out
    assert "--repair will terminate the grant" in out
    assert Grant.objects.get(pk=active_grant.pk).status == Grant.Status.ACTIVE
    assert round_committed(round_id=active_grant.round_id) == Decimal("1000000.00")


def test_repair_terminates_the_grant_and_releases_what_was_not_paid(
        active_grant, officer, finance_officer, finance_approver):
    payment, _batch = batched_payment(active_grant, officer, finance_officer, finance_approver)
    mark_paid(payment, bank_reference="REF-1",
              value_date=date(2027, 1, 5))
    _drift(active_grant, "terminated")

    out, status = _run("--repair")

    assert status == 0, out
    assert "repaired: " in out
    assert Grant.objects.get(pk=active_grant.pk).status == Grant.Status.TERMINATED
    assert _tranches(active_grant) == {1: Tranche.Status.PAID, 2: Tranche.Status.CANCELLED,
                                       3: Tranche.Status.CANCELLED}
    round_ = active_grant.round
    assert round_committed(round_id=round_.pk) == Decimal("400000.00")
    assert round_remaining(round_=round_) == round_.envelope - Decimal("400000.00")
    events = AuditEvent.objects.filter(object_id=str(active_grant.pk),
                                       action__in=["grant.terminate", "grant.lifecycle_repair"])
    assert sorted(events.values_list("action", flat=True)) == ["grant.lifecycle_repair",
                                                               "grant.terminate"]
    assert all(event.actor_id is None for event in events)
    assert _run() == ("Every application agrees with its grant.\n", 0)


def test_repair_cancels_an_open_claim_of_a_terminated_project(active_grant):
    claim = claim_first_tranche(active_grant)
    _drift(active_grant, "terminated")

    _out, status = _run("--repair")

    assert status == 0
    assert Claim.objects.get(pk=claim.pk).status == Claim.Status.CANCELLED
    assert round_committed(round_id=active_grant.round_id) == Decimal("0.00")


def test_repair_terminates_a_grant_that_never_started(accepted_grant):
    _drift(accepted_grant, "active")
    _drift(accepted_grant, "terminated")
    assert round_committed(round_id=accepted_grant.round_id) == Decimal("1000000.00")

    out, status = _run("--repair")

    assert status == 0, out
    assert Grant.objects.get(pk=accepted_grant.pk).status == Grant.Status.TERMINATED
    assert round_committed(round_id=accepted_grant.round_id) == Decimal("0.00")


def test_repair_starts_the_grant_of_an_active_project_on_the_milestones_schedule(
        accepted_grant):
    _drift(accepted_grant, "active")

    out, status = _run()
    assert status == 2
    assert "application active, grant accepted" in out

    out, status = _run("--repair")

    assert status == 0, out
    grant = Grant.objects.get(pk=accepted_grant.pk)
    assert grant.status == Grant.Status.ACTIVE and grant.activated_at is not None
    assert list(grant.tranches.order_by("number").values_list("amount", flat=True)) == [
        Decimal("400000.00"), Decimal("300000.00"), Decimal("300000.00")]
    assert round_committed(round_id=grant.round_id) == Decimal("1000000.00")


def test_an_active_project_whose_milestones_give_no_schedule_is_reported_not_repaired(db):
    grant = make_accepted_grant(shares=("70", "50", "30"))
    _drift(grant, "active")

    out, status = _run("--repair")

    assert status == 2
    assert "not repaired: " in out and "Tranche 3" in out
    assert Grant.objects.get(pk=grant.pk).status == Grant.Status.ACCEPTED
    assert not grant.tranches.exists()


def test_a_completed_project_with_unpaid_tranches_is_reported_and_nothing_is_paid_or_cancelled(
        active_grant):
    _drift(active_grant, "completed")

    out, status = _run("--repair")

    assert status == 2
    assert "not repaired: " in out and "3 tranche(s) not paid" in out
    assert Grant.objects.get(pk=active_grant.pk).status == Grant.Status.ACTIVE
    assert set(_tranches(active_grant).values()) == {Tranche.Status.SCHEDULED}
    assert round_committed(round_id=active_grant.round_id) == Decimal("1000000.00")


def test_a_terminated_project_with_a_payment_at_the_bank_is_reported_and_left_alone(
        active_grant, officer, finance_officer, finance_approver):
    batched_payment(active_grant, officer, finance_officer, finance_approver)
    _drift(active_grant, "terminated")

    out, status = _run("--repair")

    assert status == 2
    assert "not repaired: " in out and "with the bank" in out
    assert Grant.objects.get(pk=active_grant.pk).status == Grant.Status.ACTIVE


def test_repair_completes_the_grant_of_a_completed_project_whose_tranches_are_all_paid(
        active_grant, officer, finance_officer, finance_approver):
    for number in (1, 2, 3):
        payment, _batch = batched_payment(active_grant, officer, finance_officer,
                                          finance_approver, number=number)
        mark_paid(payment,
                  bank_reference=f"REF-{number}", value_date=date(2027, 1, 5))
    _drift(active_grant, "completed")

    out, status = _run("--repair")

    assert status == 0, out
    assert Grant.objects.get(pk=active_grant.pk).status == Grant.Status.COMPLETED
    assert round_committed(round_id=active_grant.round_id) == Decimal("1000000.00")


def test_an_application_without_an_offer_whose_grant_commits_is_reported(accepted_grant):
    _drift(accepted_grant, "withdrawn")

    out, status = _run("--repair")

    assert status == 2
    assert "not repaired: " in out and "application withdrawn, grant accepted" in out
    assert Grant.objects.get(pk=accepted_grant.pk).status == Grant.Status.ACCEPTED
