"""The product's Celery application with two bench-only tasks, for scenario 6's worker
(``celery -A bench.celery_app worker``): a no-op, the baseline a real task is compared with,
and a time stamp that marks where a measured run starts and ends in the queue."""

import time

import redis
from django.conf import settings

from config.celery import app

__all__ = ["app"]


@app.task(name="bench.noop")
def noop(number: int) -> None:
    """Nothing: what the worker and the broker cost by themselves."""


@app.task(name="bench.mark")
def mark(key: str) -> None:
    """Record in Redis when the worker reached this point of the queue."""
    redis.Redis.from_url(settings.CELERY_BROKER_URL).set(key, repr(time.time()))
