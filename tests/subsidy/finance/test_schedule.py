from datetime import date
from decimal import Decimal

import pytest

from applicants.errors import ProblemsError
from applicants.models import Application
from subsidy.finance.models import Tranche
from subsidy.finance.services.tranches import (
    TrancheRow,
    grant_activate,
    schedule_from_milestones,
    tranche_schedule_set,
)
from subsidy.platform.errors import DomainError
from subsidy.platform.models import AuditEvent
from subsidy.scheme.models import Grant
from tests.builders.finance import make_accepted_grant

pytestmark = pytest.mark.django_db


def test_schedule_follows_milestone_shares():
    grant = make_accepted_grant(amount="1000000.00", shares=("40", "30", "30"))

    amounts = [row.amount for row in schedule_from_milestones(grant=grant)]

    assert amounts == [Decimal("400000.00"), Decimal("300000.00"), Decimal("300000.00")]


def test_last_tranche_takes_the_rounding_remainder_so_tranches_sum_exactly():
    grant = make_accepted_grant(amount="100000.00", shares=("33.33", "33.33", "33.34"))
    grant.approved_amount = Decimal("100000.01")

    rows = schedule_from_milestones(grant=grant)

    assert sum(row.amount for row in rows) == Decimal("100000.01")
    assert [row.amount for row in rows] == [Decimal("33330.00"), Decimal("33330.00"),
                                           Decimal("33340.01")]


def test_activation_makes_the_grant_and_application_active_with_the_schedule(officer):
    grant = make_accepted_grant()

    grant_activate(actor=officer, grant=grant)

    grant.refresh_from_db()
    assert grant.status == Grant.Status.ACTIVE
    assert Application.objects.get(pk=grant.application_id).status == "active"
    assert list(grant.tranches.values_list("number", "amount")) == [
        (1, Decimal("400000.00")), (2, Decimal("300000.00")), (3, Decimal("300000.00"))]
    assert AuditEvent.objects.filter(action="grant.activate").count() == 1


def test_system_can_activate_a_grant():
    grant = make_accepted_grant()

    grant_activate(actor=None, grant=grant)

    assert Grant.objects.get(pk=grant.pk).status == Grant.Status.ACTIVE


def test_officer_adjusted_schedule_is_kept_at_activation(officer):
    grant = make_accepted_grant(amount="1000000.00")
    rows = [TrancheRow("Kick-off", date(2027, 1, 1), Decimal("500000.00")),
            TrancheRow("Final report", date(2027, 12, 1), Decimal("500000.00"))]

    tranche_schedule_set(actor=officer, grant=grant, rows=rows)
    grant_activate(actor=officer, grant=grant)

    assert list(grant.tranches.values_list("amount", flat=True)) == [
        Decimal("500000.00"), Decimal("500000.00")]


def test_adjusted_schedule_that_does_not_sum_to_the_approved_amount_is_refused(officer):
    grant = make_accepted_grant(amount="1000000.00")
    rows = [TrancheRow("Kick-off", date(2027, 1, 1), Decimal("500000.00")),
            TrancheRow("Final report", date(2027, 12, 1), Decimal("499999.99"))]

    with pytest.raises(ProblemsError, match="must be equal"):
        tranche_schedule_set(actor=officer, grant=grant, rows=rows)

    assert not Tranche.objects.filter(grant=grant).exists()


def test_schedule_of_an_active_grant_cannot_change(officer):
    grant = make_accepted_grant()
    grant_activate(actor=officer, grant=grant)

    with pytest.raises(DomainError, match="before the grant starts"):
        tranche_schedule_set(actor=officer, grant=grant, rows=[
            TrancheRow("All", date(2027, 1, 1), grant.approved_amount)])


def test_grant_that_is_not_accepted_cannot_be_activated(officer):
    grant = make_accepted_grant()
    Grant.objects.filter(pk=grant.pk).update(status=Grant.Status.OFFERED)

    with pytest.raises(DomainError):
        grant_activate(actor=officer, grant=grant)

    assert not grant.tranches.exists()


def test_applicant_cannot_set_the_schedule():
    grant = make_accepted_grant()

    with pytest.raises(DomainError):
        tranche_schedule_set(actor=grant.owner, grant=grant, rows=[
            TrancheRow("All", date(2027, 1, 1), grant.approved_amount)])
