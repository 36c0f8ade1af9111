"""Celery tasks of webhook delivery: thin wrappers around services, safe to run twice.
Their names are kept from before the packages were split, so queued messages still resolve."""

import threading

from celery import shared_task
from django.conf import settings
from django.db import connections


def _attempt_later(delivery_id: int, delay: int) -> None:
    """Local trial mode: the next attempt on a timer thread, after the backoff."""

    def run():
        try:
            deliver_webhook.apply(args=[delivery_id])
        finally:
            connections.close_all()

    timer = threading.Timer(delay, run)
    timer.daemon = True
    timer.start()


@shared_task(name="subsidy.tasks.deliver_webhook", bind=True, max_retries=None)
def deliver_webhook(self, delivery_id: int) -> str:
    """One attempt; the service caps the number of attempts and picks the backoff.

    Run in-process (no broker: tasks are eager), a retry would run at once, inside the
    request that published the event: every attempt within a fraction of a second, or, with
    a slow receiver, the caller waiting for all of them. There the delivery stays recorded as
    due at its ``next_attempt_at``: a timer thread sends it then in local trials
    (``WEBHOOKS_LOCAL_RETRY_TIMERS``), and the sweeper picks up whatever is overdue."""
    from subsidy.webhooks.services import delivery as webhooks

    result = webhooks.webhook_delivery_attempt(delivery_id=delivery_id)
    if result.retry_in is not None:
        if self.request.is_eager:
            if settings.WEBHOOKS_LOCAL_RETRY_TIMERS:
                _attempt_later(delivery_id, result.retry_in)
            return "retry-scheduled"
        raise self.retry(countdown=result.retry_in)
    return result.outcome


@shared_task(name="subsidy.tasks.sweep_webhook_deliveries")
def sweep_webhook_deliveries() -> int:
    from subsidy.webhooks.services import delivery as webhooks

    return webhooks.webhook_deliveries_sweep()
