"""Celery tasks of the assessment: thin wrappers around services, safe to run twice."""

from celery import shared_task


@shared_task
def lapse_expired_offers() -> int:
    from reviews.decisions import offers_lapse_expired

    return offers_lapse_expired()
