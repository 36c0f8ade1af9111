"""Celery tasks of the outbox: thin wrappers around services, safe to run twice. Their
names are kept from before the packages were split, so queued messages still resolve."""

from celery import shared_task
from django.conf import settings

from subsidy.notifications.services import outbox as notifications


@shared_task(name="subsidy.tasks.deliver_notification", bind=True, max_retries=None)
def deliver_notification(self, notification_id: int) -> str:
    """Deliver one notification; while the mail server refuses, retry with exponential
    backoff (``notifications.delivery_retry_delay``, counted from the row's attempts). The
    limit is not counted here but on the row: after ``NOTIFICATION_MAX_ATTEMPTS`` attempts
    the service marks it failed and stops raising, so the limit holds across redeliveries
    and worker restarts too."""
    try:
        return notifications.notification_deliver(notification_id=notification_id)
    except notifications.TemporaryDeliveryError as exc:
        raise self.retry(exc=exc, countdown=exc.retry_in) from exc
    except notifications.ClaimedElsewhere as exc:
        # Another delivery is sending it; if that worker died, its claim runs out and this
        # retry sends the message.
        raise self.retry(exc=exc, countdown=max(1, int(exc.seconds_left) + 1)) from exc
    except notifications.NotYetVisible as exc:
        if self.request.retries >= settings.NOTIFICATION_NOT_VISIBLE_RETRIES:
            return "not-visible"  # the row's transaction rolled back, or the sweeper will
        raise self.retry(exc=exc,
                         countdown=settings.NOTIFICATION_NOT_VISIBLE_DELAY_SECONDS) from exc


@shared_task(name="subsidy.tasks.sweep_outbox")
def sweep_outbox() -> int:
    return notifications.outbox_sweep()


@shared_task(name="subsidy.tasks.send_staff_daily_digest")
def send_staff_daily_digest() -> int:
    from subsidy.notifications.services.digest import staff_daily_digest_send

    return staff_daily_digest_send()
