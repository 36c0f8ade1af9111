import re
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings
from django.core import mail
from django.db import IntegrityError

from subsidy.notifications.account_adapter import ACCOUNT_EVENTS
from subsidy.notifications.events import (
    EVENTS,
    REGISTRY,
    Audience,
    UnknownNotificationEventError,
    event_get,
    events_for,
)
from subsidy.notifications.models import Notification, NotificationPreference
from subsidy.notifications.services import outbox as notifications
from subsidy.notifications.services.inbox import notification_preferences_set
from subsidy.notifications.services.outbox import delivery_retry_delay, notification_render, notify
from subsidy.platform.errors import DomainError
from subsidy.platform.roles import Role
from tests.factories import UserFactory

TEMPLATES = Path(settings.BASE_DIR) / "templates" / "notifications"


def test_codes_are_unique():
    assert len(REGISTRY) == len(EVENTS)


def test_every_event_of_the_account_emails_is_registered():
    for code in {*ACCOUNT_EVENTS.values(), "account_message"}:
        assert event_get(code).code == code


def test_unknown_event_code_is_a_programming_error():
    with pytest.raises(UnknownNotificationEventError):
        event_get("no_such_event")


@pytest.mark.parametrize("code", [
    "account_verification", "password_reset", "information_requested",
    "application_status_changed", "application_ineligible", "application_approved",
    "application_rejected", "application_waitlisted", "offer_expiring", "offer_lapsed",
])
def test_decisions_information_requests_offers_and_account_emails_are_mandatory(code):
    assert event_get(code).mandatory


@pytest.mark.parametrize("code", ["application_submitted", "reviewer_assigned", "claim_paid",
                                  "round_closing_soon", "staff_daily_digest"])
def test_other_events_are_optional(code):
    assert not event_get(code).mandatory


def test_staff_daily_digest_is_opt_in_for_staff():
    digest = event_get("staff_daily_digest")
    assert digest.audience == Audience.STAFF
    assert digest.email_default() is False


@pytest.mark.parametrize("code", [event.code for event in EVENTS])
def test_every_event_has_a_label_and_a_sample_context(code):
    event = event_get(code)
    assert str(event.label)
    assert isinstance(event.sample_context, dict)


def test_every_notification_template_folder_is_a_registered_event():
    folders = {path.name for path in TEMPLATES.iterdir() if path.is_dir()}
    assert folders - set(REGISTRY) == set()


@pytest.mark.parametrize("code", [event.code for event in EVENTS])
def test_every_event_has_a_subject_a_text_and_an_html_template(code):
    assert {p.name for p in (TEMPLATES / code).iterdir()} >= {
        "subject.txt", "body.txt", "body.html"}


@pytest.mark.parametrize("code", [event.code for event in EVENTS])
@pytest.mark.parametrize("language", ["en", "zh-hant"])
def test_templates_render_with_the_name_and_a_direct_link(code, language):
    context = event_get(code).sample_context
    subject, text, html = notification_render(
        event=code, context=context, language=language, recipient_name="Chan Tai Man")
    assert subject
    assert "\n" not in subject
    assert "<html" in html
    if code != "account_message":  # allauth's own message templates say the rest
        assert "Chan Tai Man" in text
        assert "Chan Tai Man" in html
    if "url" in context:
        assert f"{settings.SITE_URL}{context['url']}" in text
        assert f'href="{settings.SITE_URL}{context["url"]}"' in html


@pytest.mark.parametrize("code", [event.code for event in EVENTS])
def test_every_event_reads_in_traditional_chinese(code):
    def render(language):
        return notification_render(event=code, context=event_get(code).sample_context,
                                   language=language, recipient_name="Chan Tai Man")

    english, chinese = render("en"), render("zh-hant")
    assert chinese[0] != english[0]
    assert re.search(r"[\u4e00-\u9fff]", chinese[0])
    assert re.search(r"[\u4e00-\u9fff]", chinese[1])


@pytest.mark.django_db
def test_events_for_an_applicant_are_account_and_applicant_events():
    codes = {event.code for event in events_for(UserFactory(roles=[Role.APPLICANT]))}
    assert {"account_verification", "application_submitted", "claim_paid"} <= codes
    assert not codes & {"reviewer_assigned", "application_received", "staff_daily_digest"}


@pytest.mark.django_db
def test_events_for_an_officer_include_officer_events_and_the_digest():
    codes = {event.code for event in events_for(
        UserFactory(roles=[Role.PROGRAMME_OFFICER]))}
    assert {"application_received", "reviews_complete", "staff_daily_digest"} <= codes
    assert "application_submitted" not in codes


# --- notify() and the registry ---------------------------------------------------------------

pytest_db = pytest.mark.django_db(transaction=True)


@pytest_db
def test_notify_refuses_an_unregistered_event_and_writes_nothing():
    with pytest.raises(UnknownNotificationEventError):
        notify(recipient=UserFactory(), event="no_such_event", context={})
    assert Notification.objects.count() == 0


@pytest_db
def test_optional_event_is_emailed_when_no_preference_was_set():
    user = UserFactory()
    notification = notify(recipient=user, event="application_submitted",
                          context=event_get("application_submitted").sample_context)
    notification.refresh_from_db()
    assert notification.status == Notification.Status.SENT
    assert [m.to for m in mail.outbox] == [[user.email]]


@pytest_db
def test_optional_event_turned_off_reaches_the_inbox_but_not_email():
    user = UserFactory()
    notification_preferences_set(user=user, email_enabled={"application_submitted": False})
    notification = notify(recipient=user, event="application_submitted",
                          context=event_get("application_submitted").sample_context)
    notification.refresh_from_db()
    assert notification.status == Notification.Status.EMAIL_OFF
    assert notification.read_at is None
    assert user.notifications.filter(pk=notification.pk).exists()
    assert mail.outbox == []


@pytest_db
def test_email_turned_off_is_not_picked_up_by_the_sweeper():
    from datetime import timedelta

    from django.utils import timezone

    user = UserFactory()
    notification_preferences_set(user=user, email_enabled={"application_submitted": False})
    notify(recipient=user, event="application_submitted", context={})
    assert notifications.outbox_sweep(now=timezone.now() + timedelta(hours=1)) == 0
    assert mail.outbox == []


@pytest_db
def test_mandatory_event_is_emailed_whatever_a_stored_preference_says():
    user = UserFactory()
    NotificationPreference.objects.create(user=user, event="account_verification",
                                          email_enabled=False)
    notification = notify(recipient=user, event="account_verification",
                          context={"activate_url": "https://aiss.example/confirm/"})
    notification.refresh_from_db()
    assert notification.status == Notification.Status.SENT
    assert len(mail.outbox) == 1


@pytest_db
def test_staff_digest_goes_by_email_only_after_opting_in():
    officer = UserFactory(roles=[Role.PROGRAMME_OFFICER])
    before = notify(recipient=officer, event="staff_daily_digest", context={})
    notification_preferences_set(user=officer, email_enabled={"staff_daily_digest": True})
    after = notify(recipient=officer, event="staff_daily_digest",
                   context=event_get("staff_daily_digest").sample_context)
    before.refresh_from_db()
    after.refresh_from_db()
    assert before.status == Notification.Status.EMAIL_OFF
    assert after.status == Notification.Status.SENT


@pytest_db
def test_message_to_an_address_without_account_ignores_preferences():
    notification = notify(to_email="invitee@example.hk", event="organisation_invitation",
                          context=event_get("organisation_invitation").sample_context)
    notification.refresh_from_db()
    assert notification.status == Notification.Status.SENT


# --- Preferences ------------------------------------------------------------------------------

@pytest.mark.django_db
def test_a_mandatory_event_cannot_be_turned_off():
    user = UserFactory()
    with pytest.raises(DomainError):
        notification_preferences_set(user=user, email_enabled={"information_requested": False,
                                                               "claim_paid": False})
    assert not NotificationPreference.objects.exists()


@pytest.mark.django_db
def test_setting_a_preference_twice_keeps_one_row_with_the_last_choice():
    user = UserFactory()
    notification_preferences_set(user=user, email_enabled={"claim_paid": False})
    notification_preferences_set(user=user, email_enabled={"claim_paid": True})
    assert list(NotificationPreference.objects.values_list("event", "email_enabled")) == [
        ("claim_paid", True)]


@pytest.mark.django_db
def test_database_refuses_two_preferences_for_the_same_event():
    user = UserFactory()
    NotificationPreference.objects.create(user=user, event="claim_paid", email_enabled=True)
    with pytest.raises(IntegrityError):
        NotificationPreference.objects.create(user=user, event="claim_paid",
                                              email_enabled=False)


@pytest.mark.django_db
def test_preferences_refuse_unknown_events():
    with pytest.raises(UnknownNotificationEventError):
        notification_preferences_set(user=UserFactory(), email_enabled={"nope": False})


# --- Retries --------------------------------------------------------------------------------

def test_retry_delay_doubles_from_the_base(settings):
    settings.NOTIFICATION_RETRY_BASE_SECONDS = 30
    settings.NOTIFICATION_RETRY_MAX_SECONDS = 3600
    assert [delivery_retry_delay(retries=n) for n in range(5)] == [30, 60, 120, 240, 480]


def test_retry_delay_is_capped(settings):
    settings.NOTIFICATION_RETRY_BASE_SECONDS = 30
    settings.NOTIFICATION_RETRY_MAX_SECONDS = 3600
    assert delivery_retry_delay(retries=10) == 3600


@pytest_db
def test_failing_mail_server_is_retried_with_backoff_up_to_the_attempt_limit(settings):
    settings.NOTIFICATION_MAX_ATTEMPTS = 4
    user = UserFactory()
    with mock.patch("django.core.mail.EmailMultiAlternatives.send",
                    side_effect=ConnectionRefusedError("SMTP down")) as send, \
            mock.patch.object(notifications, "delivery_retry_delay",
                              wraps=notifications.delivery_retry_delay) as delay:
        notification = notify(recipient=user, event="account_verification",
                              context={"activate_url": "https://aiss.example/confirm/"})

    notification.refresh_from_db()
    assert send.call_count == 4
    assert [c.kwargs["retries"] for c in delay.call_args_list] == [0, 1, 2]
    assert notification.status == Notification.Status.FAILED
    assert notification.attempts == 4
