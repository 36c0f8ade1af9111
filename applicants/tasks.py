"""Celery tasks of the applicant side: thin wrappers around services, safe to run twice.
Their names are kept from before the packages were split, so queued messages still resolve."""

from celery import shared_task


@shared_task(name="subsidy.tasks.send_round_closing_reminders")
def send_round_closing_reminders() -> int:
    from applicants.services.reminders import round_closing_reminders_send

    return round_closing_reminders_send()


@shared_task(name="applicants.tasks.send_draft_reminders")
def send_draft_reminders() -> int:
    from applicants.services.reminders import draft_reminders_send

    return draft_reminders_send()


@shared_task(name="applicants.tasks.scan_document")
def scan_document(document_id: int) -> str:
    from applicants.services.document_scan import document_scan

    return document_scan(document_id=document_id)


@shared_task(name="applicants.tasks.rescan_documents")
def rescan_documents() -> int:
    from applicants.services.document_scan import documents_rescan_pending

    return documents_rescan_pending()
