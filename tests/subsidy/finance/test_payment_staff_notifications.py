"""Finance staff hear of the work that waits for them: finance officers when a claim is
verified (its payment to prepare), finance approvers when a payment is prepared. Whoever took
the step is not told of it."""

import pytest
from django.core import mail

from subsidy.finance.services.claims import claim_verify
from subsidy.finance.services.payments import payment_prepare
from subsidy.notifications.models import Notification
from subsidy.platform.roles import Role
from tests.builders.finance import claim_first_tranche
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_finance_officers_are_told_a_verified_claim_waits_for_its_payment(
        active_grant, officer, finance_officer, django_capture_on_commit_callbacks):
    chinese = UserFactory(roles=[Role.FINANCE_OFFICER], language="zh-hant")
    claim = claim_first_tranche(active_grant)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        claim_verify(actor=officer, claim=claim)

    notes = Notification.objects.filter(event="claim_verified")
    assert {note.recipient for note in notes} == {finance_officer, chinese}
    assert {note.context["url"] for note in notes} == {f"/finance/claims/{claim.pk}/"}
    [zh_mail] = [m for m in mail.outbox if m.to == [chinese.email]]
    assert "申領已核實" in zh_mail.subject


def test_a_verifier_who_is_also_a_finance_officer_is_not_told_of_their_own_step(
        active_grant, finance_officer):
    both = UserFactory(roles=[Role.PROGRAMME_OFFICER, Role.FINANCE_OFFICER])
    claim = claim_first_tranche(active_grant)

    claim_verify(actor=both, claim=claim)

    assert list(Notification.objects.filter(event="claim_verified")
                .values_list("recipient", flat=True)) == [finance_officer.pk]


def test_finance_approvers_are_told_a_prepared_payment_waits_for_approval(
        active_grant, officer, finance_officer, finance_approver):
    claim = claim_first_tranche(active_grant)
    claim_verify(actor=officer, claim=claim)

    payment_prepare(actor=finance_officer, claim=claim)

    note = Notification.objects.get(event="payment_prepared")
    assert note.recipient == finance_approver
    assert note.context["url"] == "/finance/payments/"
    assert note.context["amount"] == f"HK${claim.amount:,.2f}"


def test_whoever_prepared_a_payment_is_not_asked_to_approve_it(active_grant, officer,
                                                               finance_approver):
    both = UserFactory(roles=[Role.FINANCE_OFFICER, Role.FINANCE_APPROVER])
    claim = claim_first_tranche(active_grant)
    claim_verify(actor=officer, claim=claim)

    payment_prepare(actor=both, claim=claim)

    assert list(Notification.objects.filter(event="payment_prepared")
                .values_list("recipient", flat=True)) == [finance_approver.pk]
