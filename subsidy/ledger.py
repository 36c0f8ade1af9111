"""Ledger figures computed in SQL from the records, never kept as running totals.

committed(round) = approved amounts of its offered, accepted, active and completed grants
(plus, once payments exist, what was paid on its terminated grants) — DOMAIN.md, "Money".
"""

from decimal import Decimal

from django.db.models import F, Q, Sum
from django.db.models.functions import Coalesce

from subsidy.models import FundingRound, Grant

ZERO = Decimal("0.00")


def committed_filter(prefix: str = "") -> Q:
    """The grants that commit their whole approved amount, for use in aggregates."""
    return Q(**{f"{prefix}status__in": Grant.COMMITTING_STATUSES})


def round_committed(*, round_id: int) -> Decimal:
    return Grant.objects.filter(committed_filter(), round_id=round_id).aggregate(
        total=Coalesce(Sum("approved_amount"), ZERO))["total"]


def round_remaining(*, round_: FundingRound) -> Decimal:
    return round_.envelope - round_committed(round_id=round_.pk)


def rounds_with_commitments(queryset=None):
    """Rounds annotated with ``committed`` and ``remaining`` in one query."""
    queryset = queryset if queryset is not None else FundingRound.objects.all()
    committed = Coalesce(Sum("grants__approved_amount", filter=committed_filter("grants__")),
                         ZERO)
    return queryset.annotate(committed=committed).annotate(
        remaining=F("envelope") - F("committed"))
