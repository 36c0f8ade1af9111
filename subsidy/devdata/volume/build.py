"""The build: every stage in one transaction, in the order the rows depend on each other."""

from __future__ import annotations

import random
import time

from django.db import connection, transaction
from django.utils import timezone

from applicants.models import Application, Organisation
from applicants.workflow import bulk_load
from reviews.models import Review
from subsidy.devdata.volume.applications import RoundsAndApplications
from subsidy.devdata.volume.money import Money
from subsidy.devdata.volume.people import People
from subsidy.devdata.volume.reviews import Reviews
from subsidy.devdata.volume.rows import Ids, bulk_checks, reset_sequences, write_rows
from subsidy.devdata.volume.spec import VolumeReport, VolumeSpec, application_states
from subsidy.finance.models import Disbursement
from subsidy.scheme.models import Grant, Scheme


def generate_volume(spec: VolumeSpec, *, progress=print) -> VolumeReport:
    """Write the data set of ``spec`` in one transaction; ``progress`` gets a line per
    stage with the elapsed time."""
    spec = spec.resolved()
    started = time.monotonic()
    report = VolumeReport()

    def step(message: str) -> None:
        progress(f"[{time.monotonic() - started:6.1f}s] {message}")

    states = application_states(spec)
    # A transaction of its own (not inside a caller's) can alter the tables it fills.
    own_transaction = not connection.in_atomic_block
    with transaction.atomic(), bulk_load():
        build = _Build(spec, states, report, step)
        with bulk_checks(lambda: build.rounds_made, enabled=own_transaction):
            build.run()
            step("adding back the indexes and constraints (each checked once over all rows)")
        reset_sequences()
        step("committing (deferred constraint triggers run now)")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for model in (Application, Organisation, Grant, Disbursement, Review):
                cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
    report.seconds = time.monotonic() - started
    step("done")
    return report


# Each stage is a method of one object, since later stages read the ids and facts that
# earlier ones recorded on it (``owner_first``, ``app_first``, ``grant_of``...).
class _Build(People, RoundsAndApplications, Reviews, Money):
    def __init__(self, spec: VolumeSpec, states: list[str], report: VolumeReport, step):
        self.spec, self.states, self.report, self.step = spec, states, report, step
        self.rng = random.Random(spec.seed)
        self.ids = Ids()
        self.now = timezone.now().replace(microsecond=0)
        self.tag = self._tag()
        # Ids that must differ between runs in one database, yet repeat with the seed.
        self.id_rng = random.Random(f"{spec.seed}:{self.tag}")

    def _tag(self) -> str:
        """A short code that keeps this run's codes, emails and numbers apart from any
        earlier run's in the same database."""
        n = Scheme.objects.filter(code__startswith="volume-").count() + 1
        return f"V{n:02d}"

    def write(self, model, columns, rows) -> None:
        """Every stage writes plain values (``write_rows``)."""
        self.report.counts[model._meta.label] += write_rows(model, columns, rows, plain=True)

    def run(self) -> None:
        self.users()
        self.organisations()
        self.rounds()
        self.applications()
        self.reviews()
        self.grants()
        self.payments()


def describe(report: VolumeReport) -> list[str]:
    return [f"{label}: {n:,}" for label, n in sorted(report.counts.items())]
