"""Uploads are checked for viruses by clamd when one is configured (a stand-in speaking its
INSTREAM protocol here): clean files are usable, the EICAR test file is refused with its
reason, and a file the scanner has not answered for waits as "scanning", unusable, until a
rescan gets an answer. Without a scanner, staff see "not scanned"."""

import pytest
from django.conf import settings as django_settings
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.urls import reverse

from applicants.models import ApplicationStatus, Document
from applicants.services.submission import application_submit
from applicants.tasks import rescan_documents
from subsidy.platform.models import AuditEvent
from tests.builders.applicants import fill, pdf_bytes
from tests.builders.clamd import EICAR, EICAR_SIGNATURE, closed_port_url

INFECTED = "A virus was found in this file (Eicar-Test-Signature), so it was not accepted."


def post_upload(client, application, name="plan.pdf", content=None):
    return client.post(reverse("applicants:documents", args=[application.pk]),
                       {"document_type": "business_plan",
                        "file": SimpleUploadedFile(name, content or pdf_bytes())})


def download(client, document):
    return client.get(reverse("applicants:document_download", args=[document.pk]))


@pytest.fixture
def filled(owner, draft):
    return fill(owner, draft, documents=False)


def test_a_clean_upload_is_scanned_while_the_uploader_waits_and_can_be_read(
        client_for, owner, filled, clamd):
    client = client_for(owner)

    response = post_upload(client, filled)

    assert response.status_code == 302
    document = Document.objects.get()
    assert document.scan_status == Document.ScanStatus.CLEAN
    assert clamd.scanned == [pdf_bytes()]
    assert download(client, document).status_code == 200


def test_the_eicar_test_file_is_refused_with_its_reason_and_audited(
        client_for, owner, filled, clamd):
    response = post_upload(client_for(owner), filled, name="eicar.pdf", content=EICAR)

    assert response.status_code == 200
    assert INFECTED in response.content.decode()
    assert not Document.objects.exists()
    event = AuditEvent.objects.get(action="security.upload_infected")
    assert event.actor == owner
    assert event.object_id == str(filled.pk)
    assert event.after["signature"] == EICAR_SIGNATURE
    assert event.after["name"] == "eicar.pdf"


def test_the_refusal_is_given_in_chinese_to_a_chinese_reader(client_for, owner, filled, clamd):
    client = client_for(owner)
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "zh-hant"

    page = post_upload(client, filled, content=EICAR).content.decode()

    assert "此檔案含有病毒（Eicar-Test-Signature），不獲接納。" in page


def test_with_clamd_down_the_upload_waits_unusable_until_a_rescan_finds_it_clean(
        client_for, owner, filled, officer, clamd, settings, django_capture_on_commit_callbacks):
    settings.CLAMD_URL = closed_port_url()
    client = client_for(owner)
    with django_capture_on_commit_callbacks(execute=True):
        assert post_upload(client, filled).status_code == 302
    document = Document.objects.get()

    # Not taken for clean: the scan task ran after the upload and got no answer either.
    assert document.scan_status == Document.ScanStatus.SCANNING
    assert "Being checked for viruses" in client.get(
        reverse("applicants:documents", args=[filled.pk])).content.decode()
    refused = download(client, document)
    assert refused.status_code == 409
    assert "still being checked for viruses" in refused.content.decode()
    submit_page = client.post(reverse("applicants:submit", args=[filled.pk])).content.decode()
    assert "“plan.pdf” is still being checked for viruses" in submit_page
    filled.refresh_from_db()
    assert filled.status == ApplicationStatus.DRAFT

    settings.CLAMD_URL = clamd.url
    assert rescan_documents.delay().get() == 1

    document.refresh_from_db()
    assert document.scan_status == Document.ScanStatus.CLEAN
    assert download(client, document).status_code == 200
    assert AuditEvent.objects.filter(action="application.document_scanned").exists()


@pytest.mark.parametrize("failure", ["error", "hang_up"])
def test_an_answer_that_is_not_a_verdict_is_not_taken_for_clean(
        client_for, owner, filled, clamd, failure):
    if failure == "error":
        clamd.reply = b"INSTREAM size limit exceeded. ERROR"
    else:
        clamd.hang_up = True

    post_upload(client_for(owner), filled)

    assert Document.objects.get().scan_status == Document.ScanStatus.SCANNING
    rescan_documents.delay()
    assert Document.objects.get().scan_status == Document.ScanStatus.SCANNING


def test_a_virus_found_on_rescan_deletes_the_file_and_tells_the_uploader(
        client_for, owner, filled, clamd, settings, django_capture_on_commit_callbacks):
    settings.CLAMD_URL = closed_port_url()
    client = client_for(owner)
    post_upload(client, filled)
    document = Document.objects.get()
    stored = document.file.name
    settings.CLAMD_URL = clamd.url
    clamd.reply = b"stream: Win.Test.Planted FOUND"

    with django_capture_on_commit_callbacks(execute=True):
        rescan_documents.delay()

    document.refresh_from_db()
    assert document.scan_status == Document.ScanStatus.INFECTED
    assert not default_storage.exists(stored)
    page = client.get(reverse("applicants:documents", args=[filled.pk])).content.decode()
    assert "Refused: a virus was found (Win.Test.Planted)" in page
    assert reverse("applicants:document_download", args=[document.pk]) not in page
    assert AuditEvent.objects.get(action="security.upload_infected").after["signature"] == (
        "Win.Test.Planted")
    submit_page = client.post(reverse("applicants:submit", args=[filled.pk])).content.decode()
    assert "A virus was found in “plan.pdf”: remove it and upload a clean copy." in submit_page
    # The uploader removes it and uploads a clean copy.
    client.post(reverse("applicants:document_delete", args=[document.pk]))
    clamd.reply = None
    post_upload(client, filled)
    assert Document.objects.get().scan_status == Document.ScanStatus.CLEAN


def test_without_a_scanner_staff_see_not_scanned_and_applicants_do_not(
        client_for, owner, filled, officer, settings):
    settings.VIRUS_SCANNER = ""
    post_upload(client_for(owner), filled)
    document = Document.objects.get()
    assert document.scan_status == Document.ScanStatus.NOT_SCANNED
    application_submit(actor=owner, application=filled)

    applicant_page = client_for(owner).get(
        reverse("applicants:documents", args=[filled.pk])).content.decode()
    staff_page = client_for(officer).get(
        reverse("staff:application", args=[filled.pk])).content.decode()

    assert "Not scanned for viruses" not in applicant_page
    assert "Not scanned for viruses" in staff_page
    assert reverse("applicants:document_download", args=[document.pk]) in staff_page


def test_staff_see_no_not_scanned_mark_on_a_clean_document(
        client_for, owner, filled, officer, clamd):
    post_upload(client_for(owner), filled)
    application_submit(actor=owner, application=filled)

    staff_page = client_for(officer).get(
        reverse("staff:application", args=[filled.pk])).content.decode()

    assert "plan.pdf" in staff_page
    assert "Not scanned for viruses" not in staff_page


@pytest.mark.parametrize(("scanner", "url"), [("clamd", ""), ("clamd", "http://clamav:3310"),
                                              ("sophos", "tcp://clamav:3310")])
def test_a_scanner_that_cannot_be_reached_by_its_settings_stops_the_start(settings, scanner,
                                                                          url):
    settings.VIRUS_SCANNER, settings.CLAMD_URL = scanner, url

    with pytest.raises(SystemCheckError, match="subsidy.E103"):
        call_command("check")
