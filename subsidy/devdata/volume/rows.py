"""Writing generated rows in bulk with explicit ids."""

from __future__ import annotations

import json

from django.core.management.color import no_style
from django.db import connection, models
from django.db.models import Max

from applicants.models import Application, Membership, Organisation, PartnerLink
from reviews.models import Assignment, CriterionScore, Review, ReviewerPoolMember
from subsidy.finance.models import BankAccount, Claim, Disbursement, PaymentBatch, Tranche
from subsidy.platform.models import User, UserRole
from subsidy.scheme.models import Grant


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


def write_rows(model, columns: list[str], rows: list[tuple]) -> int:
    """Insert ``rows`` (tuples in the order of ``columns``, attribute names)."""
    if not rows:
        return 0
    if connection.vendor == "postgresql":
        fields = {f.attname: f for f in model._meta.concrete_fields}
        json_at = [i for i, name in enumerate(columns)
                   if isinstance(fields[name], models.JSONField)]
        names = ", ".join(connection.ops.quote_name(fields[c].column) for c in columns)
        sql = f"COPY {connection.ops.quote_name(model._meta.db_table)} ({names}) FROM STDIN"
        with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
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
