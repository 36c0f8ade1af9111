"""Ledger figures computed in SQL from the records, never kept as running totals.

committed(round) = approved amounts of its committing grants (``Grant.COMMITTING_STATUSES``),
plus what was paid on its terminated grants — DOMAIN.md, "Money". paid(grant) is the sum
of its paid payments.

Payments belong to finance, a higher layer: finance tells the ledger where its paid
payments are (``paid_payments_register``, from ``AppConfig.ready``), and the ledger reads
them through what was registered.
"""

from collections.abc import Callable
from decimal import Decimal

from django.core.exceptions import ImproperlyConfigured
from django.db.models import DecimalField, F, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from subsidy.scheme.models import FundingRound, Grant

ZERO = Decimal("0.00")
_MONEY = DecimalField(max_digits=14, decimal_places=2)


def committed_filter(prefix: str = "") -> Q:
    """The grants that commit their whole approved amount, for use in aggregates."""
    return Q(**{f"{prefix}status__in": Grant.COMMITTING_STATUSES})


_paid_payments_source: Callable[[], QuerySet] | None = None


def paid_payments_register(source: Callable[[], QuerySet]) -> None:
    """``source()`` returns the paid payments: rows with a ``grant`` and an ``amount``."""
    global _paid_payments_source
    _paid_payments_source = source


def paid_payments() -> QuerySet:
    if _paid_payments_source is None:
        raise ImproperlyConfigured("No source of paid payments is registered with the ledger "
                                   "(subsidy.finance registers it when the app is ready).")
    return _paid_payments_source()


def grant_paid(*, grant_id: int) -> Decimal:
    return paid_payments().filter(grant_id=grant_id).aggregate(
        total=Coalesce(Sum("amount"), ZERO))["total"]


def _paid_on_terminated(round_ref) -> Subquery:
    """What was paid on a round's terminated grants, as a scalar subquery (a second join
    in the same aggregate would multiply the approved amounts)."""
    paid = (paid_payments()
            .filter(grant__round_id=round_ref, grant__status=Grant.Status.TERMINATED)
            .order_by().values("grant__round_id").annotate(total=Sum("amount"))
            .values("total"))
    return Coalesce(Subquery(paid, output_field=_MONEY), ZERO)


def round_committed(*, round_id: int) -> Decimal:
    return rounds_with_commitments(FundingRound.objects.filter(pk=round_id)).get().committed


def round_remaining(*, round_: FundingRound) -> Decimal:
    return round_.envelope - round_committed(round_id=round_.pk)


def round_paid(*, round_id: int) -> Decimal:
    return paid_payments().filter(grant__round_id=round_id).aggregate(
        total=Coalesce(Sum("amount"), ZERO))["total"]


def rounds_with_commitments(queryset=None):
    """Rounds annotated with ``committed`` and ``remaining`` in one query."""
    queryset = queryset if queryset is not None else FundingRound.objects.all()
    approved = Coalesce(Sum("grants__approved_amount", filter=committed_filter("grants__")),
                        ZERO)
    return (queryset.annotate(committed_whole=approved,
                              paid_on_terminated=_paid_on_terminated(OuterRef("pk")))
            .annotate(committed=F("committed_whole") + F("paid_on_terminated"))
            .annotate(remaining=F("envelope") - F("committed")))
