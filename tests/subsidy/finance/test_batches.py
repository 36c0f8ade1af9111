"""A batch is a record: released once by a third person, its bank file fixed with its
SHA-256, every payment kept in it with the bank's answer, bank references unique, value
dates neither in the future nor before the release."""

import hashlib
from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from subsidy.finance.models import Claim, Disbursement, PaymentBatch
from subsidy.finance.services.payments import (
    payment_approve,
    payment_batch_create,
    payment_batch_release,
    payment_mark_failed,
    payment_prepare,
)
from subsidy.finance.services.tranches import grant_activate
from subsidy.platform.errors import DomainError, PermissionDeniedError
from subsidy.platform.roles import Role
from tests.builders.finance import (
    approved_payment,
    batched_payment,
    make_accepted_grant,
    mark_paid,
    releaser,
    settler,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

S = Disbursement.Status


def test_a_failed_payment_stays_in_its_batch_and_is_paid_again_in_a_new_one(
        client, active_grant, officer, finance_officer, finance_approver):
    payment, batch = batched_payment(active_grant, officer, finance_officer, finance_approver)
    client.force_login(settler())

    client.post(reverse("finance:failed", args=[payment.pk]), {"reason": "Account closed"})
    page = client.get(reverse("finance:batch", args=[batch.pk])).content.decode()
    csv_body = b"".join(client.get(reverse("finance:batch", args=[batch.pk]) + "?format=csv")
                        .streaming_content).decode()

    assert "1 payment, HK$400,000.00 in total." in page
    assert "Account closed" in page and "Failed at the bank" in page
    assert "004-123-456789-001" in csv_body
    payment.refresh_from_db()
    assert (payment.status, payment.batch_id) == (S.FAILED, batch.pk)
    assert Claim.objects.get(pk=payment.claim_id).status == Claim.Status.VERIFIED
    queue = client.get(reverse("finance:payments")).content.decode()
    assert reverse("finance:prepare", args=[payment.claim_id]) in queue

    again = payment_approve(actor=finance_approver, payment=payment_prepare(
        actor=finance_officer, claim=payment.claim))
    second = payment_batch_create(actor=finance_officer, payment_ids=[again.pk])

    assert again.pk != payment.pk and second.pk != batch.pk
    assert list(batch.disbursements.values_list("pk", flat=True)) == [payment.pk]
    assert PaymentBatch.objects.get(pk=batch.pk).file_sha256 == batch.file_sha256


def test_the_batch_page_shows_the_hash_of_the_file_it_downloads(
        client, active_grant, officer, finance_officer, finance_approver):
    _payment, batch = batched_payment(active_grant, officer, finance_officer,
                                      finance_approver)
    client.force_login(finance_officer)
    url = reverse("finance:batch", args=[batch.pk])

    page = client.get(url).content.decode()
    download = client.get(url + "?format=xml")

    digest = hashlib.sha256(download.content).hexdigest()
    assert digest == batch.file_sha256 and digest in page
    assert download["Content-Type"] == "application/xml"


def test_a_batch_is_released_from_its_page_once(
        client, active_grant, officer, finance_officer, finance_approver):
    _payment, batch = batched_payment(active_grant, officer, finance_officer,
                                      finance_approver, release=False)
    third = releaser()
    client.force_login(third)
    url = reverse("finance:batch_release", args=[batch.pk])
    today = timezone.localdate().isoformat()

    client.post(url, {"execution_date": today})
    first = PaymentBatch.objects.get(pk=batch.pk)
    client.post(url, {"execution_date": today})

    assert first.released_by == third and first.file_sha256
    assert PaymentBatch.objects.get(pk=batch.pk).released_at == first.released_at
    with pytest.raises(DomainError, match="released already"):
        payment_batch_release(actor=releaser(), batch=batch,
                              execution_date=timezone.localdate())


def test_an_unreleased_batch_has_no_bank_file_and_cannot_be_settled(
        client, active_grant, officer, finance_officer, finance_approver):
    payment, batch = batched_payment(active_grant, officer, finance_officer,
                                     finance_approver, release=False)
    client.force_login(finance_officer)

    assert client.get(reverse("finance:batch", args=[batch.pk]) + "?format=xml"
                      ).status_code == 404
    with pytest.raises(DomainError, match="released"):
        mark_paid(payment, bank_reference="EARLY")


def test_the_preparer_cannot_release_the_batch_from_its_page(
        client, active_grant, officer, finance_approver):
    both = UserFactory(roles=[Role.FINANCE_OFFICER, Role.FINANCE_APPROVER])
    payment, batch = batched_payment(active_grant, officer, both, finance_approver,
                                     release=False)
    client.force_login(both)

    response = client.post(reverse("finance:batch_release", args=[batch.pk]),
                           {"execution_date": timezone.localdate().isoformat()}, follow=True)

    assert "someone else must release" in response.content.decode()
    assert not PaymentBatch.objects.get(pk=batch.pk).is_released


def test_the_approver_cannot_release_when_release_is_separate(
        active_grant, officer, finance_officer, finance_approver, settings):
    settings.FINANCE_SEPARATE_RELEASE = True
    _payment, batch = batched_payment(active_grant, officer, finance_officer,
                                      finance_approver, release=False)

    with pytest.raises(PermissionDeniedError, match="third person"):
        payment_batch_release(actor=finance_approver, batch=batch,
                              execution_date=timezone.localdate())


def test_the_approver_may_release_when_release_is_not_separate(
        active_grant, officer, finance_officer, finance_approver, settings):
    settings.FINANCE_SEPARATE_RELEASE = False
    payment, batch = batched_payment(active_grant, officer, finance_officer,
                                     finance_approver, release=False)

    released = payment_batch_release(actor=finance_approver, batch=batch,
                                     execution_date=timezone.localdate())

    assert released.released_by == finance_approver
    assert Disbursement.objects.get(pk=payment.pk).release_separate is False


def test_the_database_refuses_a_release_by_the_preparer_or_a_separate_one_by_the_approver(
        active_grant, officer, finance_officer, finance_approver):
    payment = approved_payment(active_grant, officer, finance_officer, finance_approver)
    rows = Disbursement.objects.filter(pk=payment.pk)

    with pytest.raises(IntegrityError), transaction.atomic():
        rows.update(released_by=finance_officer)
    with pytest.raises(IntegrityError), transaction.atomic():
        rows.update(released_by=finance_approver, release_separate=True)
    rows.update(released_by=finance_approver, release_separate=False)


def test_the_preparer_cannot_mark_their_payment_paid_from_the_batch_page(
        client, active_grant, officer, finance_officer, finance_approver):
    payment, _batch = batched_payment(active_grant, officer, finance_officer,
                                      finance_approver)
    client.force_login(finance_officer)

    response = client.post(reverse("finance:paid", args=[payment.pk]), {
        "bank_reference": "HSBC-1", "value_date": timezone.localdate().isoformat()},
        follow=True)

    assert "someone else must record" in response.content.decode()
    assert Disbursement.objects.get(pk=payment.pk).status == S.BATCHED


@pytest.mark.parametrize(("days", "message"), [
    (1, "cannot be after today"), (-1, "before the batch was released")])
def test_a_value_date_in_the_future_or_before_the_release_is_refused_on_the_page(
        client, active_grant, officer, finance_officer, finance_approver, days, message):
    payment, _batch = batched_payment(active_grant, officer, finance_officer,
                                      finance_approver)
    client.force_login(settler())

    response = client.post(reverse("finance:paid", args=[payment.pk]), {
        "bank_reference": "HSBC-1",
        "value_date": (timezone.localdate() + timedelta(days=days)).isoformat()}, follow=True)

    assert message in response.content.decode()
    assert Disbursement.objects.get(pk=payment.pk).status == S.BATCHED


def test_a_bank_reference_cannot_be_used_for_two_payments(
        client, active_grant, officer, finance_officer, finance_approver):
    first, _batch = batched_payment(active_grant, officer, finance_officer, finance_approver)
    other = make_accepted_grant()
    grant_activate(actor=officer, grant=other)
    second, _batch = batched_payment(other, officer, finance_officer, finance_approver)
    mark_paid(first, bank_reference="HSBC-1")
    client.force_login(settler())

    response = client.post(reverse("finance:paid", args=[second.pk]), {
        "bank_reference": "HSBC-1", "value_date": timezone.localdate().isoformat()},
        follow=True)

    assert "recorded for another payment" in response.content.decode()
    with pytest.raises(IntegrityError), transaction.atomic():
        Disbursement.objects.filter(pk=second.pk).update(bank_reference="HSBC-1")


def test_a_paid_payment_returned_by_the_bank_makes_its_tranche_payable_again(
        active_grant, officer, finance_officer, finance_approver):
    payment, _batch = batched_payment(active_grant, officer, finance_officer, finance_approver)
    mark_paid(payment, bank_reference="HSBC-1")

    payment_mark_failed(actor=settler(), payment=payment, reason="Beneficiary deceased")

    payment.refresh_from_db()
    assert payment.status == S.FAILED
    assert list(payment.outcomes.values_list("kind", flat=True)) == ["paid", "returned"]
    assert payment.tranche.status == "scheduled"
    assert Claim.objects.get(pk=payment.claim_id).status == Claim.Status.VERIFIED
