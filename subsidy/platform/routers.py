"""Where reads go: reports and exports to the reporting database (a read replica when
``REPLICA_DATABASE_URL`` names one), everything else to the primary.

A replica lags its primary by a moment, so only reads that tolerate that are sent there, and
only inside ``reporting_reads()``: a page that has just written reads its own write from the
primary. Writes and migrations always go to the primary."""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS

_reporting = ContextVar("reporting_reads", default=False)


@contextmanager
def reporting_reads() -> Iterator[None]:
    """Within this block, reads through the ORM go to ``settings.REPORTING_DATABASE``."""
    token = _reporting.set(True)
    try:
        yield
    finally:
        _reporting.reset(token)


class ReportingRouter:
    def db_for_read(self, model, **hints):
        return settings.REPORTING_DATABASE if _reporting.get() else None

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True  # every alias holds the same data

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS
