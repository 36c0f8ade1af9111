"""What the system checks when it starts: a variable earlier releases read, and that is now a
rule fixed in code, is named rather than ignored in silence; every task is registered."""

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError


def test_a_retired_variable_still_set_is_named_by_the_checks(monkeypatch):
    monkeypatch.setenv("WEBHOOK_MAX_ATTEMPTS", "3")

    with pytest.raises(SystemCheckError, match=r"WEBHOOK_MAX_ATTEMPTS is set but no longer "
                                               r"read: the rule is fixed in "
                                               r"subsidy/webhooks/rules.py"):
        call_command("check", fail_level="WARNING")


def test_no_warning_without_retired_variables(monkeypatch):
    for name in ("OFFER_VALIDITY_DAYS", "WEBHOOK_MAX_ATTEMPTS"):
        monkeypatch.delenv(name, raising=False)

    call_command("check", fail_level="WARNING")


def test_every_task_enqueued_by_name_is_registered_in_the_web_process():
    from celery import current_app

    names = ["subsidy.tasks.deliver_notification", "subsidy.tasks.deliver_webhook",
             "subsidy.tasks.send_review_reminders", "subsidy.tasks.send_offer_expiry_reminders",
             "subsidy.tasks.send_round_closing_reminders", "reviews.tasks.lapse_expired_offers"]

    assert [name for name in names if name not in current_app.tasks] == []


@pytest.mark.parametrize("lease, timeout", [(60, 30), (120, None)])
def test_a_notification_claim_that_a_send_could_outlast_stops_the_start(settings, lease,
                                                                        timeout):
    settings.NOTIFICATION_LEASE_SECONDS = lease
    settings.EMAIL_TIMEOUT = timeout

    with pytest.raises(SystemCheckError, match="NOTIFICATION_LEASE_SECONDS"):
        call_command("check")


def test_the_default_notification_claim_outlasts_a_send(settings):
    assert settings.NOTIFICATION_LEASE_SECONDS > 2 * settings.EMAIL_TIMEOUT
    call_command("check")
