"""Celery tasks of the API: thin wrappers around services, safe to run twice. Their names
are kept from before the packages were split, so queued messages still resolve."""

from celery import shared_task


@shared_task(name="subsidy.tasks.purge_idempotency_keys")
def purge_idempotency_keys() -> int:
    from subsidy.api.services import idempotency

    return idempotency.idempotency_keys_purge()
