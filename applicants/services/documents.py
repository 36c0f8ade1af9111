"""Documents of an application: recognised by content, limited in size, stored privately.

Only PDF, DOCX, XLSX, PPTX, PNG and JPEG are taken, recognised by their whole content
(``filetypes``: the file name proves nothing). Files go through Django's storage API under
a random name with the detected type's extension, so the same code serves local disk and
S3-compatible storage; they are read back only through the permission-checked download
view, under the uploader's name with that extension, and only once the virus scanner found
them clean (or when no scanner is configured: ``document_scan``).
"""

import hashlib
import os

from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from applicants import rules
from applicants.errors import ProblemsError
from applicants.models import Application, Document
from applicants.services.document_scan import document_scan_enqueue, upload_screen
from applicants.services.drafts import require_editable
from applicants.services.filetypes import ALLOWED_TYPES, detect_type, file_inspect
from subsidy.platform.audit import actor_user, audit_record
from subsidy.platform.errors import DomainError
from subsidy.platform.permissions import Action, require
from subsidy.scheme.models import DocumentType


def max_file_bytes() -> int:
    return rules.DOCUMENT_MAX_BYTES


def max_application_bytes() -> int:
    return rules.DOCUMENTS_TOTAL_MAX_BYTES


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f}"


def _clean_name(name: str) -> str:
    base = os.path.basename((name or "").replace("\\", "/")).strip()
    base = "".join(ch for ch in base if ch.isprintable())
    return base[-255:] or "document"


def evidence_problem(upload) -> str | None:
    """Why an evidence file (a claim's, a condition's) is refused, or None: the same
    checks as an application's documents, recognised by content."""
    if not upload.size or upload.size > max_file_bytes():
        return _("Evidence file “%(name)s” is empty or too large.") % {
            "name": _clean_name(upload.name)}
    if detect_type(upload) is None:
        return _("Evidence file “%(name)s” is not a PDF, Word (DOCX), Excel (XLSX), "
                 "PowerPoint (PPTX), PNG or JPEG document without macros.") % {
            "name": _clean_name(upload.name)}
    return None


def _upload_refusal(*, actor, application: Application, document_type: str,
                    uploaded_file) -> None:
    """Refuse an upload of an unknown type, to a section that cannot change, or of an empty
    or oversized file."""
    if document_type not in DocumentType.values:
        raise ProblemsError([("document_type", _("Choose the type of document."))])
    require_editable(actor=actor, application=application, section="documents")
    size = uploaded_file.size or 0
    if size <= 0:
        raise ProblemsError([("file", _("The file is empty."))])
    if size > max_file_bytes():
        raise ProblemsError([("file", _(
            "This file is %(size)s MB; each file may be at most %(max)s MB.")
            % {"size": _megabytes(size), "max": _megabytes(max_file_bytes())})])


def _total_size_refusal(*, application: Application, size: int) -> None:
    """Refuse an upload that would take the application past its total size limit (under
    the application's lock: two uploads at once are counted one after the other)."""
    used = (application.documents.exclude(scan_status=Document.ScanStatus.INFECTED)
            .aggregate(total=Sum("size"))["total"] or 0)
    if used + size > max_application_bytes():
        raise ProblemsError([("file", _(
            "The documents of one application may take at most %(max)s MB together; "
            "%(used)s MB are used already.")
            % {"max": _megabytes(max_application_bytes()), "used": _megabytes(used)})])


def _upload_screen(*, actor, application: Application, document_type: str,
                   uploaded_file) -> str:
    """The checks that need no lock, then the virus scan (outside any transaction: the
    scanner is not kept waiting on a row lock, and a refusal's audit record stays)."""
    _upload_refusal(actor=actor, application=application, document_type=document_type,
                    uploaded_file=uploaded_file)
    return upload_screen(actor=actor, application=application, document_type=document_type,
                         uploaded_file=uploaded_file)


def document_upload(*, actor, application: Application, document_type: str,
                    uploaded_file) -> Document:
    """Attach one document to a draft (or to a documents section re-opened by a request for
    information), once checked for viruses (``document_scan``)."""
    scan_status = _upload_screen(actor=actor, application=application,
                                 document_type=document_type, uploaded_file=uploaded_file)
    return _document_store(actor=actor, application=application, document_type=document_type,
                           uploaded_file=uploaded_file, scan_status=scan_status)


@transaction.atomic
def _document_store(*, actor, application: Application, document_type: str, uploaded_file,
                    scan_status: str) -> Document:
    """Under the application's lock: the checks again, then the file's type from its whole
    content, then the stored file and its row."""
    app = Application.objects.select_for_update(of=("self",)).get(pk=application.pk)
    _upload_refusal(actor=actor, application=app, document_type=document_type,
                    uploaded_file=uploaded_file)
    _total_size_refusal(application=app, size=uploaded_file.size)
    inspection = file_inspect(uploaded_file)
    if inspection.mime is None:
        raise ProblemsError([("file", inspection.problem)])
    mime = inspection.mime
    digest = hashlib.sha256()
    for chunk in uploaded_file.chunks():
        digest.update(chunk)
    uploaded_file.seek(0)
    size = uploaded_file.size
    document = Document(application=app, document_type=document_type,
                        original_name=_clean_name(uploaded_file.name), size=size,
                        sha256=digest.hexdigest(), mime_type=mime,
                        uploaded_by=actor_user(actor), scan_status=scan_status)
    document.file.save(f"upload.{ALLOWED_TYPES[mime]}", uploaded_file, save=False)
    stored_name = document.file.name
    # Storage is not transactional: drop the stored file if the database work fails.
    try:
        document.save()
        audit_record(actor=actor, action="application.upload_document", obj=app,
                     after={"document": document.pk, "type": document_type,
                            "name": document.original_name, "size": size,
                            "sha256": document.sha256, "scan_status": scan_status})
    except Exception:
        default_storage.delete(stored_name)
        raise
    if scan_status == Document.ScanStatus.SCANNING:
        document_id = document.pk
        transaction.on_commit(lambda: document_scan_enqueue(document_id=document_id))
    return document


@transaction.atomic
def document_delete(*, actor, document: Document) -> None:
    app = Application.objects.select_for_update(of=("self",)).get(pk=document.application_id)
    require_editable(actor=actor, application=app, section="documents")
    document = Document.objects.filter(pk=document.pk, application=app).first()
    if document is None:
        raise DomainError(_("This document no longer exists."), code="missing")
    stored_name, document_id = document.file.name, document.pk
    document.delete()
    audit_record(actor=actor, action="application.delete_document", obj=app,
                 before={"document": document_id, "name": document.original_name})
    if stored_name:  # a file refused for a virus is deleted already
        transaction.on_commit(lambda: default_storage.delete(stored_name))


def document_replace(*, actor, document: Document, uploaded_file) -> Document:
    """Put ``uploaded_file`` in the place of ``document`` (same type): the new file is
    checked like any upload and the old one removed, together or not at all."""
    application, document_type = document.application, document.document_type
    scan_status = _upload_screen(actor=actor, application=application,
                                 document_type=document_type, uploaded_file=uploaded_file)
    with transaction.atomic():
        new = _document_store(actor=actor, application=application,
                              document_type=document_type, uploaded_file=uploaded_file,
                              scan_status=scan_status)
        document_delete(actor=actor, document=document)
    return new


def unreadable_reason(document: Document) -> str:
    if document.scan_status == Document.ScanStatus.INFECTED:
        return _("A virus was found in this document (%(signature)s): it was deleted and "
                 "cannot be opened.") % {"signature": document.scan_signature}
    return _("This document is still being checked for viruses; it can be opened once the "
             "check is done.")


def document_open(*, actor, document: Document):
    """The stored file, opened for reading, for whoever may read the application's documents
    (its members and staff, and its reviewers once they declared no conflict); each reading
    is audited, so the trail shows who saw which document and when."""
    require(actor, Action.READ_APPLICATION_DOCUMENTS, document.application)
    if not document.readable:
        raise DomainError(unreadable_reason(document), code="not_scanned")
    audit_record(actor=actor, action="application.download_document",
                 obj=document.application,
                 after={"document": document.pk, "name": document.original_name,
                        "type": document.document_type})
    return default_storage.open(document.file.name, "rb")
