"""Ledger figures computed in SQL from the records, never kept as running totals.

committed(round) = approved amounts of its open grants (``Grant.COMMITTING_STATUSES``:
offered, accepted, active), plus the net paid of its closed grants (completed or
terminated: the unclaimed rest was released when they closed) — DOMAIN.md, "Money" —
plus the compute allocations at the AI Supercomputing Centre less what they released
(docs/compute.md).
paid(grant) is the sum of its paid payments; recovered(grant) the sum of the receipts of
its recovery orders; net paid = paid − recovered.

Compute allocations belong to subsidy.compute, a higher layer too: it registers them
(``compute_commitments_register``) as finance registers its payments.
Payments and recoveries belong to finance, a higher layer: finance tells the ledger where
its paid payments and received recoveries are (``paid_payments_register``,
``recovery_receipts_register``, from ``AppConfig.ready``), and the ledger reads them
through what was registered.
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


_recovery_receipts_source: Callable[[], QuerySet] | None = None


def recovery_receipts_register(source: Callable[[], QuerySet]) -> None:
    """``source()`` returns the recovery receipts: rows with a ``grant`` and an ``amount``."""
    global _recovery_receipts_source
    _recovery_receipts_source = source


def recovery_receipts() -> QuerySet:
    if _recovery_receipts_source is None:
        raise ImproperlyConfigured("No source of recovery receipts is registered with the "
                                   "ledger (subsidy.finance registers it when the app is "
                                   "ready).")
    return _recovery_receipts_source()


def paid_payments() -> QuerySet:
    if _paid_payments_source is None:
        raise ImproperlyConfigured("No source of paid payments is registered with the ledger "
                                   "(subsidy.finance registers it when the app is ready).")
    return _paid_payments_source()


_compute_commitments_source: Callable[[], QuerySet] | None = None


def compute_commitments_register(source: Callable[[], QuerySet]) -> None:
    """``source()`` returns the compute allocations: rows with a ``grant`` and a
    ``committed_amount`` (the allocation less what it released)."""
    global _compute_commitments_source
    _compute_commitments_source = source


def compute_commitments() -> QuerySet:
    if _compute_commitments_source is None:
        raise ImproperlyConfigured("No source of compute allocations is registered with the "
                                   "ledger (subsidy.compute registers it when the app is "
                                   "ready).")
    return _compute_commitments_source()


def _compute_committed(round_ref) -> Subquery:
    total = (compute_commitments().filter(grant__round_id=round_ref).order_by()
             .values("grant__round_id").annotate(total=Sum("committed_amount"))
             .values("total"))
    return Coalesce(Subquery(total, output_field=_MONEY), ZERO)


def grant_paid(*, grant_id: int) -> Decimal:
    return paid_payments().filter(grant_id=grant_id).aggregate(
        total=Coalesce(Sum("amount"), ZERO))["total"]


def grant_recovered(*, grant_id: int) -> Decimal:
    return recovery_receipts().filter(grant_id=grant_id).aggregate(
        total=Coalesce(Sum("amount"), ZERO))["total"]


def grant_net_paid(*, grant_id: int) -> Decimal:
    return grant_paid(grant_id=grant_id) - grant_recovered(grant_id=grant_id)


def _sum_on_closed(rows, round_ref) -> Subquery:
    total = (rows.filter(grant__round_id=round_ref, grant__status__in=Grant.CLOSED_STATUSES)
             .order_by().values("grant__round_id").annotate(total=Sum("amount"))
             .values("total"))
    return Coalesce(Subquery(total, output_field=_MONEY), ZERO)


def _net_paid_on_closed(round_ref):
    """The net paid of a round's closed grants, as scalar subqueries (a second join in the
    same aggregate would multiply the approved amounts)."""
    return (_sum_on_closed(paid_payments(), round_ref)
            - _sum_on_closed(recovery_receipts(), round_ref))


def round_committed(*, round_id: int) -> Decimal:
    return rounds_with_commitments(FundingRound.objects.filter(pk=round_id)).get().committed


def round_remaining(*, round_: FundingRound) -> Decimal:
    return round_.envelope - round_committed(round_id=round_.pk)


def round_paid(*, round_id: int) -> Decimal:
    return paid_payments().filter(grant__round_id=round_id).aggregate(
        total=Coalesce(Sum("amount"), ZERO))["total"]


def round_recovered(*, round_id: int) -> Decimal:
    return recovery_receipts().filter(grant__round_id=round_id).aggregate(
        total=Coalesce(Sum("amount"), ZERO))["total"]


def _approved_committing(round_ref) -> Coalesce:
    total = (Grant.objects.filter(committed_filter(), round_id=round_ref).order_by()
             .values("round_id").annotate(total=Sum("approved_amount")).values("total"))
    return Coalesce(Subquery(total, output_field=_MONEY), ZERO)


def rounds_with_commitments(queryset=None):
    """Rounds annotated with ``committed`` and ``remaining`` in one query. Every figure is
    a scalar subquery per round: summed over a join with the grants, the query would be
    grouped by the other subqueries, and PostgreSQL would run them once per grant (minutes
    for a scheme of 10,000 grants)."""
    queryset = queryset if queryset is not None else FundingRound.objects.all()
    return (queryset.annotate(committed_whole=_approved_committing(OuterRef("pk")),
                              net_paid_on_closed=_net_paid_on_closed(OuterRef("pk")),
                              compute_committed=_compute_committed(OuterRef("pk")))
            .annotate(committed=F("committed_whole") + F("net_paid_on_closed")
                      + F("compute_committed"))
            .annotate(remaining=F("envelope") - F("committed")))
