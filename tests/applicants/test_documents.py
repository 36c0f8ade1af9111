import hashlib
import io
import zipfile

import pytest
from django.core.files.storage import default_storage

from applicants import rules
from applicants.errors import ProblemsError
from applicants.models import Document, Membership
from applicants.services.documents import document_delete, document_upload
from applicants.services.filetypes import DOCX, JPEG, PDF, PNG, PPTX, XLSX, download_name
from applicants.services.submission import application_submit
from subsidy.platform.errors import DomainError, PermissionDeniedError
from subsidy.platform.models import AuditEvent
from tests.builders.applicants import (
    docx_bytes,
    jpeg_bytes,
    member,
    ooxml_bytes,
    pdf_bytes,
    png_bytes,
    upload,
    xlsx_bytes,
)


def put(user, application, name, content, document_type="business_plan"):
    return document_upload(actor=user, application=application, document_type=document_type,
                           uploaded_file=upload(name, content))


@pytest.mark.parametrize(("name", "build", "mime"), [
    ("plan.pdf", pdf_bytes, PDF),
    ("chart.png", png_bytes, PNG),
    ("photo.jpg", jpeg_bytes, JPEG),
    ("plan.docx", docx_bytes, DOCX),
    ("accounts.xlsx", xlsx_bytes, XLSX),
])
def test_allowed_types_are_recognised_by_content(owner, draft, name, build, mime):
    assert put(owner, draft, name, build()).mime_type == mime


def test_the_name_does_not_decide_the_type(owner, draft):
    assert put(owner, draft, "accounts.pdf", xlsx_bytes()).mime_type == XLSX


@pytest.mark.parametrize(("name", "content"), [
    ("plan.pdf", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64),
    ("plan.pdf", b"\x7fELF\x02\x01\x01" + b"\x00" * 64),
    ("plan.pdf", b"This is a plain text file pretending to be a PDF.\n"),
    ("plan.docx", b"PK\x03\x04" + b"\x00" * 64),
    ("song.pdf", b"ID3\x03\x00\x00\x00" + b"\x00" * 64),
])
def test_files_posing_as_documents_are_refused(owner, draft, name, content):
    with pytest.raises(ProblemsError, match="recognised by their content") as refused:
        put(owner, draft, name, content)
    assert refused.value.problems[0][0] == "file"
    assert not Document.objects.exists()


def test_a_zip_that_is_not_an_office_document_is_refused(owner, draft):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("payload.exe", b"MZ")
    with pytest.raises(ProblemsError):
        put(owner, draft, "plan.docx", buffer.getvalue())


def test_an_empty_file_is_refused(owner, draft):
    with pytest.raises(ProblemsError, match="empty"):
        put(owner, draft, "plan.pdf", b"")


def test_a_file_over_the_per_file_limit_is_refused(owner, draft, monkeypatch):
    monkeypatch.setattr(rules, "DOCUMENT_MAX_BYTES", 100)
    with pytest.raises(ProblemsError, match="at most 0.0 MB"):
        put(owner, draft, "plan.pdf", pdf_bytes() + b"\x00" * 100)


def test_uploads_past_the_application_limit_are_refused(owner, draft, monkeypatch):
    monkeypatch.setattr(rules, "DOCUMENTS_TOTAL_MAX_BYTES", len(pdf_bytes()) * 2)
    put(owner, draft, "a.pdf", pdf_bytes())
    put(owner, draft, "b.pdf", pdf_bytes())
    with pytest.raises(ProblemsError, match="together"):
        put(owner, draft, "c.pdf", pdf_bytes())
    assert draft.documents.count() == 2


def test_a_document_is_stored_under_a_random_name_with_its_digest(owner, draft):
    document = put(owner, draft, "../../etc/Business plan.pdf", pdf_bytes())
    assert document.original_name == "Business plan.pdf"
    assert "Business" not in document.file.name and ".." not in document.file.name
    assert document.file.name.endswith(".pdf")
    assert document.sha256 == hashlib.sha256(pdf_bytes()).hexdigest()
    with default_storage.open(document.file.name) as stored:
        assert stored.read() == pdf_bytes()


def test_an_upload_is_audited(owner, draft):
    put(owner, draft, "plan.pdf", pdf_bytes())
    assert AuditEvent.objects.filter(action="application.upload_document").exists()


def test_an_unknown_document_type_is_refused(owner, draft):
    with pytest.raises(ProblemsError) as refused:
        put(owner, draft, "plan.pdf", pdf_bytes(), document_type="passport")
    assert refused.value.problems[0][0] == "document_type"


def test_a_viewer_cannot_upload(organisation, draft):
    viewer = member(organisation, Membership.Role.VIEWER)
    with pytest.raises(PermissionDeniedError):
        put(viewer, draft, "plan.pdf", pdf_bytes())


def test_documents_of_a_submitted_application_are_frozen(owner, ready_draft):
    application_submit(actor=owner, application=ready_draft)
    with pytest.raises(DomainError, match="cannot be changed"):
        put(owner, ready_draft, "extra.pdf", pdf_bytes())


def test_deleting_a_document_removes_the_stored_file(owner, draft,
                                                     django_capture_on_commit_callbacks):
    document = put(owner, draft, "plan.pdf", pdf_bytes())
    name = document.file.name
    with django_capture_on_commit_callbacks(execute=True):
        document_delete(actor=owner, document=document)
    assert not Document.objects.exists()
    assert not default_storage.exists(name)


# --- The whole file is checked ------------------------------------------------------------

PPTX_MAIN = ("application/vnd.openxmlformats-officedocument.presentationml.presentation"
             ".main+xml")
WINDOWS_PROGRAM = (b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"
                   + b"\x00" * 48 + b"This program cannot be run in DOS mode.\r\r\n$"
                   + b"\x00" * 4096)


@pytest.mark.parametrize("content", [
    b"%PDF-1.4\n" + WINDOWS_PROGRAM,
    b"%PDF-1.4\n" + WINDOWS_PROGRAM + b"\n%%EOF\n",
    pdf_bytes() + WINDOWS_PROGRAM,
    pdf_bytes()[: len(pdf_bytes()) // 2],
], ids=["pdf-header-then-program", "pdf-header-program-eof", "program-appended",
        "truncated"])
def test_a_pdf_must_parse_to_its_end(owner, draft, content):
    with pytest.raises(ProblemsError, match="recognised by their content"):
        put(owner, draft, "plan.pdf", content)
    assert not Document.objects.exists()


MACRO_WORD = "application/vnd.ms-word.document.macroEnabled.main+xml"
VBA_DEFAULT = '<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/>'


@pytest.mark.parametrize("content", [
    ooxml_bytes(MACRO_WORD),
    ooxml_bytes(extra={"word/vbaProject.bin": b"\xd0\xcf\x11\xe0macros"}),
    ooxml_bytes(extra={"word/vbaproject.BIN": b"macros"}, defaults=VBA_DEFAULT),
], ids=["docm-main-part", "vba-project", "vba-content-type"])
def test_office_files_with_macros_are_refused(owner, draft, content):
    with pytest.raises(ProblemsError, match="Files with macros are not accepted"):
        put(owner, draft, "plan.docx", content)
    assert not Document.objects.exists()


def test_a_powerpoint_presentation_is_taken(owner, draft):
    deck = ooxml_bytes(PPTX_MAIN, part="ppt/presentation.xml")
    document = put(owner, draft, "deck.pptx", deck)
    assert document.mime_type == PPTX
    assert document.file.name.endswith(".pptx")


def test_a_damaged_office_package_is_refused(owner, draft):
    package = bytearray(docx_bytes())
    start = package.index(b"<document/>") if b"<document/>" in package else len(package) // 2
    package[start] ^= 0xFF  # a flipped byte: the member's checksum no longer matches
    with pytest.raises(ProblemsError, match="recognised by their content"):
        put(owner, draft, "plan.docx", bytes(package))


def test_an_archive_that_unpacks_far_beyond_its_size_is_refused(owner, draft, monkeypatch):
    # The real limit is 250 MB unpacked; a smaller one keeps the test quick.
    monkeypatch.setattr("applicants.services.filetypes._ZIP_MAX_UNPACKED_BYTES", 1024 * 1024)
    bomb = ooxml_bytes(extra={"word/media/zeros.bin": b"\x00" * (2 * 1024 * 1024)})
    assert len(bomb) < 16 * 1024
    with pytest.raises(ProblemsError, match="recognised by their content"):
        put(owner, draft, "plan.docx", bomb)


def test_a_package_with_a_doctype_is_refused_unparsed(owner, draft):
    laughs = (b'<?xml version="1.0"?><!DOCTYPE Types [<!ENTITY a "aaaaaaaaaa">]>'
              b'<Types xmlns="x"/>')
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", laughs)
    with pytest.raises(ProblemsError, match="recognised by their content"):
        put(owner, draft, "plan.docx", buffer.getvalue())


@pytest.mark.parametrize(("name", "build", "stored"), [
    ("evil.html", pdf_bytes, "pdf"),
    ("plan.docm", docx_bytes, "docx"),
    ("chart", png_bytes, "png"),
])
def test_the_stored_extension_follows_the_detected_type(owner, draft, name, build, stored):
    document = put(owner, draft, name, build())
    assert document.file.name.endswith(f".{stored}")
    assert download_name(document.original_name, document.mime_type) == (
        f"{name.rsplit('.', 1)[0]}.{stored}")
