"""Writing generated rows in bulk with explicit ids."""

from __future__ import annotations

import contextlib
import json

from django.core.management.color import no_style
from django.db import connection, models
from django.db.models import Max

from applicants.models import Application, Membership, Organisation, PartnerLink
from applicants.services.status_counts import COUNT_TRIGGERS, status_counts_recount
from reviews.models import Assignment, CriterionScore, Review, ReviewerPoolMember
from subsidy.devdata.volume.spec import VolumeError
from subsidy.finance.models import BankAccount, Claim, Disbursement, PaymentBatch, Tranche
from subsidy.platform.models import User, UserRole
from subsidy.scheme.models import Grant

CHUNK = 20_000  # rows handed to COPY at a time as text


class Ids:
    """Explicit primary keys after the rows already in each table."""

    def __init__(self):
        self._next: dict[type[models.Model], int] = {}

    def take(self, model, n: int) -> int:
        if model not in self._next:
            self._next[model] = (model.objects.aggregate(m=Max("pk"))["m"] or 0) + 1
        first = self._next[model]
        self._next[model] += n
        return first


def _text_row(row) -> str:
    return "\t".join([r"\N" if value is None else str(value) for value in row])


def write_rows(model, columns: list[str], rows: list[tuple], *, plain: bool = False) -> int:
    """Insert ``rows`` (tuples in the order of ``columns``, attribute names).

    ``plain`` rows hold only numbers, booleans, dates, times, UUIDs, None and strings
    without tabs, newlines or backslashes (JSON and array columns aside): on PostgreSQL
    they are written as COPY's text lines directly, several times quicker than adapting
    each value."""
    if not rows:
        return 0
    if connection.vendor == "postgresql":
        fields = {f.attname: f for f in model._meta.concrete_fields}
        json_at = [i for i, name in enumerate(columns)
                   if isinstance(fields[name], models.JSONField)]
        names = ", ".join(connection.ops.quote_name(fields[c].column) for c in columns)
        sql = f"COPY {connection.ops.quote_name(model._meta.db_table)} ({names}) FROM STDIN"
        with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
            structured = json_at or any(fields[c].get_internal_type() == "ArrayField"
                                        for c in columns)
            if plain and not structured:
                for start in range(0, len(rows), CHUNK):
                    copy.write("\n".join(map(_text_row, rows[start:start + CHUNK])) + "\n")
                return len(rows)
            for row in rows:
                if json_at:
                    row = list(row)
                    for i in json_at:
                        row[i] = json.dumps(row[i])
                copy.write_row(row)
    else:
        model.objects.bulk_create([model(**dict(zip(columns, row, strict=True)))
                                   for row in rows], batch_size=500)
    return len(rows)


# Tables filled in bulk whose foreign keys, unique constraints and secondary indexes are
# dropped for the load and added back before the commit: adding a foreign key checks every
# row in one join, where a deferred check per row costs a lookup each, and an index is
# built once instead of kept up to date row by row. (PostgreSQL alters no table with
# trigger events pending, so the deferred triggers of tranches and payments are off too.)
BULK_TABLES = (User, UserRole, Organisation, Membership, PartnerLink, Application,
               Assignment, Review, CriterionScore, Grant, Tranche, Claim, Disbursement)
# Row triggers switched off for the load; ``bulk_checks`` asks each round once instead,
# and counts each round's applications per state once.
GRANT_ENVELOPE_TRIGGER = "grant_committed_within_envelope"
# The money rules of tranches and payments (migration subsidy 0006), deferred to the
# commit and run once per row there; ``bulk_checks`` asks the same questions in one
# grouped query each over the rounds' grants (``MONEY_CHECKS``).
MONEY_TRIGGERS = ((Tranche, "subsidy_tranche_sum"),
                  (Disbursement, "subsidy_paid_within_approved"))
MONEY_CHECKS = (
    ("tranches not summing to their grant's approved amount", """
        SELECT t.grant_id FROM subsidy_tranche t JOIN subsidy_grant g ON g.id = t.grant_id
        WHERE g.round_id = ANY(%s) AND g.approved_amount IS NOT NULL
        GROUP BY t.grant_id, g.approved_amount HAVING sum(t.amount) <> g.approved_amount
        LIMIT 5"""),
    ("grants paid more than their approved amount", """
        SELECT d.grant_id FROM subsidy_disbursement d JOIN subsidy_grant g ON g.id = d.grant_id
        WHERE g.round_id = ANY(%s) AND d.status = 'paid'
        GROUP BY d.grant_id, g.approved_amount HAVING sum(d.amount) > g.approved_amount
        LIMIT 5"""),
    ("payments over their tranche's amount", """
        SELECT d.id FROM subsidy_disbursement d
        JOIN subsidy_grant g ON g.id = d.grant_id JOIN subsidy_tranche t ON t.id = d.tranche_id
        WHERE g.round_id = ANY(%s) AND d.amount > t.amount LIMIT 5"""),
)


@contextlib.contextmanager
def bulk_checks(rounds, *, enabled: bool = True):
    """On PostgreSQL (when ``enabled``), checks each constraint of ``BULK_TABLES`` once
    over all the rows written inside (see above), and each round of ``rounds()`` against
    its envelope once, with the rule's own function ``aiss_round_committed``, instead of
    once per grant, and counts its applications per state once (``status_counts_recount``)
    instead of adding one to a counter per row. Elsewhere, and inside a transaction that may
    have written rows already (whose pending checks keep PostgreSQL from altering their
    tables): a check per row."""
    if connection.vendor != "postgresql" or not enabled:
        yield
        return
    tables = [model._meta.db_table for model in BULK_TABLES]
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL synchronous_commit = off")
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        # Unique constraints that a foreign key relies on stay.
        cursor.execute("""
            SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid)
            FROM pg_constraint c
            WHERE c.conrelid = ANY(%s::regclass[]) AND (c.contype = 'f' OR (
                c.contype = 'u' AND NOT EXISTS (
                    SELECT 1 FROM pg_constraint f
                    WHERE f.contype = 'f' AND f.conindid = c.conindid)))
            ORDER BY c.contype DESC, c.conname""", [tables])
        constraints = cursor.fetchall()
        cursor.execute("""
            SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
            FROM pg_index i
            WHERE i.indrelid = ANY(%s::regclass[]) AND NOT i.indisprimary
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c
                              WHERE c.conindid = i.indexrelid AND c.conrelid = i.indrelid
                                AND c.contype IN ('p', 'u', 'x'))
            ORDER BY 1""", [tables])
        indexes = cursor.fetchall()
        for table, name, _definition in constraints:
            cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        for name, _definition in indexes:
            cursor.execute(f"DROP INDEX {name}")
        cursor.execute(f"ALTER TABLE {Grant._meta.db_table} DISABLE TRIGGER "
                       f"{GRANT_ENVELOPE_TRIGGER}")
        for trigger in COUNT_TRIGGERS:
            cursor.execute(f"ALTER TABLE {Application._meta.db_table} DISABLE TRIGGER {trigger}")
        for model, trigger in MONEY_TRIGGERS:
            cursor.execute(f"ALTER TABLE {model._meta.db_table} DISABLE TRIGGER {trigger}")
    yield
    round_ids = [r.pk for r in rounds()]
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE {Grant._meta.db_table} ENABLE TRIGGER "
                       f"{GRANT_ENVELOPE_TRIGGER}")
        for trigger in COUNT_TRIGGERS:
            cursor.execute(f"ALTER TABLE {Application._meta.db_table} ENABLE TRIGGER {trigger}")
        for model, trigger in MONEY_TRIGGERS:
            cursor.execute(f"ALTER TABLE {model._meta.db_table} ENABLE TRIGGER {trigger}")
    status_counts_recount(round_ids=round_ids)
    with connection.cursor() as cursor:
        # The indexes first: the envelope's rule reads each grant's tranches and payments
        # through them. Then statistics of the rows just written, or the planner takes
        # the tables for empty.
        for _name, definition in indexes:
            cursor.execute(definition)
        cursor.execute("ANALYZE subsidy_grant, subsidy_tranche, subsidy_disbursement")
        cursor.execute("SELECT code, envelope, aiss_round_committed(id) FROM "
                       "subsidy_fundinground WHERE id = ANY(%s) "
                       "AND aiss_round_committed(id) > envelope", [round_ids])
        exceeded = cursor.fetchall()
        if exceeded:
            raise VolumeError(f"rounds over their envelope: {exceeded}")
        # Each money check reads whole tables: hash joins, never nested loops (a nested
        # loop of 480,000 tranches by 100,000 grants did not finish).
        cursor.execute("SET LOCAL enable_nestloop = off")
        for problem, sql in MONEY_CHECKS:
            cursor.execute(sql, [round_ids])
            found = [row[0] for row in cursor.fetchall()]
            if found:
                raise VolumeError(f"{problem}: {found}")
        cursor.execute("SET LOCAL enable_nestloop = on")
        for table, name, definition in constraints:  # unique constraints first
            cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')


def reset_sequences() -> None:
    """Move PostgreSQL's id sequences past the explicit ids written."""
    if connection.vendor != "postgresql":
        return
    touched = [User, UserRole, Organisation, Membership, PartnerLink, ReviewerPoolMember,
               Application, Assignment, Review, CriterionScore, Grant,
               Tranche, Claim, PaymentBatch, Disbursement, BankAccount]
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), touched):
            cursor.execute(sql)
