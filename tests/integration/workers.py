"""Real Celery workers for the integration tests: a worker process reads the pytest test
database (so the tests commit their data) and writes each email it sends as a file, which
the tests count. The test process publishes to the same broker, as a web process would.
The fixtures that start them are in this folder's conftest."""

import email
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote, urlsplit

from django.conf import settings
from django.db import connection

from config.celery import app as celery_app

BASE_DIR = Path(settings.BASE_DIR)
WORKER_START_SECONDS = 60
DELIVERY_SECONDS = 30
# The filebased email backend ends every message with this line.
MESSAGE_SEPARATOR = b"\n" + b"-" * 79 + b"\n"


def database_url() -> str:
    db = connection.settings_dict
    credentials = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"], safe="")
    host = db["HOST"] or "127.0.0.1"
    port = db["PORT"] or 5432
    return f"postgres://{credentials}@{host}:{port}/{quote(db['NAME'], safe='')}"


def broker_url() -> str:
    """The Redis broker of this test process. Under pytest-xdist (``make test``) every
    process (gw0, gw1, ...) takes its own database, the configured one plus its number, as
    it has its own test database: the tests empty the broker (flushdb) and their workers
    consume everything on it, so two processes on one database would take each other's
    messages."""
    url = settings.CELERY_BROKER_URL
    process = os.environ.get("PYTEST_XDIST_WORKER", "")
    if not url.startswith("redis://") or not process.startswith("gw"):
        return url
    parts = urlsplit(url)
    database = int(parts.path.strip("/") or 0) + int(process.removeprefix("gw"))
    return parts._replace(path=f"/{database}").geturl()


def dead_broker_url() -> str:
    """A Redis URL on a local port nobody listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"redis://127.0.0.1:{port}/0"


def wait_until(predicate, *, timeout: float = DELIVERY_SECONDS, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError(f"Timed out after {timeout}s waiting for {what}")


@contextmanager
def publishing_to(broker_url: str):
    """Point this process's Celery producer at ``broker_url``. The write URL is the one to
    change (``broker_url`` gives way to a CELERY_BROKER_URL variable), and Celery keeps its
    connection and producer pools once made, so they are dropped to take the new URL."""
    previous = celery_app.conf.broker_write_url

    def switch(url):
        celery_app.conf.broker_write_url = url
        celery_app._pool = None
        celery_app.amqp._producer_pool = None

    switch(broker_url)
    try:
        yield
    finally:
        switch(previous)


class Worker:
    def __init__(self, *, broker_url: str, mail_dir: Path, log_path: Path,
                 env: dict | None = None, queue: str | None = None):
        self.broker_url = broker_url
        self.mail_dir = mail_dir
        self.log_path = log_path
        self.extra_env = env or {}
        self.queue = queue
        self.process = None

    def start(self) -> None:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DATABASE_URL": database_url(),
            "CONN_MAX_AGE": "0",
            "CELERY_BROKER_URL": self.broker_url,
            "REDIS_URL": self.broker_url,
            "EMAIL_URL": "filemail://",
            "EMAIL_FILE_PATH": str(self.mail_dir),
            "SECRET_KEY": "worker-integration-test-" + uuid.uuid4().hex,
            "DEBUG": "0",
            **self.extra_env,
        }
        command = [
            sys.executable, "-m", "celery", "-A", "config", "worker",
            "--pool", "solo", "--concurrency", "1",
            "--without-heartbeat", "--without-gossip", "--without-mingle",
            "--loglevel", "INFO", "--hostname", f"aiss-test-{uuid.uuid4().hex[:8]}@%h",
            *(["--queues", self.queue] if self.queue else []),
        ]
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(  # noqa: S603 - fixed argument list
                command, cwd=BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )
        deadline = time.monotonic() + WORKER_START_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"Celery worker exited at start:\n{self.log()}")
            if " ready." in self.log():
                return
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"Celery worker not ready in {WORKER_START_SECONDS}s:\n{self.log()}")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)  # warm shutdown: finish the current task
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)

    def kill(self) -> None:
        """Die at once, as on a power cut or an out-of-memory kill: no warm shutdown, no
        acknowledgement, no rollback by the worker (the database drops its transaction)."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def sent_messages(mail_dir: Path) -> list[email.message.Message]:
    messages = []
    for path in sorted(mail_dir.iterdir()):
        for chunk in path.read_bytes().split(MESSAGE_SEPARATOR):
            if chunk.strip():
                messages.append(email.message_from_bytes(chunk))
    return messages


def recipients(mail_dir: Path) -> list[str]:
    return [message["To"] for message in sent_messages(mail_dir)]


