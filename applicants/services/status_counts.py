"""The count of applications per round and state (``ApplicationStatusCount``), kept by the
database's triggers: compared with a fresh count, and taken afresh after a bulk load that
switched the triggers off."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Count

from applicants.models import Application, ApplicationStatus, ApplicationStatusCount

COUNT_TABLE = ApplicationStatusCount._meta.db_table
# The database's triggers that keep the counts; a bulk load may switch them off for its
# rows and then count its rounds once (``status_counts_recount``).
COUNT_TRIGGERS = ("application_status_count_insert", "application_status_count_update",
                  "application_status_count_delete")


@dataclass(frozen=True)
class CountDrift:
    round_id: int
    status: str
    kept: int
    actual: int

    def __str__(self):
        return f"round {self.round_id}, {self.status}: kept {self.kept}, counted {self.actual}"


def status_counts_drift() -> list[CountDrift]:
    """Every (round, state) whose kept count differs from a fresh ``GROUP BY``, read in one
    snapshot (repeatable read on PostgreSQL) so that transitions committing meanwhile do
    not show as drift."""
    own_snapshot = connection.vendor == "postgresql" and not connection.in_atomic_block
    with transaction.atomic():
        if own_snapshot:
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        kept = {(row.round_id, row.status): row.applications
                for row in ApplicationStatusCount.objects.all()}
        actual = {(row["round_id"], row["status"]): row["n"] for row in
                  Application.objects.exclude(status=ApplicationStatus.DRAFT).order_by()
                  .values("round_id", "status").annotate(n=Count("pk"))}
    return [CountDrift(round_id, status, kept.get((round_id, status), 0),
                       actual.get((round_id, status), 0))
            for round_id, status in sorted(kept.keys() | actual.keys())
            if kept.get((round_id, status), 0) != actual.get((round_id, status), 0)]


def status_counts_recount(*, round_ids: Iterable[int] | None = None) -> None:
    """Count the applications of ``round_ids`` (every round when None) afresh, in one
    statement per step. On PostgreSQL the applications table is locked against changes
    meanwhile, so that no transition falls between the count and its storing."""
    rounds = None if round_ids is None else list(round_ids)
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"LOCK TABLE {Application._meta.db_table} "
                               "IN SHARE ROW EXCLUSIVE MODE")
        stale = ApplicationStatusCount.objects.all()
        applications = Application.objects.exclude(status=ApplicationStatus.DRAFT)
        if rounds is not None:
            stale = stale.filter(round_id__in=rounds)
            applications = applications.filter(round_id__in=rounds)
        stale.delete()
        ApplicationStatusCount.objects.bulk_create(
            ApplicationStatusCount(round_id=row["round_id"], status=row["status"],
                                   applications=row["n"])
            for row in applications.order_by().values("round_id", "status")
            .annotate(n=Count("pk")))
