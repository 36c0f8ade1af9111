"""Beat jobs of personal data: thin wrappers around services, safe to run twice."""

from celery import shared_task

from subsidy.privacy.services.requests import data_access_request_reminders_send
from subsidy.privacy.services.retention import retention_apply


@shared_task(name="subsidy.tasks.apply_retention")
def apply_retention() -> dict[str, int]:
    return retention_apply()


@shared_task(name="subsidy.tasks.send_data_access_request_reminders")
def send_data_access_request_reminders() -> int:
    return data_access_request_reminders_send()
