"""Claim evidence is checked for viruses with the claim, by the same scanner as application
documents: a file with a virus refuses the claim with its reason and is audited, and as
evidence has no waiting state, a file clamd could not check refuses it too."""

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
