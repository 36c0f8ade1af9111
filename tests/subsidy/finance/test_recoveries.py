"""A complete ledger: the unclaimed rest of a tranche claimed in part is released when the
grant completes, and recovery orders with their receipts reduce net paid, seen from the
grant page, the registers, the dashboard and 360Giving."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from subsidy.finance.models import Recovery, RecoveryReceipt
from subsidy.finance.opendata.threesixty import grants_package
from subsidy.finance.services.recoveries import recovery_raise, recovery_receipt_record
from subsidy.finance.services.tranches import grant_activate, grant_complete, grant_terminate
from subsidy.platform.errors import DomainError
from subsidy.platform.models import AuditEvent
from subsidy.platform.roles import Role
from subsidy.scheme.ledger import grant_net_paid, round_committed
from tests.builders.closure import accept_final_report
from tests.builders.finance import approved_recovery, make_accepted_grant, pay_in_part
from tests.factories import FundingRoundFactory, SchemeFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def round_():
    return FundingRoundFactory(scheme=SchemeFactory(code="aiss"), code="2026R1",
                               envelope=Decimal("10000000.00"))


@pytest.fixture
def paid_grant(round_, officer, finance_officer, finance_approver):
    """A HK$300,000 grant of one tranche, claimed and paid for HK$250,000."""
    grant = make_accepted_grant(round_=round_, amount="300000.00", shares=("100",))
    grant_activate(actor=officer, grant=grant)
    pay_in_part(grant, "250000.00", officer, finance_officer, finance_approver)
    return grant


def test_completing_a_partly_claimed_grant_releases_its_unclaimed_rest(
        client, paid_grant, officer, finance_officer, round_):
    assert round_committed(round_id=round_.pk) == Decimal("300000.00")

    accept_final_report(paid_grant)
    grant_complete(actor=officer, grant=paid_grant)

    assert round_committed(round_id=round_.pk) == Decimal("250000.00")
    event = AuditEvent.objects.get(action="grant.complete", object_id=str(paid_grant.pk))
    assert event.after["released"] == "50000.00"
    client.force_login(finance_officer)
    page = client.get(reverse("finance:commitments_register"))
    [row] = page.context["rows"]
    assert (row["committed"], row["outstanding"]) == (Decimal("250000.00"), Decimal("0.00"))
    dashboard = client.get(reverse("finance:dashboard"))
    assert dashboard.context["s"]["remaining"] == Decimal("9750000.00")
    assert sum(month["net"] for month in dashboard.context["by_month"]) == Decimal(
        "250000.00")


def _raise(client, grant, **data):
    return client.post(reverse("finance:recovery_raise", args=[grant.pk]),
                       {"reason": "overpayment", "note": "Paid twice for one invoice.",
                        **data})


def test_finance_raises_a_recovery_and_records_its_receipt_from_the_grant_page(
        client, paid_grant, finance_officer, finance_approver):
    client.force_login(finance_officer)
    _raise(client, paid_grant, amount="40000.00")
    recovery = Recovery.objects.get()
    client.force_login(finance_approver)
    client.post(reverse("finance:recovery_approve", args=[recovery.pk]))
    client.force_login(finance_officer)

    response = client.post(reverse("finance:recovery_receipt", args=[recovery.pk]), {
        "amount": "30000.00", "received_on": timezone.localdate().isoformat(),
        "bank_reference": "RCV-1"})

    assert response.status_code == 302
    assert grant_net_paid(grant_id=paid_grant.pk) == Decimal("220000.00")
    page = client.get(reverse("finance:grant", args=[paid_grant.pk]))
    [shown] = page.context["recoveries"]
    assert (shown.received, shown.outstanding) == (Decimal("30000.00"), Decimal("10000.00"))
    assert "RCV-1" in page.content.decode()
    assert AuditEvent.objects.filter(
        action__in=["recovery.raise", "recovery.approve", "recovery.receive"]).count() == 3


def test_an_unapproved_recovery_does_not_reduce_net_paid(client, paid_grant,
                                                          finance_officer):
    client.force_login(finance_officer)
    _raise(client, paid_grant, amount="40000.00")
    recovery = Recovery.objects.get()

    response = client.post(reverse("finance:recovery_receipt", args=[recovery.pk]), {
        "amount": "30000.00", "received_on": timezone.localdate().isoformat(),
        "bank_reference": "RCV-1"}, follow=True)

    assert "must approve this recovery order" in response.content.decode()
    assert "Awaiting approval" in response.content.decode()
    assert not RecoveryReceipt.objects.exists()
    assert grant_net_paid(grant_id=paid_grant.pk) == Decimal("250000.00")


def test_whoever_raised_a_recovery_cannot_approve_it_even_as_an_approver(
        client, paid_grant):
    both = UserFactory(roles=[Role.FINANCE_OFFICER, Role.FINANCE_APPROVER])
    client.force_login(both)
    _raise(client, paid_grant, amount="40000.00")
    recovery = Recovery.objects.get()

    page = client.get(reverse("finance:grant", args=[paid_grant.pk])).content.decode()
    response = client.post(reverse("finance:recovery_approve", args=[recovery.pk]),
                           follow=True)

    assert reverse("finance:recovery_approve", args=[recovery.pk]) not in page
    assert "someone else must approve it" in response.content.decode()
    recovery.refresh_from_db()
    assert recovery.approved_by is None and not recovery.is_approved


def test_a_finance_officer_cannot_approve_a_recovery(client, paid_grant, finance_officer):
    recovery = recovery_raise(actor=UserFactory(roles=[Role.FINANCE_OFFICER]),
                              grant=paid_grant, reason="overpayment",
                              amount=Decimal("10.00"), note="Overpaid.")
    client.force_login(finance_officer)

    response = client.post(reverse("finance:recovery_approve", args=[recovery.pk]))

    assert response.status_code == 403
    recovery.refresh_from_db()
    assert not recovery.is_approved


def test_a_recovery_shows_in_the_registers_dashboard_and_360giving(
        client, paid_grant, officer, finance_officer, round_):
    accept_final_report(paid_grant)
    grant_complete(actor=officer, grant=paid_grant)
    recovery = approved_recovery(paid_grant, actor=finance_officer, reason="breach",
                                 amount="50000.00", note="Conditions not met.")
    recovery_receipt_record(actor=finance_officer, recovery=recovery,
                            amount=Decimal("50000.00"), received_on=timezone.localdate(),
                            bank_reference="RCV-9")
    client.force_login(finance_officer)

    [row] = client.get(reverse("finance:commitments_register")).context["rows"]
    position = client.get(reverse("finance:dashboard")).context["s"]
    [record] = grants_package()["grants"]

    assert (row["paid"], row["recovered"], row["net_paid"], row["committed"]) == (
        Decimal("250000.00"), Decimal("50000.00"), Decimal("200000.00"),
        Decimal("200000.00"))
    assert (position["paid"], position["recovered"], position["net_paid"]) == (
        Decimal("250000.00"), Decimal("50000.00"), Decimal("200000.00"))
    assert position["committed"] == round_committed(round_id=round_.pk) == Decimal(
        "200000.00")
    assert record["amountDisbursed"] == 200000


def test_more_than_was_paid_cannot_be_ordered_back(paid_grant, finance_officer):
    recovery_raise(actor=finance_officer, grant=paid_grant, reason="overpayment",
                   amount=Decimal("200000.00"), note="Overpaid.")

    with pytest.raises(DomainError) as refused:
        recovery_raise(actor=finance_officer, grant=paid_grant, reason="overpayment",
                       amount=Decimal("50000.01"), note="Again.")

    assert refused.value.code == "recovery_above_paid"


def test_a_receipt_above_what_is_outstanding_is_refused_on_the_page(
        client, paid_grant, finance_officer):
    recovery = approved_recovery(paid_grant, actor=finance_officer, reason="termination",
                                 amount="1000.00", note="Ended early.")
    client.force_login(finance_officer)

    response = client.post(reverse("finance:recovery_receipt", args=[recovery.pk]), {
        "amount": "1000.01", "received_on": timezone.localdate().isoformat(),
        "bank_reference": "RCV-2"}, follow=True)

    assert "outstanding on this recovery order" in response.content.decode()
    assert not RecoveryReceipt.objects.exists()


def test_a_receipt_cannot_be_dated_in_the_future(paid_grant, finance_officer):
    recovery = approved_recovery(paid_grant, actor=finance_officer, reason="termination",
                                 amount="1000.00", note="Ended early.")

    with pytest.raises(DomainError) as refused:
        recovery_receipt_record(actor=finance_officer, recovery=recovery,
                                amount=Decimal("10.00"),
                                received_on=timezone.localdate() + timedelta(days=1),
                                bank_reference="RCV-3")

    assert refused.value.code == "value_date_future"


def test_the_company_does_not_see_recoveries_nor_raise_them(client, paid_grant):
    client.force_login(paid_grant.owner)

    page = client.get(reverse("finance:grant", args=[paid_grant.pk]))
    refused = _raise(client, paid_grant, amount="10.00")

    assert 'id="recoveries"' not in page.content.decode()
    assert refused.status_code == 403
    assert not Recovery.objects.exists()


def test_terminated_grant_recovery_returns_money_to_the_round(
        paid_grant, officer, finance_officer, round_):
    grant_terminate(actor=officer, grant=paid_grant, reason="Stopped.")
    recovery = approved_recovery(paid_grant, actor=finance_officer, reason="termination",
                                 amount="250000.00", note="All back.")

    recovery_receipt_record(actor=finance_officer, recovery=recovery,
                            amount=Decimal("250000.00"), received_on=timezone.localdate(),
                            bank_reference="RCV-4")

    assert round_committed(round_id=round_.pk) == Decimal("0.00")


def test_grant_page_asks_the_same_number_of_queries_for_1_or_8_recoveries(
        client, paid_grant, finance_officer, django_assert_num_queries):
    client.force_login(finance_officer)
    url = reverse("finance:grant", args=[paid_grant.pk])

    def add(count, start):
        for n in range(count):
            recovery = approved_recovery(paid_grant, actor=finance_officer,
                                         amount="100.00")
            recovery_receipt_record(actor=finance_officer, recovery=recovery,
                                    amount=Decimal("50.00"),
                                    received_on=timezone.localdate(),
                                    bank_reference=f"RCV-{start + n}")

    add(1, 0)
    client.get(url)
    with django_assert_num_queries(15):
        assert client.get(url).status_code == 200
    add(7, 1)
    client.get(url)
    with django_assert_num_queries(15):
        page = client.get(url)
    assert len(page.context["recoveries"]) == 8
