"""Failures between the web process, the broker and the worker lose no notification and send
none twice: a submission made while the broker is down, and a worker killed mid-delivery.
(A failing mail server, retried with backoff and then shown to administrators for re-sending,
is covered in tests/subsidy/test_notification_events.py and test_notification_admin.py.)"""

import time
from datetime import timedelta

import pytest
import redis
from django.conf import settings
from django.utils import timezone

from applicants.models import ApplicationStatus, Membership
from applicants.services.drafts import application_create_draft
from applicants.services.submission import application_submit
from config.celery import app as celery_app
from subsidy.notifications.models import Notification
from subsidy.notifications.services.outbox import notification_message_id, outbox_sweep
from subsidy.notifications.tasks import deliver_notification
from subsidy.platform.roles import Role
from subsidy.scheme.models import DocumentType
from tests.builders.applicants import fill
from tests.factories import FundingRoundFactory, MembershipFactory, UserFactory
from tests.integration.workers import (
    Worker,
    broker_url,
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

# Long enough for the test to see the delivery start and kill the worker during it.
SLOW_DELIVERY_SECONDS = 120
# How long the crash tests' workers hold a delivery's claim (NOTIFICATION_LEASE_SECONDS).
LEASE_SECONDS = 5
# A message left unacknowledged for longer than this goes back to its queue. A worker looks
# for such messages when it starts, then on a slow periodic sweep (Kombu scans every tenth
# 10-second tick), so the second worker is started once the timeout has passed.
VISIBILITY_TIMEOUT_SECONDS = 3
REDELIVERY_SECONDS = 30


def wait_for_sent(notifications, *, timeout=30):
    ids = [notification.pk for notification in notifications]
    wait_until(lambda: not Notification.objects.filter(pk__in=ids).exclude(
        status=Notification.Status.SENT).exists(), timeout=timeout,
        what=f"notifications {ids} to be sent")


@pytest.fixture
def private_storage(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                    "OPTIONS": {"location": str(tmp_path / "media"), "base_url": None}},
    }


def test_submission_while_the_broker_is_down_succeeds_and_each_receipt_goes_out_once(
        outbox, private_storage):
    owner = UserFactory(roles=[Role.APPLICANT])
    organisation = MembershipFactory(user=owner, role=Membership.Role.OWNER).organisation
    officer = UserFactory(roles=[Role.PROGRAMME_OFFICER])
    round_ = FundingRoundFactory(required_documents=[DocumentType.BUSINESS_PLAN])
    draft = fill(owner, application_create_draft(actor=owner, organisation=organisation,
                                                 round_=round_))

    with publishing_to(dead_broker_url()):
        application_submit(actor=owner, application=draft)

    draft.refresh_from_db()
    assert draft.status == ApplicationStatus.SUBMITTED
    assert draft.reference
    waiting = list(Notification.objects.filter(
        event__in=["application_submitted", "application_received"]))
    assert sorted(n.to_email for n in waiting) == sorted([owner.email, officer.email])
    assert {(n.status, n.enqueued_at) for n in waiting} == {(Notification.Status.PENDING, None)}
    assert recipients(outbox.mail_dir) == []

    later = timezone.now() + timedelta(seconds=settings.OUTBOX_STALE_SECONDS + 1)
    assert outbox_sweep(now=later) == 2
    wait_for_sent(waiting)

    assert sorted(recipients(outbox.mail_dir)) == sorted([owner.email, officer.email])
    assert outbox_sweep(now=later) == 0


@pytest.fixture
def broker(django_db_setup):
    """This process publishes to the real broker, with no worker of the module's running on
    the queue the test uses."""
    url = broker_url()
    if not url.startswith("redis://"):
        pytest.skip("needs a Redis broker: set CELERY_BROKER_URL=redis://... (CI does)")
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    with publishing_to(url):
        yield url
    celery_app.conf.task_always_eager = eager
    redis.Redis.from_url(url).flushdb()


def _crash_and_recover(broker, tmp_path, *, when: str):
    """Send one notification through a worker that is killed with SIGKILL at ``when`` of
    its delivery, then let a second worker take the redelivered message. Both workers hold
    a delivery's claim for ``LEASE_SECONDS``: the second one retries once the dead one's
    claim has run out. Returns the notification and the emails written."""
    queue = "crash-recovery"
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    started = tmp_path / "delivery-started"
    notification = Notification.objects.create(
        to_email="crash@example.hk", event="account_verification",
        context={"activate_url": "https://aiss.example/confirm/abc"})
    lease = {"NOTIFICATION_LEASE_SECONDS": str(LEASE_SECONDS), "EMAIL_TIMEOUT": "1"}
    doomed = Worker(broker_url=broker, mail_dir=mail_dir, log_path=tmp_path / "worker1.log",
                    queue=queue, env={
                        "DJANGO_SETTINGS_MODULE": "tests.integration.slow_mail_settings",
                        "SLOW_EMAIL_STARTED_FILE": str(started),
                        "SLOW_EMAIL_WHEN": when,
                        "SLOW_EMAIL_SECONDS": str(SLOW_DELIVERY_SECONDS), **lease})
    successor = Worker(broker_url=broker, mail_dir=mail_dir, log_path=tmp_path / "worker2.log",
                       queue=queue,
                       env={"CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT_SECONDS),
                            **lease})
    try:
        doomed.start()
        deliver_notification.apply_async(args=[notification.pk], queue=queue)
        wait_until(started.exists, what="the first worker to start sending")
        doomed.kill()

        notification.refresh_from_db()
        assert notification.status == Notification.Status.PENDING
        assert notification.claimed_until is not None  # the dead worker's claim

        time.sleep(VISIBILITY_TIMEOUT_SECONDS + 1)
        successor.start()
        wait_for_sent([notification], timeout=REDELIVERY_SECONDS)
    finally:
        doomed.stop()
        successor.stop()
    notification.refresh_from_db()
    return notification, sent_messages(mail_dir)


def test_worker_killed_mid_delivery_leads_to_exactly_one_email_once_a_worker_runs_again(
        broker, tmp_path):
    """The first worker claims the row and dies with SIGKILL while sending, before the mail
    server took the message. The message was never acknowledged (late acknowledgement), so
    once the visibility timeout has passed the next worker gets it, waits for the dead
    worker's claim to run out and sends it. (Had the message been lost, the outbox sweeper
    would re-enqueue the pending row: see test_outbox_worker.py.) The test uses a queue of
    its own so that no other worker of the test run can take the message."""
    notification, messages = _crash_and_recover(broker, tmp_path, when="before")

    assert [message["To"] for message in messages] == ["crash@example.hk"]
    assert notification.status == Notification.Status.SENT
    assert notification.attempts == 2  # the dead worker's claim counted as an attempt
    assert notification.claimed_until is None


def test_worker_killed_after_the_mail_server_accepted_sends_a_duplicate_with_one_message_id(
        broker, tmp_path):
    """The one window of at-least-once delivery the README names: the mail server accepted
    the message and the worker died before recording it. The next worker sends it again,
    and both copies carry the notification's one Message-ID, which recipients' mail systems
    use to fold the duplicate."""
    notification, messages = _crash_and_recover(broker, tmp_path, when="after")

    assert [message["To"] for message in messages] == ["crash@example.hk"] * 2
    assert {message["Message-ID"] for message in messages} == {
        notification_message_id(notification.pk)}
    assert notification.status == Notification.Status.SENT
