"""Claim evidence is checked for viruses with the claim, by the same scanner as application
documents: a file with a virus refuses the claim with its reason and is audited, and as
evidence has no waiting state, a file clamd could not check refuses it too. Without a
scanner, staff see the evidence marked "not scanned"."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from subsidy.devdata.applications import demo_pdf
from subsidy.finance.models import Claim
from subsidy.platform.models import AuditEvent
from tests.builders.clamd import EICAR, closed_port_url


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(tmp_path)}}}


def claim_with(client, grant, content):
    client.force_login(grant.owner)
    return client.post(reverse("finance:tranche_claim", args=[grant.pk, 1]), {
        "amount": "400000.00", "narrative": "Prototype delivered.",
        "evidence": SimpleUploadedFile("invoice.pdf", content)})


def test_clean_evidence_is_kept_with_the_claim(client, active_grant, clamd):
    response = claim_with(client, active_grant, demo_pdf("Invoice"))

    assert response.status_code == 302
    assert Claim.objects.get().evidence.count() == 1
    assert clamd.scanned == [demo_pdf("Invoice")]


def test_evidence_with_a_virus_refuses_the_claim_with_its_reason(client, active_grant, clamd):
    response = claim_with(client, active_grant, EICAR)

    assert response.status_code == 200
    assert "A virus was found in this file (Eicar-Test-Signature)" in response.content.decode()
    assert not Claim.objects.exists()
    event = AuditEvent.objects.get(action="security.upload_infected")
    assert event.object_id == str(active_grant.application_id)
    assert event.after["type"] == "claim_evidence"


def test_evidence_clamd_cannot_check_refuses_the_claim_for_now(client, active_grant, clamd,
                                                              settings):
    settings.CLAMD_URL = closed_port_url()

    response = claim_with(client, active_grant, demo_pdf("Invoice"))

    assert response.status_code == 200
    assert ("Evidence file “invoice.pdf” could not be checked for viruses just now."
            in response.content.decode())
    assert not Claim.objects.exists()


def test_without_a_scanner_staff_see_evidence_as_not_scanned(client, active_grant, officer):
    claim_with(client, active_grant, demo_pdf("Invoice"))
    claim_page = reverse("finance:claim", args=[Claim.objects.get().pk])

    applicant_page = client.get(claim_page).content.decode()
    client.force_login(officer)
    staff_page = client.get(claim_page).content.decode()

    assert "invoice.pdf" in applicant_page
    assert "Not scanned for viruses" not in applicant_page
    assert "Not scanned for viruses" in staff_page


def test_staff_see_no_not_scanned_mark_on_checked_evidence(client, active_grant, officer,
                                                           clamd):
    claim_with(client, active_grant, demo_pdf("Invoice"))
    client.force_login(officer)

    page = client.get(reverse("finance:claim", args=[Claim.objects.get().pk])).content.decode()

    assert "invoice.pdf" in page
    assert "Not scanned for viruses" not in page
