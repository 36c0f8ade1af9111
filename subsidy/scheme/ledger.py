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
from django.db.models import DecimalField, F, Q, QuerySet, Sum, Value
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


def grant_paid(*, grant_id: int) -> Decimal:
    return paid_payments().filter(grant_id=grant_id).aggregate(
        total=Coalesce(Sum("amount"), ZERO))["total"]


def grant_recovered(*, grant_id: int) -> Decimal:
    return recovery_receipts().filter(grant_id=grant_id).aggregate(
        total=Coalesce(Sum("amount"), ZERO))["total"]


def grant_net_paid(*, grant_id: int) -> Decimal:
    return grant_paid(grant_id=grant_id) - grant_recovered(grant_id=grant_id)


def round_sums(round_ids=None) -> dict[int, dict[str, Decimal]]:
    """Per round (all, or those of ``round_ids``): ``approved`` (the approved amounts of
    its committing grants), ``paid`` and ``recovered``, the part of each paid or
    recovered on its closed grants (``paid_on_closed``, ``recovered_on_closed``), and
    ``compute`` (its compute allocations less what they released). One
    statement: a grouped query per source, joined by ``UNION ALL``, so every figure is read
    once whatever the number of rounds (as subqueries per round, each paid figure scanned
    the paid payments again, two or three times per round)."""
    closed = Q(grant__status__in=Grant.CLOSED_STATUSES)

    def by_round(rows, prefix, kind, amount, on_closed):
        if round_ids is not None:
            rows = rows.filter(**{f"{prefix}round_id__in": list(round_ids)})
        return (rows.order_by().values(round_ref=F(f"{prefix}round_id"))
                .annotate(kind=Value(kind), total=Sum(amount), on_closed=on_closed))

    statement = by_round(Grant.objects.filter(committed_filter()), "", "approved",
                         "approved_amount", Value(ZERO, output_field=_MONEY)).union(
        by_round(paid_payments(), "grant__", "paid", "amount",
                 Sum("amount", filter=closed)),
        by_round(recovery_receipts(), "grant__", "recovered", "amount",
                 Sum("amount", filter=closed)),
        by_round(compute_commitments(), "grant__", "compute", "committed_amount",
                 Value(ZERO, output_field=_MONEY)), all=True)
    sums: dict[int, dict[str, Decimal]] = {}
    for row in statement:
        found = sums.setdefault(row["round_ref"], _no_sums())
        found[row["kind"]] = row["total"] or ZERO
        if row["kind"] in ("paid", "recovered"):
            found[f"{row['kind']}_on_closed"] = row["on_closed"] or ZERO
    return sums


def _no_sums() -> dict[str, Decimal]:
    return dict.fromkeys(("approved", "paid", "recovered", "paid_on_closed",
                          "recovered_on_closed", "compute"), ZERO)


def committed_of(sums: dict[str, Decimal]) -> Decimal:
    """The ledger's rule: open grants commit their whole approved amount, closed ones
    their net paid, and compute allocations what they have not released."""
    return (sums["approved"] + sums["paid_on_closed"] - sums["recovered_on_closed"]
            + sums["compute"])


def round_committed(*, round_id: int) -> Decimal:
    return committed_of(round_sums([round_id]).get(round_id) or _no_sums())


def round_remaining(*, round_: FundingRound) -> Decimal:
    return round_.envelope - round_committed(round_id=round_.pk)


def round_paid(*, round_id: int) -> Decimal:
    return paid_payments().filter(grant__round_id=round_id).aggregate(
        total=Coalesce(Sum("amount"), ZERO))["total"]


def round_recovered(*, round_id: int) -> Decimal:
    return recovery_receipts().filter(grant__round_id=round_id).aggregate(
        total=Coalesce(Sum("amount"), ZERO))["total"]


def rounds_with_commitments(queryset=None) -> list[FundingRound]:
    """The rounds (all, or those of ``queryset``, in its order), each with ``committed``,
    ``remaining``, ``paid``, ``recovered`` and ``net_paid``: two queries, the rounds and
    ``round_sums`` for them, whatever the number of rounds and grants."""
    rounds = list(queryset if queryset is not None else FundingRound.objects.all())
    sums = round_sums([round_.pk for round_ in rounds] if queryset is not None else None)
    for round_ in rounds:
        found = sums.get(round_.pk) or _no_sums()
        round_.committed = committed_of(found)
        round_.remaining = round_.envelope - round_.committed
        round_.paid, round_.recovered = found["paid"], found["recovered"]
        round_.net_paid = round_.paid - round_.recovered
        round_.compute_committed = found["compute"]
    return rounds
