"""Celery tasks of grants' reporting: thin wrappers around services, safe to run twice."""

from celery import shared_task


@shared_task(name="subsidy.tasks.send_report_reminders")
def send_report_reminders() -> int:
    from subsidy.progress.services.reminders import report_reminders_send

    return report_reminders_send()


@shared_task(name="subsidy.tasks.send_report_escalations")
def send_report_escalations() -> int:
    from subsidy.progress.services.reminders import report_escalations_send

    return report_escalations_send()
