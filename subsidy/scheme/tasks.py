"""Celery tasks of rounds: thin wrappers around services, safe to run twice. Their names
are kept from before the packages were split, so queued messages still resolve."""

from celery import shared_task


@shared_task(name="subsidy.tasks.open_due_rounds")
def open_due_rounds() -> list[str]:
    from subsidy.scheme.services.jobs import rounds_open_due

    return rounds_open_due()


@shared_task(name="subsidy.tasks.close_due_rounds")
def close_due_rounds() -> list[str]:
    from subsidy.scheme.services.jobs import rounds_close_due

    return rounds_close_due()
