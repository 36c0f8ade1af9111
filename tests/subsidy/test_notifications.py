import threading
from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail
from django.db import connections, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from subsidy.notifications.models import Notification
from subsidy.notifications.services import outbox as notifications
from subsidy.notifications.services.outbox import notification_deliver, notify, outbox_sweep
from subsidy.notifications.tasks import deliver_notification
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

CONTEXT = {"activate_url": "https://aiss.example/confirm/abc/"}


def test_notification_committed_is_delivered_once_in_recipients_language():
    user = UserFactory(language="zh-hant", full_name="陳大文")
    with transaction.atomic():
        notification = notify(recipient=user, event="account_verification", context=CONTEXT)
        assert mail.outbox == []  # nothing leaves before commit

    notification.refresh_from_db()
    assert notification.status == Notification.Status.SENT
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [user.email]
    assert "陳大文" in message.body
    assert CONTEXT["activate_url"] in message.body
    html = message.alternatives[0][0]
    assert CONTEXT["activate_url"] in html


def test_notification_in_rolled_back_transaction_is_never_written_or_sent():
    user = UserFactory()
    with pytest.raises(RuntimeError), transaction.atomic():
        notify(recipient=user, event="account_verification", context=CONTEXT)
        raise RuntimeError("the business change failed")

    assert Notification.objects.count() == 0
    assert mail.outbox == []


def test_redelivered_message_sends_one_email():
    user = UserFactory()
    notification = notify(recipient=user, event="account_verification", context=CONTEXT)
    assert len(mail.outbox) == 1

    deliver_notification.delay(notification.pk)
    deliver_notification.delay(notification.pk)

    assert len(mail.outbox) == 1
    assert notification_deliver(notification_id=notification.pk) == "already-sent"


def test_malformed_email_is_marked_undeliverable_and_others_still_go():
    bad = UserFactory()
    good = UserFactory()
    type(bad).objects.filter(pk=bad.pk).update(email="not-an-address@")
    bad.refresh_from_db()

    first = notify(recipient=bad, event="account_verification", context=CONTEXT)
    second = notify(recipient=good, event="account_verification", context=CONTEXT)

    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == Notification.Status.UNDELIVERABLE
    assert second.status == Notification.Status.SENT
    assert [m.to for m in mail.outbox] == [[good.email]]


def test_mail_server_failure_is_retried_then_marked_failed(settings):
    settings.NOTIFICATION_MAX_ATTEMPTS = 3
    user = UserFactory()
    with mock.patch("django.core.mail.EmailMultiAlternatives.send",
                    side_effect=ConnectionRefusedError("SMTP down")):
        notification = Notification.objects.create(
            recipient=user, to_email=user.email, event="account_verification",
            context=CONTEXT)
        for _attempt in range(2):
            with pytest.raises(notifications.TemporaryDeliveryError):
                notification_deliver(notification_id=notification.pk)
        assert notification_deliver(notification_id=notification.pk) == "failed"

    notification.refresh_from_db()
    assert notification.status == Notification.Status.FAILED
    assert notification.attempts == 3
    assert "SMTP down" in notification.last_error


def test_broker_outage_leaves_notification_pending_for_the_sweeper():
    user = UserFactory()
    with mock.patch.object(deliver_notification, "delay",
                           side_effect=ConnectionError("broker unreachable")):
        notification = notify(recipient=user, event="account_verification", context=CONTEXT)

    notification.refresh_from_db()
    assert notification.status == Notification.Status.PENDING
    assert notification.enqueued_at is None
    assert mail.outbox == []

    swept = outbox_sweep(now=timezone.now() + timedelta(minutes=10))

    assert swept == 1
    notification.refresh_from_db()
    assert notification.status == Notification.Status.SENT
    assert len(mail.outbox) == 1


def test_sweeper_run_twice_sends_nothing_twice():
    user = UserFactory()
    with mock.patch.object(deliver_notification, "delay", side_effect=ConnectionError):
        notify(recipient=user, event="account_verification", context=CONTEXT)
    later = timezone.now() + timedelta(minutes=10)
    outbox_sweep(now=later)
    assert outbox_sweep(now=later) == 0
    assert len(mail.outbox) == 1


def test_sweeper_leaves_fresh_pending_notifications_alone():
    user = UserFactory()
    with mock.patch.object(deliver_notification, "delay", side_effect=ConnectionError):
        notify(recipient=user, event="account_verification", context=CONTEXT)
    assert outbox_sweep(now=timezone.now()) == 0
    assert mail.outbox == []


def test_template_that_fails_to_render_is_marked_failed_for_administrators():
    user = UserFactory()
    # A row whose templates are missing (notify() refuses unregistered events up front).
    notification = Notification.objects.create(
        recipient=user, to_email=user.email, event="event_without_templates", context={})
    assert notification_deliver(notification_id=notification.pk) == "failed"
    notification.refresh_from_db()
    assert notification.status == Notification.Status.FAILED
    assert "Template error" in notification.last_error
    assert mail.outbox == []


@pytest.mark.postgres
def test_a_delivery_arriving_while_the_producer_still_holds_the_row_waits_for_it():
    """The producer marks a row enqueued just after publishing it, so a fast worker can meet
    that row lock. The delivery must wait for it and send, not skip the row and leave it to
    the sweeper."""
    notification = Notification.objects.create(
        to_email="locked@example.hk", event="account_verification", context=CONTEXT)
    locked, release = threading.Event(), threading.Event()

    def producer_marking_it_enqueued():
        try:
            with transaction.atomic():
                Notification.objects.filter(pk=notification.pk).update(
                    enqueued_at=timezone.now())
                locked.set()
                release.wait(10)
        finally:
            connections.close_all()

    producer = threading.Thread(target=producer_marking_it_enqueued)
    producer.start()
    assert locked.wait(10)
    threading.Timer(0.5, release.set).start()
    try:
        outcome = notification_deliver(notification_id=notification.pk)
    finally:
        release.set()
        producer.join(10)

    assert outcome == "sent"
    assert [m.to for m in mail.outbox] == [["locked@example.hk"]]


def test_a_task_that_arrives_before_its_row_is_visible_retries_and_sends():
    notification = Notification.objects.create(
        to_email="early@example.hk", event="account_verification", context=CONTEXT)
    real_claim = notifications.notification_claim
    calls = []

    def not_visible_at_first(**kwargs):
        calls.append(kwargs)
        if len(calls) == 1:
            raise notifications.NotYetVisible(kwargs["notification_id"])
        return real_claim(**kwargs)

    with mock.patch.object(notifications, "notification_claim", not_visible_at_first):
        outcome = deliver_notification.apply(args=[notification.pk]).get()

    assert outcome == "sent"
    assert len(calls) == 2
    assert [m.to for m in mail.outbox] == [["early@example.hk"]]


def test_a_row_claimed_by_a_live_delivery_is_retried_when_that_claim_runs_out(settings):
    settings.NOTIFICATION_LEASE_SECONDS = 60
    notification = Notification.objects.create(
        to_email="claimed@example.hk", event="account_verification", context=CONTEXT)
    notifications.notification_claim(notification_id=notification.pk)

    with pytest.raises(notifications.ClaimedElsewhere) as raised:
        notification_deliver(notification_id=notification.pk)
    assert 55 < raised.value.seconds_left <= 60
    assert mail.outbox == []

    # Once the claim has run out (its worker died), the next delivery sends it.
    Notification.objects.filter(pk=notification.pk).update(
        claimed_until=timezone.now() - timedelta(seconds=1))
    assert notification_deliver(notification_id=notification.pk) == "sent"
    notification.refresh_from_db()
    assert notification.attempts == 2
    assert (notification.claimed_until, notification.claim_token) == (None, "")


def test_every_email_of_a_notification_carries_its_one_message_id():
    notification = notify(to_email="id@example.hk", event="account_verification",
                          context=CONTEXT)
    assert mail.outbox[0].extra_headers["Message-ID"] == (
        f"<aiss-notification-{notification.pk}@cyberport.hk>")


@pytest.mark.postgres
def test_a_delivery_on_a_kept_connection_is_two_statements_without_a_health_check():
    """Between two tasks the worker keeps its connection and Django would check it with a
    round trip of its own before the next statement; the claim does without."""
    notification = Notification.objects.create(
        to_email="kept@example.hk", event="account_verification", context=CONTEXT)
    connection = connections["default"]
    connection.ensure_connection()
    connection.health_check_done = False  # as Django leaves it after each task or request

    with (mock.patch.object(connection, "is_usable", wraps=connection.is_usable) as checked,
          CaptureQueriesContext(connection) as queries):
        assert notification_deliver(notification_id=notification.pk) == "sent"

    assert checked.call_count == 0
    assert len(queries) == 2  # the claim and the settle


@pytest.mark.postgres
def test_a_delivery_on_a_connection_the_server_dropped_reconnects_and_sends_once():
    notification = Notification.objects.create(
        to_email="dropped@example.hk", event="account_verification", context=CONTEXT)
    connection = connections["default"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]

    def terminate():
        try:
            with connections["default"].cursor() as cursor:
                cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
        finally:
            connections.close_all()

    other = threading.Thread(target=terminate)
    other.start()
    other.join(10)
    connection.health_check_done = False

    assert notification_deliver(notification_id=notification.pk) == "sent"
    notification.refresh_from_db()
    assert (notification.status, notification.attempts) == (Notification.Status.SENT, 1)
    assert [m.to for m in mail.outbox] == [["dropped@example.hk"]]


def test_an_outcome_recorded_after_the_claim_expired_leaves_the_new_claim_alone():
    notification = Notification.objects.create(
        to_email="late@example.hk", event="account_verification", context=CONTEXT)
    first = notifications.notification_claim(notification_id=notification.pk)
    Notification.objects.filter(pk=notification.pk).update(
        claimed_until=timezone.now() - timedelta(seconds=1))
    second = notifications.notification_claim(notification_id=notification.pk)

    sent = {"status": Notification.Status.SENT, "sent_at": timezone.now()}
    assert not notifications._settle(first, **sent)
    notification.refresh_from_db()
    assert (notification.status, notification.claim_token) == (
        Notification.Status.PENDING, second.token)
    assert notifications._settle(second, **sent, subject="Hi")
    notification.refresh_from_db()
    assert (notification.status, notification.subject, notification.claim_token,
            notification.claimed_until) == (Notification.Status.SENT, "Hi", "", None)


@pytest.mark.postgres
def test_a_delivery_commits_its_claim_and_outcome_without_waiting_for_the_disk():
    """Each of the two commits would otherwise wait for the WAL flush, most of a delivery's
    time; a crash can only make a message pending again, never lose it (the README)."""
    notification = Notification.objects.create(
        to_email="quick@example.hk", event="account_verification", context=CONTEXT)

    with CaptureQueriesContext(connections["default"]) as queries:
        assert notification_deliver(notification_id=notification.pk) == "sent"

    assert [q["sql"].endswith("SET LOCAL synchronous_commit = off") for q in queries] == [
        True, True]


@pytest.mark.postgres
def test_a_delivery_inside_a_callers_transaction_leaves_that_commit_durable():
    notification = Notification.objects.create(
        to_email="durable@example.hk", event="account_verification", context=CONTEXT)

    cursor = connections["default"].cursor()
    cursor.execute("SET synchronous_commit = on")  # the test settings turn it off
    try:
        with transaction.atomic():
            assert notification_deliver(notification_id=notification.pk) == "sent"
            cursor.execute("SHOW synchronous_commit")
            assert cursor.fetchone() == ("on",)
    finally:
        cursor.execute("RESET synchronous_commit")
        cursor.close()
