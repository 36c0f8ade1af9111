"""The partner API's uploads go through the same virus check as the web's: the EICAR test
file is refused with the web's message, and a document the scanner has not answered for is
listed as "scanning" and cannot be downloaded until it is found clean."""

import pytest

from applicants.tasks import rescan_documents
from tests.builders.clamd import EICAR, closed_port_url
from tests.builders.partner_applications import upload, url


@pytest.fixture(autouse=True)
def _storage(private_storage):
    """Uploaded documents go to a throw-away directory."""


def test_the_eicar_test_file_is_refused_with_the_web_message(partner_client, created, clamd):
    response = upload(partner_client, created, content=EICAR)

    assert response.status_code == 400
    assert response.json()["errors"]["file"] == [
        "A virus was found in this file (Eicar-Test-Signature), so it was not accepted. Check "
        "your computer with up-to-date anti-virus software, then upload a clean copy."]
    assert partner_client.get(url(created, "documents/")).json() == []


def test_a_clean_upload_is_listed_clean(partner_client, created, clamd):
    response = upload(partner_client, created)

    assert response.status_code == 201
    assert response.json()["scan_status"] == "clean"


def test_with_clamd_down_the_document_waits_and_cannot_be_downloaded(
        partner_client, created, clamd, settings):
    settings.CLAMD_URL = closed_port_url()
    document = upload(partner_client, created).json()
    download = url(created, f"documents/{document['id']}/")

    assert document["scan_status"] == "scanning"
    refused = partner_client.get(download)
    assert refused.status_code == 422
    assert refused.json()["detail"].startswith("This document is still being checked")

    settings.CLAMD_URL = clamd.url
    rescan_documents.delay()

    assert partner_client.get(url(created, "documents/")).json()[0]["scan_status"] == "clean"
    assert partner_client.get(download).status_code == 200


def test_without_a_scanner_documents_are_listed_as_not_scanned(partner_client, created):
    assert upload(partner_client, created).json()["scan_status"] == "not_scanned"
