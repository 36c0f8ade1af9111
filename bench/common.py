"""Plumbing shared by the benchmarks: databases, production-like environments, servers and
the result records that ``bench/run.py`` collects into its table.

Every scenario runs in its own process (``python -m bench.scenarios.<name> --size <size>``)
against PostgreSQL and Redis with production settings: DEBUG off, persistent connections,
gunicorn for anything measured over HTTP.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
BIN = Path(PY).parent

PG_SERVER = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
DB_PREFIX = os.environ.get("BENCH_DB_PREFIX", "aiss_bench_")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
PORT_BASE = int(os.environ.get("BENCH_PORT_BASE", "8300"))

SIZES = ("smoke", "reference")
RESULT_MARK = "BENCH-RESULT "


def database_url(name: str) -> str:
    return f"{PG_SERVER}/{DB_PREFIX}{name}"


def django_env(db: str, **extra: str) -> dict[str, str]:
    """The environment of a production process on database ``db`` (a name without prefix)."""
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "TESTING"}}
    env.update({
        "DATABASE_URL": database_url(db),
        "CELERY_BROKER_URL": REDIS_URL,
        "REDIS_URL": REDIS_URL,
        "SECRET_KEY": "bench-" + "x" * 60,
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "SECURE_HSTS_SECONDS": "0",
        "STAFF_REQUIRE_2FA": "0",
        "AXES_ENABLED": "0",
        "CONN_MAX_AGE": "600",
        "API_THROTTLE_RATE": "1000000/min",
        "LOG_LEVEL": "WARNING",
        "EMAIL_URL": "memorymail://",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "PYTHONPATH": str(ROOT),
    })
    env.update(extra)
    return env


def use_database(db: str, **extra: str) -> None:
    """Point this process's Django at ``db`` with production settings, then set it up."""
    os.environ.update(django_env(db, **extra))
    import django

    django.setup()


def _admin_connection():
    import psycopg

    return psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True)


def database_exists(db: str) -> bool:
    with _admin_connection() as conn:
        row = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s",
                           (DB_PREFIX + db,)).fetchone()
    return row is not None


def recreate_database(db: str) -> None:
    """Drop and create ``db`` empty, then migrate it."""
    name = DB_PREFIX + db
    with _admin_connection() as conn:
        conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                     "WHERE datname = %s AND pid <> pg_backend_pid()", (name,))
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    manage(db, "migrate", "--noinput", quiet=True)


def manage(db: str, *args: str, quiet: bool = False, **extra: str) -> None:
    subprocess.run([PY, "manage.py", *args], cwd=ROOT, env=django_env(db, **extra), check=True,
                   stdout=subprocess.DEVNULL if quiet else None)


def free_port(offset: int) -> int:
    return PORT_BASE + offset


def _wait_for_port(port: int, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server on port {port} exited with {process.returncode}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5):
            return
        time.sleep(0.2)
    raise RuntimeError(f"server on port {port} did not start within {timeout}s")


@contextlib.contextmanager
def gunicorn(db: str, port: int, workers: int = 4, threads: int = 1, **extra: str):
    """A gunicorn server with production settings on ``db``; yields its base URL."""
    process = subprocess.Popen(
        [str(BIN / "gunicorn"), "config.wsgi", "--bind", f"127.0.0.1:{port}",
         "--workers", str(workers), "--threads", str(threads), "--log-level", "warning",
         "--timeout", "120"],
        cwd=ROOT, env=django_env(db, **extra))
    try:
        _wait_for_port(port, process)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@dataclass
class Result:
    """One scenario's outcome: the figures it measured and whether its target was met."""

    number: int
    title: str
    target: str
    figures: dict[str, str] = field(default_factory=dict)
    met: bool | None = None
    note: str = ""


def emit(result: Result) -> None:
    """Hand a result to ``bench/run.py`` (one marked JSON line on stdout)."""
    print(RESULT_MARK + json.dumps(asdict(result)), flush=True)


def size_argument() -> str:
    import argparse

    parser = argparse.ArgumentParser()
    parser.add_argument("--size", choices=SIZES, default="reference")
    return parser.parse_args().size
