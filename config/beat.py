"""Celery beat's schedule: every periodic job, each safe to run twice. The two sweepers'
intervals are deployment settings, read from the environment by ``config.settings``."""

from celery.schedules import crontab


def beat_schedule(*, outbox_sweep_seconds: int, webhook_sweep_seconds: int) -> dict:
    return {
        "outbox-sweeper": {
            "task": "subsidy.tasks.sweep_outbox",
            "schedule": outbox_sweep_seconds,
        },
        # Opt-in summary of yesterday's notifications for staff, before the working day (HKT).
        "staff-daily-digest": {
            "task": "subsidy.tasks.send_staff_daily_digest",
            "schedule": crontab(hour=7, minute=30),
        },
        "webhook-sweeper": {
            "task": "subsidy.tasks.sweep_webhook_deliveries",
            "schedule": webhook_sweep_seconds,
        },
        "idempotency-key-purge": {
            "task": "subsidy.tasks.purge_idempotency_keys",
            "schedule": 60 * 60,
        },
        # Documents still waiting for the virus scanner (it did not answer) are sent again.
        "documents-rescan": {
            "task": "applicants.tasks.rescan_documents",
            "schedule": 2 * 60,
        },
        # Rounds open and close within five minutes of their published times.
        "rounds-open": {
            "task": "subsidy.tasks.open_due_rounds",
            "schedule": 5 * 60,
        },
        "rounds-close": {
            "task": "subsidy.tasks.close_due_rounds",
            "schedule": 5 * 60,
        },
        # Reminders look ahead a few days and are sent once each, so hourly is soon enough.
        "round-closing-reminders": {
            "task": "subsidy.tasks.send_round_closing_reminders",
            "schedule": crontab(minute=5),
        },
        # Each draft not submitted is reminded once per window before its round closes.
        "draft-reminders": {
            "task": "applicants.tasks.send_draft_reminders",
            "schedule": crontab(minute=35),
        },
        "review-reminders": {
            "task": "subsidy.tasks.send_review_reminders",
            "schedule": crontab(minute=10),
        },
        "offer-expiry-reminders": {
            "task": "subsidy.tasks.send_offer_expiry_reminders",
            "schedule": crontab(minute=15),
        },
        # Progress reports: each requirement is reminded once before its due date and
        # escalated once after it (idempotent).
        "report-reminders": {
            "task": "subsidy.tasks.send_report_reminders",
            "schedule": crontab(hour=8, minute=40),
        },
        "report-escalations": {
            "task": "subsidy.tasks.send_report_escalations",
            "schedule": crontab(hour=8, minute=45),
        },
        # Offers past their expiry lapse and release their commitment (idempotent).
        "offers-lapse": {
            "task": "reviews.tasks.lapse_expired_offers",
            "schedule": crontab(minute=20),
        },
        # Personal data past its retention period is erased (docs/privacy.md); idempotent.
        "retention-apply": {
            "task": "subsidy.tasks.apply_retention",
            "schedule": crontab(hour=3, minute=30),
        },
        # The privacy officer is reminded of data access requests near or past their due date.
        "data-access-request-reminders": {
            "task": "subsidy.tasks.send_data_access_request_reminders",
            "schedule": crontab(minute=25),
        },
    }
