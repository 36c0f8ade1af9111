"""Celery tasks of the assessment: thin wrappers around services, safe to run twice. The
names of those that came from ``subsidy.tasks`` are kept, so queued messages still resolve."""

from celery import shared_task


@shared_task(name="subsidy.tasks.send_review_reminders")
def send_review_reminders() -> int:
    from reviews.services.reminders import review_reminders_send

    return review_reminders_send()


@shared_task(name="subsidy.tasks.send_offer_expiry_reminders")
def send_offer_expiry_reminders() -> int:
    from reviews.services.reminders import offer_expiry_reminders_send

    return offer_expiry_reminders_send()


@shared_task
def lapse_expired_offers() -> int:
    from reviews.services.decisions import offers_lapse_expired

    return offers_lapse_expired()
