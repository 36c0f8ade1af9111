"""Carrying a tranche's rest holds on PostgreSQL: two carries at once move the rest once,
and the database refuses a paid tranche below what was paid on it, a paid tranche that
grows, and tranches that no longer sum to the approved amount."""

import threading
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction

from subsidy.finance.models import Tranche
from subsidy.finance.services.tranches import tranche_carry_remainder
from subsidy.platform.errors import DomainError
from subsidy.platform.roles import Role
from tests.builders.finance import pay_in_part
from tests.factories import UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def part_paid(active_grant, officer, finance_officer, finance_approver):
    pay_in_part(active_grant, "300000.00", officer, finance_officer, finance_approver)
    return active_grant


def test_two_carries_at_once_move_the_rest_once(part_paid, officer):
    finance = UserFactory(roles=[Role.FINANCE_OFFICER])
    barrier = threading.Barrier(2)
    outcomes = []

    def carry(actor):
        try:
            barrier.wait()
            tranche_carry_remainder(actor=actor, grant=part_paid, number=1)
            outcomes.append("carried")
        except DomainError as error:
            outcomes.append(error.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=carry, args=(user,)) for user in (officer, finance)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["carried", "nothing_to_carry"]
    assert list(part_paid.tranches.order_by("number").values_list("amount", flat=True)) == [
        Decimal("300000.00"), Decimal("400000.00"), Decimal("300000.00")]


def test_database_refuses_a_paid_tranche_below_what_was_paid(part_paid):
    first, second = part_paid.tranches.order_by("number")[:2]
    with pytest.raises(IntegrityError, match="was paid on it"), transaction.atomic():
        Tranche.objects.filter(pk=first.pk).update(amount=Decimal("299999.99"))
        Tranche.objects.filter(pk=second.pk).update(amount=Decimal("300000.01"))


def test_database_refuses_a_paid_tranche_that_grows(part_paid):
    first, second = part_paid.tranches.order_by("number")[:2]
    with pytest.raises(IntegrityError, match="cannot grow"), transaction.atomic():
        Tranche.objects.filter(pk=second.pk).update(amount=Decimal("299999.99"))
        Tranche.objects.filter(pk=first.pk).update(amount=Decimal("400000.01"))


def test_database_refuses_a_carry_that_breaks_the_sum(part_paid):
    first = part_paid.tranches.get(number=1)
    with pytest.raises(IntegrityError, match="sum to"), transaction.atomic():
        Tranche.objects.filter(pk=first.pk).update(amount=Decimal("300000.00"))
