"""Applicant-side data through the services, as a user would make it: sample files, the
sections of a complete application, and members of an organisation."""

import io
import struct
import zipfile
import zlib

from django.core.files.uploadedfile import SimpleUploadedFile

from applicants.services.documents import document_upload
from applicants.services.drafts import application_update_section
from subsidy.devdata.applications import demo_pdf
from subsidy.platform.roles import Role
from tests.factories import MembershipFactory, UserFactory


def pdf_bytes() -> bytes:
    """A complete one-page PDF: uploads are parsed to the end."""
    return demo_pdf("Business plan")


def png_bytes() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels)
            + chunk(b"IEND", b""))


def jpeg_bytes() -> bytes:
    return (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
            b"\xff\xdb\x00\x43\x00" + bytes(range(64)) + b"\xff\xd9")


OOXML_TYPES = "http://schemas.openxmlformats.org/package/2006/content-types"
WORD_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"


def ooxml_bytes(main_type: str = WORD_MAIN, part: str = "word/document.xml",
                extra: dict[str, bytes] | None = None, defaults: str = "") -> bytes:
    """A minimal Office Open XML package whose main part has ``main_type``."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml",
                         f'<?xml version="1.0"?><Types xmlns="{OOXML_TYPES}">{defaults}'
                         f'<Override PartName="/{part}" ContentType="{main_type}"/></Types>')
        archive.writestr("_rels/.rels", "<Relationships/>")
        archive.writestr(part, "<document/>")
        for name, content in (extra or {}).items():
            archive.writestr(name, content)
    return buffer.getvalue()


def docx_bytes() -> bytes:
    return ooxml_bytes()


def xlsx_bytes() -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active["A1"] = "Revenue"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


PROJECT = {
    "title": "Cantonese speech recognition for clinics",
    "summary": "A speech model that transcribes Cantonese consultations.",
    "category": "nlp",
    "start_date": "2027-01-01",
    "end_date": "2027-12-31",
    "total_eligible_cost": "1000000.00",
    "requested_subsidy": "700000.00",
}
# 20,000 GPU-hours at the factory round's HK$18.50 = 370,000; plus 630,000 personnel.
BUDGET = [
    {"category": "compute", "description": "Model training", "gpu_hours": "20000",
     "justification": "Fine-tuning on 3,000 hours of audio."},
    {"category": "personnel", "description": "ML engineers", "quantity": "2",
     "unit_cost": "315000", "justification": "Two engineers for a year."},
]
MILESTONES = [
    {"deliverable": "Data collected", "due_date": "2027-03-31", "share_percent": "40"},
    {"deliverable": "Model in pilot", "due_date": "2027-09-30", "share_percent": "30"},
    {"deliverable": "Clinic roll-out", "due_date": "2027-12-31", "share_percent": "30"},
]
TEAM = [{"name": "Chan Tai Man", "role": "Lead engineer", "expertise": "Speech recognition"}]
RAI = {"rai_safety": "Red-team tests before release.",
       "rai_human": "Clinicians confirm every transcript.",
       "rai_transparency": "Model cards published."}
DECLARATIONS = {"declares_accurate": True, "declares_no_double_funding": True,
                "declares_compliance": True, "privacy_notice": True}


def save(user, application, section, data):
    return application_update_section(actor=user, application=application, section=section,
                                      data=data, expected_version=application.version)


def fill(user, application, *, documents=True):
    """Complete every section of a draft so that it passes the submission checks."""
    for section, data in [("project", PROJECT), ("budget", BUDGET),
                          ("milestones", MILESTONES), ("team", TEAM),
                          ("responsible_ai", RAI), ("declarations", DECLARATIONS)]:
        save(user, application, section, data)
    if documents:
        for code in application.round.required_documents:
            document_upload(actor=user, application=application, document_type=code,
                            uploaded_file=upload("plan.pdf", pdf_bytes()))
    application.refresh_from_db()
    return application


def member(organisation, role):
    """A new applicant holding ``role`` in ``organisation``."""
    user = UserFactory(roles=[Role.APPLICANT])
    MembershipFactory(user=user, organisation=organisation, role=role)
    return user


def stranger():
    """An applicant of another company."""
    return MembershipFactory(user=UserFactory(roles=[Role.APPLICANT])).user
