"""Celery tasks: thin wrappers around services. Every task is safe to run twice."""

from celery import shared_task
from django.conf import settings

from subsidy.services import notifications


@shared_task(
    bind=True,
    autoretry_for=(notifications.TemporaryDeliveryError,),
    retry_backoff=30,
    retry_backoff_max=3600,
    retry_jitter=True,
    max_retries=settings.NOTIFICATION_MAX_ATTEMPTS,
)
def deliver_notification(self, notification_id: int) -> str:
    return notifications.notification_deliver(notification_id=notification_id)


@shared_task
def sweep_outbox() -> int:
    return notifications.outbox_sweep()
