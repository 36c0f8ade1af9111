"""The payee is inside maker-checker: fixed when the payment is prepared, shown to the
approver and recorded with the approval; a changed bank account notifies the company's
owners and finance, needs finance's verification by someone who does not then prepare the
payment, and is usable only after the cooling-off period; payments approved before the
change still go to the account they were approved with."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from subsidy.finance.models import BankAccount, Disbursement
from subsidy.finance.services.bank import bank_account_verify
from subsidy.finance.services.claims import claim_verify
from subsidy.finance.services.payments import (
    payment_approve,
    payment_batch_create,
    payment_batch_release,
    payment_prepare,
)
from subsidy.notifications.models import Notification
from subsidy.platform.errors import DomainError
from subsidy.platform.models import AuditEvent
from subsidy.platform.roles import Role
from tests.builders.accounts import confirm_identity
from tests.builders.finance import approved_payment, claim_first_tranche, releaser
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

NEW_ACCOUNT = {"bank_name": "Bank of China (Hong Kong)", "account_name": "Diverted Ltd",
               "account_number": "012-888-777666-5"}


def _change_account(client, grant, data=NEW_ACCOUNT):
    client.force_login(grant.owner)
    confirm_identity(client)
    url = reverse("finance:bank_account", args=[grant.application.organisation_id])
    return client.post(url, data)


def _verified_claim(grant, officer):
    claim = claim_first_tranche(grant)
    claim_verify(actor=officer, claim=claim)
    return claim


def test_approver_sees_the_payee_and_the_approval_records_it(
        client, active_grant, officer, finance_officer, finance_approver):
    payment = payment_prepare(actor=finance_officer,
                              claim=_verified_claim(active_grant, officer))
    client.force_login(finance_approver)

    page = client.get(reverse("finance:payments")).content.decode()
    client.post(reverse("finance:approve", args=[payment.pk]))

    assert active_grant.application.organisation.name_en in page
    assert "004-123-456789-001" in page
    approval = AuditEvent.objects.get(action="disbursement.approve")
    assert approval.after["account_number"] == "004-123-456789-001"
    assert approval.after["payee_name"] == active_grant.application.organisation.name_en
    assert approval.after["amount"] == "400000.00"


def test_a_changed_bank_account_notifies_the_owners_and_finance(
        client, active_grant, finance_officer, finance_approver):
    other_owner = MembershipFactory(organisation=active_grant.application.organisation,
                                    role="owner").user

    response = _change_account(client, active_grant)

    assert response.status_code == 302
    told = set(Notification.objects.filter(event="bank_account_changed")
               .values_list("recipient_id", flat=True))
    assert told == {active_grant.owner.pk, other_owner.pk}
    staff = set(Notification.objects.filter(event="bank_account_changed_staff")
                .values_list("recipient_id", flat=True))
    assert staff == {finance_officer.pk, finance_approver.pk}
    assert "6665" in Notification.objects.filter(event="bank_account_changed").first().context[
        "masked_number"]


def test_an_approved_payment_still_goes_to_the_account_it_was_approved_with(
        client, active_grant, officer, finance_officer, finance_approver):
    payment = approved_payment(active_grant, officer, finance_officer, finance_approver)
    _change_account(client, active_grant)

    batch = payment_batch_create(actor=finance_officer, payment_ids=[payment.pk])
    batch = payment_batch_release(actor=releaser(), batch=batch,
                                  execution_date=timezone.localdate())

    payment.refresh_from_db()
    assert (payment.payee_name, payment.account_number) == (
        active_grant.application.organisation.name_en, "004-123-456789-001")
    assert "004123456789001" in batch.file_xml
    assert "012888777666" not in batch.file_xml


def test_a_changed_account_is_not_paid_until_finance_verifies_it_and_it_cools_off(
        client, active_grant, officer, finance_officer, finance_approver, settings):
    settings.FINANCE_BANK_ACCOUNT_COOLING_OFF_HOURS = 48
    _change_account(client, active_grant)
    claim = _verified_claim(active_grant, officer)
    client.force_login(finance_officer)

    client.post(reverse("finance:prepare", args=[claim.pk]))
    refused = client.get(reverse("finance:payments")).content.decode()

    assert "not been verified" in refused
    assert not Disbursement.objects.exists()
    client.force_login(finance_approver)
    page = client.get(reverse("finance:bank_accounts")).content.decode()
    assert "012-888-777666-5" in page
    account = BankAccount.objects.get()
    client.post(reverse("finance:bank_account_verify", args=[account.pk]))
    assert BankAccount.objects.get().verified_by == finance_approver

    with pytest.raises(DomainError, match="changed recently"):
        payment_prepare(actor=finance_officer, claim=claim)
    with time_machine.travel(timezone.now() + timedelta(hours=49)):
        payment = payment_prepare(actor=finance_officer, claim=claim)

    assert (payment.payee_name, payment.account_number, payment.payee_verified_by) == (
        "Diverted Ltd", "012-888-777666-5", finance_approver)


def test_whoever_verified_the_account_cannot_prepare_payments_to_it(
        client, active_grant, officer, settings):
    settings.FINANCE_BANK_ACCOUNT_COOLING_OFF_HOURS = 0
    _change_account(client, active_grant)
    both = UserFactory(roles=[Role.FINANCE_OFFICER])
    bank_account_verify(actor=both, account=BankAccount.objects.get())

    with pytest.raises(DomainError, match="another finance officer"):
        payment_prepare(actor=both, claim=_verified_claim(active_grant, officer))


def test_saving_the_same_account_again_keeps_its_verification(client, active_grant):
    account = BankAccount.objects.get()

    _change_account(client, active_grant, data={
        "bank_name": account.bank_name, "account_name": account.account_name,
        "account_number": account.account_number})

    assert BankAccount.objects.get().verified_by_id == account.verified_by_id
    assert not Notification.objects.filter(event="bank_account_changed").exists()


def test_approving_a_payment_does_not_read_the_account_on_file(
        client, active_grant, officer, finance_officer, finance_approver):
    payment = payment_prepare(actor=finance_officer,
                              claim=_verified_claim(active_grant, officer))
    _change_account(client, active_grant)

    approved = payment_approve(actor=finance_approver, payment=payment)

    assert approved.account_number == "004-123-456789-001"
