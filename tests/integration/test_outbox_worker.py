"""The notification outbox end to end: a real Celery worker process on Redis, not eager.

The worker reads the pytest test database (so the tests commit their data) and writes each
email it sends as a file, which the tests count. The test process publishes to the same
broker, exactly as a web process would.
"""

from datetime import timedelta

import pytest
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from subsidy.notifications.models import Notification
from subsidy.notifications.services.outbox import notify, outbox_sweep
from subsidy.notifications.tasks import deliver_notification
from tests.integration.workers import dead_broker_url, publishing_to, recipients, wait_until

pytestmark = [
    pytest.mark.worker,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]

EVENT = "account_verification"


def _notify_committed(address: str) -> Notification:
    with transaction.atomic():
        notification = notify(to_email=address, event=EVENT,
                              context={"activate_url": "https://aiss.example/confirm/abc"})
    return notification


def _wait_for_sent(notification: Notification) -> None:
    wait_until(
        lambda: Notification.objects.get(pk=notification.pk).status
        == Notification.Status.SENT,
        what=f"notification {notification.pk} to be sent",
    )


def test_committed_notification_is_delivered_once_by_the_worker(outbox):
    notification = _notify_committed("committed@example.hk")

    _wait_for_sent(notification)

    assert len(list(outbox.mail_dir.iterdir())) == 1
    assert recipients(outbox.mail_dir) == ["committed@example.hk"]
    notification.refresh_from_db()
    assert notification.sent_at is not None
    assert notification.attempts == 1


def test_rolled_back_notification_leaves_no_row_and_no_email(outbox):
    with pytest.raises(RuntimeError), transaction.atomic():
        notify(to_email="rolled-back@example.hk", event=EVENT,
               context={"activate_url": "https://aiss.example/confirm/abc"})
        raise RuntimeError("the surrounding change failed")
    # A later message goes through the same queue: once it is delivered, anything published
    # before it would have been delivered too.
    marker = _notify_committed("marker@example.hk")

    _wait_for_sent(marker)

    assert not Notification.objects.filter(to_email="rolled-back@example.hk").exists()
    assert recipients(outbox.mail_dir) == ["marker@example.hk"]


def test_delivery_message_published_twice_sends_one_email(outbox):
    notification = Notification.objects.create(
        to_email="twice@example.hk", event=EVENT,
        context={"activate_url": "https://aiss.example/confirm/abc"},
    )

    deliver_notification.delay(notification.pk)
    deliver_notification.delay(notification.pk)
    marker = _notify_committed("marker@example.hk")
    _wait_for_sent(marker)

    assert sorted(recipients(outbox.mail_dir)) == ["marker@example.hk", "twice@example.hk"]
    notification.refresh_from_db()
    assert notification.status == Notification.Status.SENT
    assert notification.attempts == 1


def test_sweeper_delivers_notification_committed_while_broker_was_down(outbox):
    with publishing_to(dead_broker_url()):
        notification = _notify_committed("broker-down@example.hk")

    notification.refresh_from_db()
    assert notification.status == Notification.Status.PENDING
    assert notification.enqueued_at is None

    later = timezone.now() + timedelta(seconds=settings.OUTBOX_STALE_SECONDS + 1)
    assert outbox_sweep(now=later) == 1
    _wait_for_sent(notification)

    assert recipients(outbox.mail_dir) == ["broker-down@example.hk"]
