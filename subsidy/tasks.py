"""Celery tasks: thin wrappers around services. Every task is safe to run twice."""

from celery import shared_task

from subsidy.services import notifications


@shared_task(bind=True, max_retries=None)
def deliver_notification(self, notification_id: int) -> str:
    """Deliver one notification; while the mail server refuses, retry with exponential
    backoff (``notifications.delivery_retry_delay``). The limit is not counted here but on
    the row: after ``NOTIFICATION_MAX_ATTEMPTS`` attempts the service marks it failed and
    stops raising, so the limit holds across redeliveries and worker restarts too."""
    try:
        return notifications.notification_deliver(notification_id=notification_id)
    except notifications.TemporaryDeliveryError as exc:
        raise self.retry(
            exc=exc,
            countdown=notifications.delivery_retry_delay(retries=self.request.retries),
        ) from exc


@shared_task
def sweep_outbox() -> int:
    return notifications.outbox_sweep()


@shared_task(bind=True, max_retries=None)
def deliver_webhook(self, delivery_id: int) -> str:
    """One attempt; the service caps the number of attempts and picks the backoff."""
    from subsidy.services import webhooks

    result = webhooks.webhook_delivery_attempt(delivery_id=delivery_id)
    if result.retry_in is not None:
        raise self.retry(countdown=result.retry_in)
    return result.outcome


@shared_task
def sweep_webhook_deliveries() -> int:
    from subsidy.services import webhooks

    return webhooks.webhook_deliveries_sweep()


@shared_task
def purge_idempotency_keys() -> int:
    from subsidy.services import idempotency

    return idempotency.idempotency_keys_purge()


@shared_task
def send_staff_daily_digest() -> int:
    from subsidy.services.digest import staff_daily_digest_send

    return staff_daily_digest_send()


@shared_task
def open_due_rounds() -> list[str]:
    from subsidy.services.schedule import rounds_open_due

    return rounds_open_due()


@shared_task
def close_due_rounds() -> list[str]:
    from subsidy.services.schedule import rounds_close_due

    return rounds_close_due()


@shared_task
def send_round_closing_reminders() -> int:
    from subsidy.services.schedule import round_closing_reminders_send

    return round_closing_reminders_send()


@shared_task
def send_review_reminders() -> int:
    from subsidy.services.schedule import review_reminders_send

    return review_reminders_send()


@shared_task
def send_offer_expiry_reminders() -> int:
    from subsidy.services.schedule import offer_expiry_reminders_send

    return offer_expiry_reminders_send()
