"""The integration tests' fixtures: one real Celery worker per module on the test database
(``tests.integration.workers``), and its mailbox."""

import pytest
import redis

from config.celery import app as celery_app
from tests.integration.workers import Worker, broker_url, publishing_to


@pytest.fixture(scope="module")
def worker(django_db_setup, tmp_path_factory):
    """A real worker on the test database, started once for the module. It depends on
    ``django_db_setup`` so that it stops before the test database is dropped."""
    url = broker_url()
    if not url.startswith("redis://"):
        pytest.skip("needs a Redis broker: set CELERY_BROKER_URL=redis://... (CI does)")
    redis.Redis.from_url(url).flushdb()
    base = tmp_path_factory.mktemp("celery-worker")
    mail_dir = base / "mail"
    mail_dir.mkdir()
    running = Worker(broker_url=url, mail_dir=mail_dir, log_path=base / "worker.log")
    running.start()
    yield running
    running.stop()
    redis.Redis.from_url(url).flushdb()


@pytest.fixture
def outbox(worker):
    """The worker's mailbox, emptied for each test, with this process publishing to the
    worker's broker instead of running tasks in-process."""
    for leftover in worker.mail_dir.iterdir():
        leftover.unlink()
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    with publishing_to(worker.broker_url):
        yield worker
    celery_app.conf.task_always_eager = eager
