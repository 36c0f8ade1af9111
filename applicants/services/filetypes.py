"""What an uploaded file is, judged from the whole of its content, never from its name.

The first bytes say which kind a file claims to be; the rest must then hold up: a PDF must
parse to its last byte (``%PDF-1.4`` in front of a Windows program is not a PDF), and Word,
Excel and PowerPoint files must be complete Office Open XML packages (every member's
checksum verified) without macros. Archives that would unpack to far more than they weigh
are refused before they are unpacked.
"""

import os
import xml.etree.ElementTree as ET
import zipfile
import zlib
from dataclasses import dataclass

import filetype
from django.utils.translation import gettext as _
from pypdf import PdfReader

PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
# The extension a stored or downloaded file gets: the detected type's, whatever it was called.
ALLOWED_TYPES = {PDF: "pdf", PNG: "png", JPEG: "jpg", DOCX: "docx", XLSX: "xlsx",
                 PPTX: "pptx"}

# The main part's content type names the kind of package; a macro-enabled one (.docm,
# .xlsm, .pptm) has another main type and is refused with the macros.
_OOXML_MAIN_PARTS = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": DOCX,
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": XLSX,
    "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml": PPTX,
}
_MACRO_MARKERS = ("macroenabled", "vbaproject", "vbadata", "activex")
_ZIP_MAX_MEMBERS = 10_000
_ZIP_MAX_UNPACKED_BYTES = 250 * 1024 * 1024
_PDF_EOF_WINDOW = 1024


@dataclass(frozen=True)
class Inspection:
    """The detected type (None when the file is refused), and why it was refused."""

    mime: str | None
    problem: str = ""


def _not_a_document() -> Inspection:
    return Inspection(None, _(
        "This file is not a PDF, Word (DOCX), Excel (XLSX), PowerPoint (PPTX), PNG or JPEG "
        "document. Files are recognised by their content, not their name."))


def _pdf_parses(file) -> bool:
    """pypdf reads the cross-reference table and every page; the file ends with the
    end-of-file marker, so nothing (a program, say) is appended after the document."""
    file.seek(0, os.SEEK_END)
    size = file.tell()
    file.seek(max(0, size - _PDF_EOF_WINDOW))
    if b"%%EOF" not in file.read():
        return False
    file.seek(0)
    try:
        reader = PdfReader(file, strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            return False
        return (reader.trailer.get("/Root") is not None
                and all(page.mediabox is not None for page in reader.pages))
    except Exception:  # noqa: BLE001 - any parser failure means "not a PDF"
        return False


def _ooxml_inspection(file) -> Inspection:
    file.seek(0)
    try:
        with zipfile.ZipFile(file) as archive:
            members = archive.infolist()
            if (len(members) > _ZIP_MAX_MEMBERS
                    or sum(m.file_size for m in members) > _ZIP_MAX_UNPACKED_BYTES):
                return _not_a_document()
            names = [m.filename.lower() for m in members]
            types_xml = archive.read("[Content_Types].xml")
            # No DTD, so no entities to expand: what remains is safe for ElementTree.
            if b"<!DOCTYPE" in types_xml.upper() or b"<!ENTITY" in types_xml.upper():
                return _not_a_document()
            content_types = [element.get("ContentType", "") for element in
                             ET.fromstring(types_xml)]  # noqa: S314 - DTDs refused above
            if any(marker in value.lower() for value in names + content_types
                   for marker in _MACRO_MARKERS):
                return Inspection(None, _(
                    "Files with macros are not accepted. Save the document without macros "
                    "(as .docx, .xlsx or .pptx) or as a PDF, and upload it again."))
            kinds = {_OOXML_MAIN_PARTS[value] for value in content_types
                     if value in _OOXML_MAIN_PARTS}
            if len(kinds) != 1 or archive.testzip() is not None:
                return _not_a_document()
            return Inspection(kinds.pop())
    except (zipfile.BadZipFile, zipfile.LargeZipFile, KeyError, ET.ParseError, OSError,
            ValueError, RuntimeError, NotImplementedError, EOFError, zlib.error):
        return _not_a_document()
    finally:
        file.seek(0)


def file_inspect(file) -> Inspection:
    """Read the whole file and say what it is, or why it is refused."""
    file.seek(0)
    head = file.read(8192)
    file.seek(0)
    if head.startswith(b"PK\x03\x04"):
        return _ooxml_inspection(file)
    kind = filetype.guess(head)
    if kind is None or kind.mime not in (PDF, PNG, JPEG):
        return _not_a_document()
    if kind.mime == PDF and not _pdf_parses(file):
        file.seek(0)
        return _not_a_document()
    file.seek(0)
    return Inspection(kind.mime)


def detect_type(file) -> str | None:
    """The MIME type of an allowed document judged from its whole content, or None."""
    return file_inspect(file).mime


def download_name(original_name: str, mime: str) -> str:
    """The name a stored file is offered under: the uploader's name with the extension of
    the detected type (``evil.html`` holding a PDF downloads as ``evil.pdf``)."""
    stem = os.path.splitext(original_name)[0].strip(". ") or "document"
    return f"{stem}.{ALLOWED_TYPES[mime]}"
