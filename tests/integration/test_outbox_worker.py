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
from tests.integration.workers import (
    Worker,
    dead_broker_url,
    publishing_to,
    recipients,
    sent_messages,
    wait_until,
)

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


BURST = 300


def test_a_burst_committed_at_once_is_all_sent_without_the_sweeper(outbox):
    """A burst published the moment its transaction commits: every task reaches the worker
    while the producer is still marking the others enqueued. None may be skipped and left
    for the sweeper (which this test never runs)."""
    with transaction.atomic():
        burst = [notify(to_email=f"burst-{n}@example.hk", event=EVENT,
                        context={"activate_url": f"https://aiss.example/confirm/{n}"})
                 for n in range(BURST)]

    ids = [notification.pk for notification in burst]
    wait_until(lambda: not Notification.objects.filter(pk__in=ids).exclude(
        status=Notification.Status.SENT).exists(), timeout=120,
        what=f"the burst of {BURST} to be sent")

    messages = sent_messages(outbox.mail_dir)
    assert len(messages) == BURST
    assert len({message["Message-ID"] for message in messages}) == BURST


def test_two_workers_on_one_queue_with_every_message_published_twice_send_each_once(
        outbox, tmp_path):
    """Two worker processes consume one queue, and every delivery is published twice, as a
    redelivery or the sweeper racing the original would: each notification goes out once."""
    queue = "two-workers"
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    notifications = [Notification.objects.create(
        to_email=f"pair-{n}@example.hk", event=EVENT,
        context={"activate_url": f"https://aiss.example/confirm/{n}"}) for n in range(100)]
    workers = [Worker(broker_url=outbox.broker_url, mail_dir=mail_dir, queue=queue,
                      log_path=tmp_path / f"worker{n}.log") for n in (1, 2)]
    try:
        for worker in workers:
            worker.start()
        for notification in notifications:
            deliver_notification.apply_async(args=[notification.pk], queue=queue)
            deliver_notification.apply_async(args=[notification.pk], queue=queue)
        ids = [notification.pk for notification in notifications]
        wait_until(lambda: not Notification.objects.filter(pk__in=ids).exclude(
            status=Notification.Status.SENT).exists(), timeout=120,
            what="both workers to send every notification")
    finally:
        for worker in workers:
            worker.stop()

    messages = sent_messages(mail_dir)
    assert sorted(message["To"] for message in messages) == sorted(
        notification.to_email for notification in notifications)
    assert len({message["Message-ID"] for message in messages}) == len(notifications)
    assert all("Task subsidy.tasks.deliver_notification" in worker.log() for worker in workers)


def test_a_worker_of_the_notifications_pool_alone_delivers_notifications(outbox, tmp_path):
    """Notifications are routed to their own queue, so a pool of workers started with
    ``-Q notifications`` delivers them, and a webhooks-only pool does not take them."""
    assert deliver_notification.app.amqp.router.route(
        {}, deliver_notification.name)["queue"].name == "notifications"
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    pools = {queue: Worker(broker_url=outbox.broker_url, mail_dir=mail_dir, queue=queue,
                           log_path=tmp_path / f"{queue}.log")
             for queue in ("webhooks", "notifications")}
    # The module's worker consumes every queue: stopped meanwhile, so only the pools run.
    outbox.stop()
    try:
        for pool in pools.values():
            pool.start()
        notification = _notify_committed("pooled@example.hk")
        _wait_for_sent(notification)
    finally:
        for pool in pools.values():
            pool.stop()
        outbox.start()

    assert recipients(mail_dir) == ["pooled@example.hk"]
    received = "Task subsidy.tasks.deliver_notification["
    assert received in pools["notifications"].log()
    assert received not in pools["webhooks"].log()
