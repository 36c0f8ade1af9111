from decimal import Decimal

import pytest
from django.utils import timezone

from subsidy.finance.models import Claim
from subsidy.finance.services.claims import (
    ClaimInput,
    claim_resubmit,
    claim_return,
    claim_submit,
    claim_verify,
)
from subsidy.notifications.models import Notification
from subsidy.platform.errors import DomainError, PermissionDeniedError
from subsidy.platform.models import AuditEvent
from tests.builders.finance import batched_payment, claim_first_tranche, mark_paid
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def test_owner_claims_the_first_tranche_with_a_progress_report(active_grant):
    line = active_grant.application.budget_lines.get()
    tranche = active_grant.tranches.get(number=1)

    claim = claim_submit(actor=active_grant.owner, tranche=tranche, data=ClaimInput(
        amount=Decimal("400000.00"), narrative="Prototype.",
        spend={line.pk: Decimal("123456.78")}))

    assert claim.status == Claim.Status.SUBMITTED
    assert claim.spend.get().actual_amount == Decimal("123456.78")
    assert AuditEvent.objects.filter(action="claim.submit", object_id=str(claim.pk)).exists()
    assert Notification.objects.filter(event="claim_received",
                                       recipient=active_grant.owner).exists()


def test_claim_for_a_tranche_that_is_not_due_is_refused(active_grant):
    second = active_grant.tranches.get(number=2)

    with pytest.raises(DomainError, match="not due yet"):
        claim_submit(actor=active_grant.owner, tranche=second,
                     data=ClaimInput(amount=second.amount, narrative="Early."))

    assert not Claim.objects.exists()


def test_tranche_cannot_be_claimed_twice(active_grant):
    claim_first_tranche(active_grant)

    with pytest.raises(DomainError, match="claimed already"):
        claim_first_tranche(active_grant)

    assert Claim.objects.count() == 1


def test_claim_above_the_tranche_amount_is_refused(active_grant):
    with pytest.raises(DomainError, match="above the tranche"):
        claim_first_tranche(active_grant, amount=Decimal("400000.01"))

    assert not Claim.objects.exists()


def test_viewer_member_cannot_claim(active_grant):
    viewer = MembershipFactory(organisation=active_grant.application.organisation,
                               role="viewer").user
    tranche = active_grant.tranches.get(number=1)

    with pytest.raises(PermissionDeniedError):
        claim_submit(actor=viewer, tranche=tranche,
                     data=ClaimInput(amount=tranche.amount, narrative="x"))


def test_tranche_of_an_accepted_but_not_active_grant_cannot_be_claimed(accepted_grant, officer):
    from subsidy.finance.services.tranches import grant_activate

    grant_activate(actor=officer, grant=accepted_grant)
    accepted_grant.__class__.objects.filter(pk=accepted_grant.pk).update(status="accepted")

    with pytest.raises(DomainError, match="while the grant is active"):
        claim_first_tranche(accepted_grant)


def test_officer_returns_a_claim_and_the_applicant_resubmits_it(active_grant, officer):
    claim = claim_first_tranche(active_grant)

    claim_return(actor=officer, claim=claim, comment="Attach the signed report.")
    revised = claim_resubmit(actor=active_grant.owner, claim=claim, data=ClaimInput(
        amount=Decimal("350000.00"), narrative="Signed report attached."))

    assert revised.status == Claim.Status.SUBMITTED
    assert revised.revision == 2
    assert revised.amount == Decimal("350000.00")
    assert Notification.objects.filter(event="claim_returned").exists()


def test_return_needs_a_comment(active_grant, officer):
    claim = claim_first_tranche(active_grant)

    with pytest.raises(DomainError):
        claim_return(actor=officer, claim=claim, comment="  ")

    assert Claim.objects.get(pk=claim.pk).status == Claim.Status.SUBMITTED


def test_only_a_programme_officer_verifies_claims(active_grant, finance_officer):
    claim = claim_first_tranche(active_grant)

    with pytest.raises(PermissionDeniedError):
        claim_verify(actor=finance_officer, claim=claim)


def test_second_tranche_is_due_once_the_first_is_paid(active_grant, officer, finance_officer,
                                                      finance_approver):

    payment, _batch = batched_payment(active_grant, officer, finance_officer, finance_approver)
    mark_paid(payment, bank_reference="HSBC-1",
              value_date=timezone.localdate(payment.prepared_at))
    second = active_grant.tranches.get(number=2)

    claim = claim_submit(actor=active_grant.owner, tranche=second,
                         data=ClaimInput(amount=second.amount, narrative="Mid-term."))

    assert claim.status == Claim.Status.SUBMITTED


@pytest.fixture
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(tmp_path)}}}


def test_claim_keeps_its_evidence_document(_media, active_grant):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from subsidy.devdata.applications import demo_pdf

    tranche = active_grant.tranches.get(number=1)
    pdf = SimpleUploadedFile("report.pdf", demo_pdf("Progress"), content_type="application/pdf")

    claim = claim_submit(actor=active_grant.owner, tranche=tranche, data=ClaimInput(
        amount=tranche.amount, narrative="Report attached.", evidence=[pdf]))

    evidence = claim.evidence.get()
    assert (evidence.original_name, evidence.mime_type) == ("report.pdf", "application/pdf")


def test_evidence_that_is_not_an_allowed_document_is_refused(_media, active_grant):
    from django.core.files.uploadedfile import SimpleUploadedFile

    tranche = active_grant.tranches.get(number=1)
    fake = SimpleUploadedFile("report.pdf", b"#!/bin/sh\necho hi\n", content_type="application/pdf")

    with pytest.raises(DomainError, match="not a PDF"):
        claim_submit(actor=active_grant.owner, tranche=tranche, data=ClaimInput(
            amount=tranche.amount, narrative="Report attached.", evidence=[fake]))

    assert not Claim.objects.exists()
