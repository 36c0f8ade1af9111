"""Scenario 6: 10,000 notifications delivered by one Celery worker through Redis.

The notifications are written through the outbox (``subsidy.notifications.services.outbox.notify``,
enqueued when each transaction commits), to 1,000 applicants in English and Chinese, and
delivered by one worker process (``celery worker --pool prefork --concurrency 1``, the
production pool with one child) with the in-memory email backend. The baseline is the same
worker draining as many no-op tasks from the same broker.

Each run fills the queue first, with a time-stamp task before and after the measured
tasks, and then starts the worker, so neither the worker's start-up nor the enqueueing is
measured: throughput is the tasks between the two stamps over the time between them.

Target: notifications per second at least 40% of no-op tasks per second; every notification
sent once, and none left pending for the sweeper (which does not run here).
"""

from __future__ import annotations

import signal
import subprocess
import time
import uuid

from bench.common import (
    BIN,
    REDIS_URL,
    ROOT,
    Result,
    django_env,
    emit,
    recreate_database,
    size_argument,
    use_database,
)

DB = "notify"
SIZES = {"smoke": 500, "reference": 10000}
RECIPIENTS = 1000
TARGET_RATIO = 0.40
QUEUE_KEYS = ("celery", "notifications", "unacked", "unacked_index", "unacked_mutex")


def broker():
    import redis

    return redis.Redis.from_url(REDIS_URL)


def run_worker(start_key: str, end_key: str, *, timeout: float = 900) -> float:
    """Start one worker on the filled queue, wait for the end stamp, stop it; the seconds
    between the two stamps."""
    process = subprocess.Popen(
        [str(BIN / "celery"), "-A", "bench.celery_app", "worker", "--pool", "prefork",
         "--concurrency", "1", "--without-heartbeat", "--without-gossip", "--without-mingle",
         "--loglevel", "WARNING", "--hostname", f"bench-{uuid.uuid4().hex[:8]}@%h"],
        cwd=ROOT, env=django_env(DB), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + timeout
        while broker().get(end_key) is None:
            if process.poll() is not None:
                raise RuntimeError(f"the worker exited with {process.returncode}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"the worker did not reach the end in {timeout}s")
            time.sleep(0.05)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    return float(broker().get(end_key)) - float(broker().get(start_key))


def write_notifications(count: int, recipients: list) -> None:
    """``count`` receipts through the outbox, in transactions of 500 as busy days write them."""
    from django.db import transaction

    from subsidy.notifications.services.outbox import notify

    for first in range(0, count, 500):
        with transaction.atomic():
            for n in range(first, min(first + 500, count)):
                recipient = recipients[n % len(recipients)]
                notify(recipient=recipient, event="application_submitted", context={
                    "application_id": n + 1, "reference": f"AISS-2026R1-{n + 1:05d}",
                    "title": f"Cantonese speech recognition for clinics, pilot {n}",
                    "organisation": f"Harbour AI {n % len(recipients)} Limited",
                    "round": "2026R1", "public_status": "Submitted",
                    "url": f"/applicant/applications/{n + 1}/"})


def main() -> None:
    size = size_argument()
    count = SIZES[size]
    recreate_database(DB)
    use_database(DB)
    from applicants.models import Membership
    from bench import world
    from bench.celery_app import mark, noop
    from subsidy.notifications.models import Notification

    world.companies(RECIPIENTS)
    recipients = [m.user for m in Membership.objects.select_related("user").order_by("pk")]
    broker().delete(*QUEUE_KEYS)

    def noop_run(label: str) -> float:
        broker().delete(*QUEUE_KEYS)
        mark.delay(f"bench:{label}:start")
        for n in range(count):
            noop.delay(n)
        mark.delay(f"bench:{label}:end")
        seconds = run_worker(f"bench:{label}:start", f"bench:{label}:end")
        print(f"no-op ({label}): {count} tasks in {seconds:.2f}s", flush=True)
        return count / seconds

    # The baseline runs before and after the notifications; their mean evens out a machine
    # whose speed drifts during the run.
    noop_before = noop_run("noop-before")

    broker().delete(*QUEUE_KEYS)
    # Notifications have their own queue: the stamps go there too, to bracket them.
    mark.apply_async(args=["bench:notify:start"], queue="notifications")
    write_notifications(count, recipients)
    mark.apply_async(args=["bench:notify:end"], queue="notifications")
    notify_seconds = run_worker("bench:notify:start", "bench:notify:end")
    notify_rate = count / notify_seconds
    sent = Notification.objects.filter(status=Notification.Status.SENT).count()
    pending = Notification.objects.filter(status=Notification.Status.PENDING).count()
    # Each delivery counts an attempt when it claims the row: more than one means a second
    # send of the same notification.
    repeated = Notification.objects.exclude(attempts=1).count()
    print(f"notifications: {count} in {notify_seconds:.2f}s", flush=True)

    noop_after = noop_run("noop-after")
    noop_rate = (noop_before + noop_after) / 2
    broker().delete(*QUEUE_KEYS, *(f"bench:{label}:{end}" for label in
                                   ("noop-before", "notify", "noop-after")
                                   for end in ("start", "end")))

    ratio = notify_rate / noop_rate
    emit(Result(
        number=6, title=f"Notification delivery ({count:,} by one worker, prefork x1, Redis)",
        target="notifications/s >= 40% of no-op tasks/s on the same broker and worker; all sent "
               "once, none left for the sweeper",
        figures={
            "no-op tasks": f"{noop_rate:.0f}/s (before {noop_before:.0f}, after "
                           f"{noop_after:.0f})",
            "notifications": f"{notify_rate:.0f}/s",
            "ratio": f"{ratio:.0%}",
            "sent": f"{sent:,}/{count:,}",
            "sent more than once": f"{repeated:,}",
            "left pending for the sweeper": f"{pending:,}",
        },
        met=ratio >= TARGET_RATIO and sent == count and repeated == 0 and pending == 0,
    ))


if __name__ == "__main__":
    main()
