"""The unclaimed rest of a tranche claimed in part can be carried to the grant's next
tranche, from the grant page, by a programme officer or a finance officer: the tranches
still sum to the approved amount, the rest becomes payable with the next tranche, and the
step is audited."""

from decimal import Decimal

import pytest
from django.urls import reverse

from subsidy.finance.services.tranches import tranche_carry_remainder
from subsidy.platform.errors import DomainError
from subsidy.platform.models import AuditEvent
from subsidy.scheme.ledger import round_committed
from tests.builders.finance import pay_in_part

pytestmark = pytest.mark.django_db


@pytest.fixture
def part_paid(active_grant, officer, finance_officer, finance_approver):
    """Tranche 1 (HK$400,000) claimed and paid for HK$300,000."""
    pay_in_part(active_grant, "300000.00", officer, finance_officer, finance_approver)
    return active_grant


def _amounts(grant) -> list[Decimal]:
    return list(grant.tranches.order_by("number").values_list("amount", flat=True))


def test_finance_carries_the_rest_to_the_next_tranche_from_the_grant_page(
        client, part_paid, finance_officer):
    committed = round_committed(round_id=part_paid.round_id)
    client.force_login(finance_officer)
    page = client.get(reverse("finance:grant", args=[part_paid.pk])).content.decode()

    response = client.post(reverse("finance:tranche_carry", args=[part_paid.pk, 1]),
                           follow=True)

    assert "HK$100,000.00 not claimed" in page
    assert reverse("finance:tranche_carry", args=[part_paid.pk, 1]) in page
    assert "carried to tranche 2" in response.content.decode()
    assert _amounts(part_paid) == [Decimal("300000.00"), Decimal("400000.00"),
                                   Decimal("300000.00")]
    assert sum(_amounts(part_paid)) == part_paid.approved_amount
    assert round_committed(round_id=part_paid.round_id) == committed
    event = AuditEvent.objects.get(action="grant.tranche_carry")
    assert (event.object_id, event.after["carried"]) == (str(part_paid.pk), "100000.00")


def test_the_carried_rest_is_claimed_and_paid_with_the_next_tranche(
        part_paid, officer, finance_officer, finance_approver):
    tranche_carry_remainder(actor=officer, grant=part_paid, number=1)

    payment = pay_in_part(part_paid, "400000.00", officer, finance_officer,
                          finance_approver, number=2)

    assert payment.amount == Decimal("400000.00")


def test_a_tranche_paid_in_full_has_nothing_to_carry(active_grant, officer, finance_officer,
                                                     finance_approver):
    pay_in_part(active_grant, "400000.00", officer, finance_officer, finance_approver)

    with pytest.raises(DomainError) as refused:
        tranche_carry_remainder(actor=officer, grant=active_grant, number=1)

    assert refused.value.code == "nothing_to_carry"


def test_the_last_tranches_rest_is_released_at_completion_not_carried(
        active_grant, officer, finance_officer, finance_approver):
    for number, amount in ((1, "400000.00"), (2, "300000.00"), (3, "250000.00")):
        pay_in_part(active_grant, amount, officer, finance_officer, finance_approver,
                    number=number)

    with pytest.raises(DomainError) as refused:
        tranche_carry_remainder(actor=officer, grant=active_grant, number=3)

    assert refused.value.code == "no_next_tranche"


def test_the_company_cannot_carry_a_rest(client, part_paid):
    client.force_login(part_paid.owner)

    page = client.get(reverse("finance:grant", args=[part_paid.pk])).content.decode()
    response = client.post(reverse("finance:tranche_carry", args=[part_paid.pk, 1]))

    assert reverse("finance:tranche_carry", args=[part_paid.pk, 1]) not in page
    assert response.status_code == 403
    assert _amounts(part_paid)[0] == Decimal("400000.00")
