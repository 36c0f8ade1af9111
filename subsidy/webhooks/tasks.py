"""Celery tasks of webhook delivery: thin wrappers around services, safe to run twice.
Their names are kept from before the packages were split, so queued messages still resolve."""

from celery import shared_task


@shared_task(name="subsidy.tasks.deliver_webhook", bind=True, max_retries=None)
def deliver_webhook(self, delivery_id: int) -> str:
    """One attempt; the service caps the number of attempts and picks the backoff."""
    from subsidy.webhooks.services import delivery as webhooks

    result = webhooks.webhook_delivery_attempt(delivery_id=delivery_id)
    if result.retry_in is not None:
        raise self.retry(countdown=result.retry_in)
    return result.outcome


@shared_task(name="subsidy.tasks.sweep_webhook_deliveries")
def sweep_webhook_deliveries() -> int:
    from subsidy.webhooks.services import delivery as webhooks

    return webhooks.webhook_deliveries_sweep()
