"""Virus checks of application documents (``subsidy.platform.virus_scan`` does the scanning).

An upload is scanned while the uploader waits, within the scanner's short timeout: a file
with a virus is refused there and then, with the reason, and the refusal is audited as a
security event. When the scanner does not answer, the document is stored as "scanning":
nobody may download, review or submit it, and the scan task tries again, as does the rescan
job every few minutes, until the scanner answers. A virus found then deletes the stored file
and leaves the document marked as refused, for the uploader to remove and replace. Without a
scanner, documents are kept as "not scanned", and staff are told so beside each one.

Claim evidence (``subsidy.finance``) has no waiting state: it is scanned with the claim, and
refused, with the claim, when it holds a virus or clamd does not answer.
"""

import logging

from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from applicants.errors import ProblemsError
from applicants.models import Application, Document
from subsidy.platform.audit import audit_record
from subsidy.platform.queue import task_enqueue
from subsidy.platform.security_events import UPLOAD_INFECTED, security_event_record
from subsidy.platform.virus_scan import ScanVerdict, virus_scanner

logger = logging.getLogger(__name__)

SCAN_TASK = "applicants.tasks.scan_document"
ScanStatus = Document.ScanStatus


def infected_message(signature: str) -> str:
    return _("A virus was found in this file (%(signature)s), so it was not accepted. Check "
             "your computer with up-to-date anti-virus software, then upload a clean copy.") % {
        "signature": signature}


def upload_virus_check(*, actor, subject, uploaded_file, field: str,
                       kind: str) -> ScanVerdict | None:
    """Scan an uploaded file (None without a scanner). A file with a virus is refused on
    ``field``, after the refusal is recorded against ``subject`` (the application); call it
    outside the upload's transaction, so that record stays."""
    scanner = virus_scanner()
    if scanner is None:
        return None
    verdict = scanner.scan(uploaded_file)
    if verdict.infected:
        security_event_record(
            action=UPLOAD_INFECTED, actor=actor, subject=subject,
            details={"name": uploaded_file.name, "type": kind,
                     "size": uploaded_file.size, "signature": verdict.signature})
        raise ProblemsError([(field, infected_message(verdict.signature))], code="infected")
    return verdict


def evidence_screen(*, actor, subject, uploads, field: str, kind: str, unchecked) -> None:
    """Evidence (a claim's, a condition's) has no waiting state: a file with a virus is
    refused and audited, and so is one the scanner could not check just now, with
    ``unchecked(upload)`` as its message. Call it outside the upload's transaction."""
    for upload in uploads:
        verdict = upload_virus_check(actor=actor, subject=subject, uploaded_file=upload,
                                     field=field, kind=kind)
        if verdict is not None and not verdict.clean:
            raise ProblemsError([(field, unchecked(upload))], code="not_scanned")


def upload_screen(*, actor, application: Application, document_type: str,
                  uploaded_file) -> str:
    """The scan status an application document is stored with; a virus refuses it."""
    verdict = upload_virus_check(actor=actor, subject=application, uploaded_file=uploaded_file,
                                 field="file", kind=document_type)
    if verdict is None:
        return ScanStatus.NOT_SCANNED
    return ScanStatus.CLEAN if verdict.clean else ScanStatus.SCANNING


def document_scan_enqueue(*, document_id: int) -> None:
    """Hand a waiting document to the scan task; a broker outage leaves it to the rescan
    job."""
    try:
        task_enqueue(SCAN_TASK, document_id)
    except Exception:  # noqa: BLE001 - any broker failure must not break the upload
        logger.warning("Broker unavailable; document %s left for the rescan job", document_id,
                       exc_info=True)


def document_scan(*, document_id: int) -> str:
    """Scan a document waiting as "scanning" and record the answer; safe to run twice. The
    file is read and scanned outside any transaction; the answer is written under the
    document's row lock, unless the document changed meanwhile. Without an answer the
    document keeps waiting: it is never taken for clean."""
    document = Document.objects.filter(pk=document_id, scan_status=ScanStatus.SCANNING).first()
    if document is None:
        return "not waiting"
    scanner = virus_scanner()
    if scanner is None:
        # The scanner was switched off: the document is what an unscanned upload is.
        return _scan_outcome_write(document_id, ScanStatus.NOT_SCANNED)
    with default_storage.open(document.file.name, "rb") as stored:
        verdict = scanner.scan(stored)
    if verdict.infected:
        return _scan_outcome_write(document_id, ScanStatus.INFECTED, verdict.signature)
    if verdict.clean:
        return _scan_outcome_write(document_id, ScanStatus.CLEAN)
    return "unavailable"


@transaction.atomic
def _scan_outcome_write(document_id: int, status: str, signature: str = "") -> str:
    document = (Document.objects.select_for_update().select_related("application")
                .filter(pk=document_id, scan_status=ScanStatus.SCANNING).first())
    if document is None:
        return "not waiting"
    stored_name = document.file.name
    document.scan_status = status
    document.scan_signature = signature[:200]
    document.scanned_at = timezone.now()
    details = {"document": document.pk, "name": document.original_name,
               "scan_status": status, "signature": signature}
    if status == ScanStatus.INFECTED:
        # Quarantine: the file goes, the row stays to tell the uploader.
        document.file = ""
        transaction.on_commit(lambda: default_storage.delete(stored_name))
        security_event_record(action=UPLOAD_INFECTED, actor=None,
                              subject=document.application, details=details)
    else:
        audit_record(actor=None, action="application.document_scanned",
                     obj=document.application, after=details)
    document.save(update_fields=["scan_status", "scan_signature", "scanned_at", "file"])
    return status


def documents_rescan_pending() -> int:
    """Beat job: every document still waiting for the scanner goes to the scan task again."""
    waiting = list(Document.objects.filter(scan_status=ScanStatus.SCANNING)
                   .order_by("uploaded_at").values_list("pk", flat=True))
    for document_id in waiting:
        document_scan_enqueue(document_id=document_id)
    return len(waiting)
