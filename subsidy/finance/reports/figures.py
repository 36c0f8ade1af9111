"""The finance dashboard's figures: budget position by round, category, sector and month,
the burn-down of the scheme budget, the forecast of tranches due, and claims ageing."""

from datetime import date, timedelta

from django.db.models import (
    CharField,
    Count,
    DecimalField,
    F,
    IntegerField,
    Min,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, TruncMonth
from django.db.models.lookups import Exact
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from subsidy.compute.models import ComputeAllocation
from subsidy.compute.selectors import compute_drawn_by_round
from subsidy.finance.models import Claim, Disbursement, Tranche
from subsidy.finance.periods.records import PeriodAdjustment
from subsidy.platform.figure_cache import FINANCE, cached_figure
from subsidy.scheme.ledger import (
    ZERO,
    paid_payments,
    recovery_receipts,
    rounds_with_commitments,
)
from subsidy.scheme.models import FundingRound, Grant, Scheme

_MONEY = DecimalField(max_digits=14, decimal_places=2)


def months(first: date, last: date) -> list[date]:
    """The first day of every month from ``first``'s month to ``last``'s, none skipped."""
    month, end, result = first.replace(day=1), last.replace(day=1), []
    while month <= end:
        result.append(month)
        month = (month + timedelta(days=32)).replace(day=1)
    return result


def _month_of(value) -> date:
    return value.date() if hasattr(value, "date") else value


def continuous(rows: dict, blank) -> list:
    """The values of ``rows`` (keyed by month) for every month from the first to the last,
    with ``blank(month)`` for a month without any: a chart never skips an empty month."""
    if not rows:
        return []
    return [rows.get(month) or blank(month) for month in months(min(rows), max(rows))]


def _in_scheme(scheme, prefix: str) -> Q:
    return Q(**{f"{prefix}round__scheme": scheme}) if scheme is not None else Q()


def dashboard_figures(scheme) -> dict:
    """The finance dashboard's figures of one scheme, but claims ageing (which moves with
    the clock): its position (``scheme_totals``), committed, paid and recovered by category
    and by sector, the months' figures, the forecast of tranches due and the burn-down.
    Cached until a table they read changes (``subsidy.platform.figure_cache``): a payment,
    grant, tranche or receipt written, by any statement, is in the next answer."""
    return cached_figure(f"finance-dashboard:{scheme.pk}", (FINANCE,),
                         lambda: _dashboard_figures(scheme))


def _dashboard_figures(scheme) -> dict:
    position = scheme_totals(scheme)[0]
    # Read once, shown twice: in the month table and in the burn-down.
    paid = paid_as_reported(scheme)
    return {
        "position": position,
        "by_category": by_dimension("category", scheme=scheme),
        "by_sector": by_dimension("sector", scheme=scheme),
        "by_month": by_month(scheme=scheme, paid=paid),
        "forecast": forecast_by_month(scheme=scheme),
        "burn": burn_down(scheme=scheme, paid=paid, envelopes=position["envelopes"]),
    }


def scheme_totals(only=None):
    """Each scheme (or ``only`` that one) with its budget, the envelopes of its rounds, what
    is committed, paid, the compute subsidy drawn at the AI Supercomputing Centre and what
    remains of the envelopes: four queries, whatever the
    number of schemes."""
    rounds_of: dict[int, list] = {}
    all_rounds = rounds_with_paid(FundingRound.objects.filter(scheme=only)
                                  if only is not None else None)
    # Compute subsidy is drawn at the Centre, never paid to the company: shown beside.
    drawn = compute_drawn_by_round([round_.pk for round_ in all_rounds])
    for round_ in all_rounds:
        round_.compute_drawn = drawn.get(round_.pk, ZERO)
        rounds_of.setdefault(round_.scheme_id, []).append(round_)
    schemes = []
    for scheme in (Scheme.objects.filter(pk=only.pk) if only is not None
                   else Scheme.objects.order_by("code")):
        rounds = rounds_of.get(scheme.pk, [])
        envelopes = sum((r.envelope for r in rounds), ZERO)
        committed = sum((r.committed for r in rounds), ZERO)
        paid = sum((r.paid for r in rounds), ZERO)
        recovered = sum((r.recovered for r in rounds), ZERO)
        schemes.append({"scheme": scheme, "budget": scheme.budget, "envelopes": envelopes,
                        "committed": committed, "paid": paid, "recovered": recovered,
                        "compute_committed": sum((r.compute_committed for r in rounds), ZERO),
                        "compute_drawn": sum((r.compute_drawn for r in rounds), ZERO),
                        "net_paid": paid - recovered,
                        "remaining": envelopes - committed, "rounds": rounds})
    return schemes


def rounds_with_paid(queryset=None) -> list[FundingRound]:
    """Rounds with ``committed``, ``remaining``, ``paid``, ``recovered`` and ``net_paid``,
    by opening date: two queries (``rounds_with_commitments``)."""
    return rounds_with_commitments((queryset if queryset is not None
                                    else FundingRound.objects.all()).order_by("opens_at",
                                                                              "code"))


def by_dimension(field: str, *, scheme=None):
    """Committed, paid and recovered grouped by the application's category or the
    company's sector (``field`` is ``category`` or ``sector``), in ``scheme`` or in all,
    in the ledger's terms: four grouped queries."""
    path = {"category": "application__category",
            "sector": "application__organisation__sector"}[field]
    rows: dict[str, dict] = {}

    def entry(key):
        return rows.setdefault(key, {"key": key, "committed": ZERO, "paid": ZERO,
                                     "recovered": ZERO, "net_paid": ZERO})

    for row in (Grant.objects.filter(_in_scheme(scheme, ""),
                                     status__in=Grant.COMMITTING_STATUSES).order_by()
                .values(path).annotate(total=Sum("approved_amount"))):
        entry(row[path])["committed"] += row["total"]
    # Compute allocations commit what they have not released, as in the ledger.
    for row in (ComputeAllocation.objects.filter(_in_scheme(scheme, "grant__")).order_by()
                .values(f"grant__{path}")
                .annotate(total=Sum(F("amount") - F("released_amount")))):
        entry(row[f"grant__{path}"])["committed"] += row["total"]
    closed = Q(grant__status__in=Grant.CLOSED_STATUSES)
    for name, rows_of, sign in (("paid", paid_payments(), 1),
                                ("recovered", recovery_receipts(), -1)):
        for row in (rows_of.filter(_in_scheme(scheme, "grant__")).order_by()
                    .values(f"grant__{path}")
                    .annotate(total=Sum("amount"), on_closed=Sum("amount", filter=closed))):
            found = entry(row[f"grant__{path}"])
            found[name] = row["total"]
            found["net_paid"] += sign * row["total"]
            found["committed"] += sign * (row["on_closed"] or ZERO)
    return sorted(rows.values(), key=lambda found: found["key"] or "")


def by_month(*, scheme=None, paid=None):
    """Per month, every month from the first to the last: the commitments posted that
    month (grants approved then, whatever became of them since), the releases posted
    that month (offers declined or lapsed, the unpaid rest of grants completed or
    terminated, money recovered on closed grants), their net, what was paid and what was
    recovered. A month's figures are those of its own events, so a later
    lapse shows in the month it happened and never restates a month already reported.
    Five grouped queries, three when ``paid`` (``paid_as_reported``) is given."""
    grants = Grant.objects.filter(_in_scheme(scheme, "")).order_by()
    entries: dict = {}

    def entry(month):
        month = _month_of(month)
        return entries.setdefault(month, {"month": month, "committed": ZERO,
                                          "released": ZERO, "paid": ZERO,
                                          "recovered": ZERO, "count": 0})

    for row in (grants.annotate(month=TruncMonth("decided_at")).values("month")
                .annotate(total=Sum("approved_amount"))):
        entry(row["month"])["committed"] += row["total"]
    for row in (grants.filter(status__in=[Grant.Status.DECLINED, Grant.Status.LAPSED],
                              responded_at__isnull=False)
                .annotate(month=TruncMonth("responded_at")).values("month")
                .annotate(total=Sum("approved_amount"))):
        entry(row["month"])["released"] += row["total"]
    paid_on = (paid_payments().filter(grant_id=OuterRef("pk")).order_by()
               .values("grant_id").annotate(total=Sum("amount")).values("total"))
    # A grant that closes (completed or terminated) releases what was not paid on it.
    for row in (grants.filter(status__in=Grant.CLOSED_STATUSES, closed_at__isnull=False)
                .annotate(paid=Coalesce(Subquery(paid_on, output_field=_MONEY), ZERO))
                .annotate(month=TruncMonth("closed_at")).values("month")
                .annotate(total=Sum(F("approved_amount") - F("paid")))):
        entry(row["month"])["released"] += row["total"]
    for row in paid if paid is not None else paid_as_reported(scheme):
        found = entry(row["month"])
        found["paid"], found["count"] = row["total"], row["count"]
    # Money received back: on a closed grant it also leaves the commitment.
    for row in (recovery_receipts().filter(_in_scheme(scheme, "grant__"))
                .annotate(month=TruncMonth("received_on")).order_by().values("month")
                .annotate(total=Sum("amount"), on_closed=Sum("amount", filter=Q(
                    grant__status__in=Grant.CLOSED_STATUSES)))):
        found = entry(row["month"])
        found["recovered"] += row["total"]
        found["released"] += row["on_closed"] or ZERO
    for found in entries.values():
        found["net"] = found["committed"] - found["released"]
    return continuous(entries, lambda month: {
        "month": month, "committed": ZERO, "released": ZERO, "net": ZERO, "paid": ZERO,
        "recovered": ZERO, "count": 0})


def paid_as_reported(scheme=None):
    """What was paid each month, by value date, as each month reported it: a payment the
    bank returned after its month closed still counts there, and the return counts in the
    open month its adjustment was posted in (``subsidy.finance.periods``). Two queries."""
    as_reported = Disbursement.objects.filter(Q(status=Disbursement.Status.PAID)
                                              | Q(period_adjustment__isnull=False))
    rows = {_month_of(row["month"]): {**row, "month": _month_of(row["month"])}
            for row in (as_reported.filter(_in_scheme(scheme, "grant__"))
                        .annotate(month=TruncMonth("value_date")).order_by()
                        .values("month").annotate(total=Sum("amount"), count=Count("pk")))}
    for row in (PeriodAdjustment.objects.filter(_in_scheme(scheme, "payment__grant__"))
                .order_by().values(month=F("period__month")).annotate(total=Sum("amount"))):
        found = rows.setdefault(row["month"], {"month": row["month"], "total": ZERO,
                                               "count": 0})
        found["total"] += row["total"]
    return [rows[month] for month in sorted(rows)]


def paid_by_month(*, scheme=None, paid=None):
    """What was paid each month (by value date), every month from the first to the last."""
    rows = paid if paid is not None else paid_as_reported(scheme)
    return continuous({row["month"]: row for row in rows},
                      lambda month: {"month": month, "total": ZERO, "count": 0})


def forecast_by_month(*, scheme=None):
    """Scheduled tranches of active grants by the month they fall due, every month from
    the first to the last."""
    rows = (Tranche.objects.filter(_in_scheme(scheme, "grant__"),
                                   status=Tranche.Status.SCHEDULED,
                                   grant__status=Grant.Status.ACTIVE)
            .annotate(month=TruncMonth("due_date")).order_by()
            .values("month").annotate(total=Sum("amount"), count=Count("pk")))
    return continuous({_month_of(row["month"]): {**row, "month": _month_of(row["month"])}
                       for row in rows},
                      lambda month: {"month": month, "total": ZERO, "count": 0})


def burn_down(*, scheme, paid=None, envelopes=None):
    """What is left of one scheme's envelopes after each month's payments:
    (month, remaining), every month. Schemes are never added together. ``paid``
    (``paid_as_reported``) and ``envelopes`` (their sum) when the caller has them."""
    remaining = envelopes if envelopes is not None else sum(
        (r.envelope for r in FundingRound.objects.filter(scheme=scheme)), ZERO)
    points = []
    for row in paid_by_month(scheme=scheme, paid=paid):
        remaining -= row["total"]
        points.append((row["month"], remaining))
    return points


AGEING_LABELS = {
    "verification": _("Verification by the programme officer"),
    "applicant": _("The applicant's revision"),
    "preparation": _("Preparation of the payment"),
    "approval": _("Approval of the payment"),
    "batching": _("A payment batch"),
    "bank": _("The bank"),
}

# A verified claim's payments that are on their way (prepared, approved, batched or paid),
# counted per claim. Asked as "no such payment", PostgreSQL hashed every payment of the
# scheme (a scan of all of them, 40,000 at the volume) to find the few hundred claims
# waiting; counted per claim, it looks up each verified claim's payments by its index.
_LIVE_PAYMENTS = Coalesce(Subquery(
    Disbursement.objects.filter(claim=OuterRef("pk"),
                                status__in=["prepared", "approved", "batched", "paid"])
    .order_by().values("claim").annotate(n=Count("pk")).values("n"),
    output_field=IntegerField()), 0)

AGEING_STEPS = (
    # (step, model, filter, timestamp the item has waited since)
    ("verification", Claim, Q(status=Claim.Status.SUBMITTED), "submitted_at"),
    ("applicant", Claim, Q(status=Claim.Status.RETURNED), "returned_at"),
    ("preparation", Claim, Q(status=Claim.Status.VERIFIED) & Q(Exact(_LIVE_PAYMENTS, 0)),
     "verified_at"),
    ("approval", Disbursement, Q(status=Disbursement.Status.PREPARED), "prepared_at"),
    ("batching", Disbursement, Q(status=Disbursement.Status.APPROVED), "approved_at"),
    ("bank", Disbursement, Q(status=Disbursement.Status.BATCHED), "batch__created_at"),
)


def claims_ageing(*, now=None):
    """How many claims wait at each step, the oldest wait, and how many have waited
    up to a week, up to a month and longer: one aggregate per step, all in one query
    (``UNION ALL``)."""
    now = now or timezone.now()
    week, month = now - timedelta(days=7), now - timedelta(days=30)
    per_step = [
        model.objects.filter(condition).order_by()
        .annotate(step=Value(step, output_field=CharField())).values("step").annotate(
            count=Count("pk"), oldest=Min(since),
            week=Count("pk", filter=Q(**{f"{since}__gte": week})),
            month=Count("pk", filter=Q(**{f"{since}__lt": week, f"{since}__gte": month})),
            older=Count("pk", filter=Q(**{f"{since}__lt": month})))
        .values("step", "count", "oldest", "week", "month", "older")
        for step, model, condition, since in AGEING_STEPS]
    found = {row.pop("step"): row for row in per_step[0].union(*per_step[1:], all=True)}
    steps = []
    for step, *_rest in AGEING_STEPS:
        figures = found[step]
        oldest = figures["oldest"]
        steps.append({"step": step, "label": AGEING_LABELS[step], **figures,
                      "oldest_days": (now - oldest).days if oldest else None})
    return steps

