from datetime import date, datetime, time, timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone

from subsidy.notifications.models import Notification
from subsidy.notifications.services.digest import staff_daily_digest_send
from subsidy.notifications.services.inbox import notification_preferences_set
from subsidy.notifications.tasks import send_staff_daily_digest
from subsidy.platform.roles import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

DAY = date(2026, 11, 25)


def at(day: date, hour: int):
    return timezone.make_aware(datetime.combine(day, time(hour)))


def officer(*, opted_in=True, **kwargs):
    user = UserFactory(roles=[Role.PROGRAMME_OFFICER], **kwargs)
    if opted_in:
        notification_preferences_set(user=user, email_enabled={"staff_daily_digest": True})
    return user


def received(user, *, when, event="application_received", read=False):
    return Notification.objects.create(
        recipient=user, to_email=user.email, event=event, created_at=when,
        status=Notification.Status.SENT, sent_at=when, read_at=when if read else None)


def digests():
    return [m for m in mail.outbox if "digest" in m.subject.lower()]


def test_digest_counts_the_days_notifications_by_event():
    user = officer(full_name="Wong Siu Ming")
    received(user, when=at(DAY, 9))
    received(user, when=at(DAY, 15))
    received(user, when=at(DAY, 16), event="application_resubmitted", read=True)

    assert staff_daily_digest_send(day=DAY) == 1

    digest = Notification.objects.get(event="staff_daily_digest")
    assert digest.context["items"] == [
        {"label": "New application submitted", "count": 2},
        {"label": "Answer to a request for information", "count": 1},
    ]
    assert digest.context["unread"] == 2
    [message] = digests()
    assert message.to == [user.email]
    assert "New application submitted: 2" in message.body
    assert "Wong Siu Ming" in message.body


def test_digest_leaves_out_other_days_hong_kong_time():
    user = officer()
    received(user, when=at(DAY, 0) - timedelta(minutes=1), read=True)
    received(user, when=at(DAY, 0) + timedelta(days=1), read=True)
    assert staff_daily_digest_send(day=DAY) == 0


def test_digest_run_twice_for_the_same_day_sends_once():
    user = officer()
    received(user, when=at(DAY, 10))
    staff_daily_digest_send(day=DAY)
    assert staff_daily_digest_send(day=DAY) == 0
    assert Notification.objects.filter(event="staff_daily_digest").count() == 1
    assert len(digests()) == 1


def test_staff_who_did_not_opt_in_get_no_digest():
    user = officer(opted_in=False)
    received(user, when=at(DAY, 10))
    assert staff_daily_digest_send(day=DAY) == 0
    assert digests() == []


def test_applicants_get_no_digest_even_with_a_stored_preference():
    applicant = UserFactory(roles=[Role.APPLICANT])
    notification_preferences_set(user=applicant, email_enabled={"staff_daily_digest": True})
    received(applicant, when=at(DAY, 10), event="application_submitted")
    assert staff_daily_digest_send(day=DAY) == 0


def test_digest_is_in_the_recipients_language():
    user = officer(language="zh-hant")
    received(user, when=at(DAY, 10))
    staff_daily_digest_send(day=DAY)
    assert Notification.objects.get(event="staff_daily_digest").language == "zh-hant"


def test_scheduled_task_covers_yesterday():
    user = officer()
    received(user, when=timezone.now() - timedelta(days=1))
    assert send_staff_daily_digest.delay().get() == 1
    digest = Notification.objects.get(event="staff_daily_digest")
    assert digest.context["date"] == (timezone.localdate() - timedelta(days=1)).isoformat()


def test_digest_is_on_the_beat_schedule():
    entry = settings.CELERY_BEAT_SCHEDULE["staff-daily-digest"]
    assert entry["task"] == "subsidy.tasks.send_staff_daily_digest"
    assert send_staff_daily_digest.name == entry["task"]
