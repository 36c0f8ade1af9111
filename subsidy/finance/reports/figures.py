"""The finance dashboard's figures: budget position by round, category, sector and month,
the burn-down of the scheme budget, the forecast of tranches due, and claims ageing."""

from datetime import timedelta

from django.db.models import Count, DecimalField, Min, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from subsidy.finance.models import Claim, Disbursement, Tranche
from subsidy.scheme.ledger import ZERO, paid_payments, rounds_with_commitments
from subsidy.scheme.models import FundingRound, Grant, Scheme

_MONEY = DecimalField(max_digits=14, decimal_places=2)


def scheme_totals():
    """Each scheme with its budget, the envelopes of its rounds, what is committed, paid
    and what remains of the envelopes: two queries, whatever the number of schemes."""
    rounds_of: dict[int, list] = {}
    for round_ in rounds_with_paid():
        rounds_of.setdefault(round_.scheme_id, []).append(round_)
    schemes = []
    for scheme in Scheme.objects.order_by("code"):
        rounds = rounds_of.get(scheme.pk, [])
        envelopes = sum((r.envelope for r in rounds), ZERO)
        committed = sum((r.committed for r in rounds), ZERO)
        paid = sum((r.paid for r in rounds), ZERO)
        schemes.append({"scheme": scheme, "budget": scheme.budget, "envelopes": envelopes,
                        "committed": committed, "paid": paid,
                        "remaining": envelopes - committed, "rounds": rounds})
    return schemes


def rounds_with_paid(queryset=None):
    """Rounds annotated with ``committed``, ``remaining`` and ``paid`` in one query."""
    paid = (paid_payments().filter(grant__round_id=OuterRef("pk")).order_by()
            .values("grant__round_id").annotate(total=Sum("amount")).values("total"))
    return (rounds_with_commitments(queryset if queryset is not None
                                    else FundingRound.objects.all())
            .annotate(paid=Coalesce(Subquery(paid, output_field=_MONEY), ZERO))
            .order_by("opens_at", "code"))


def by_dimension(field: str):
    """Committed and paid grouped by the application's category or the company's sector
    (``field`` is ``category`` or ``sector``): two grouped queries."""
    path = {"category": "application__category",
            "sector": "application__organisation__sector"}[field]
    rows: dict[str, dict] = {}
    for row in (Grant.objects.filter(status__in=Grant.COMMITTING_STATUSES).order_by()
                .values(path).annotate(total=Sum("approved_amount"))):
        rows[row[path]] = {"key": row[path], "committed": row["total"], "paid": ZERO}
    for row in (paid_payments().order_by().values(f"grant__{path}")
                .annotate(total=Sum("amount"),
                          terminated=Sum("amount", filter=Q(
                              grant__status=Grant.Status.TERMINATED)))):
        entry = rows.setdefault(row[f"grant__{path}"], {
            "key": row[f"grant__{path}"], "committed": ZERO, "paid": ZERO})
        entry["paid"] = row["total"]
        entry["committed"] += row["terminated"] or ZERO
    return sorted(rows.values(), key=lambda entry: entry["key"] or "")


def by_month():
    """Per month: what was newly committed (grants approved that month and still
    committing, plus payments on terminated grants) and what was paid, from two grouped
    queries."""
    months: dict = {}
    for row in (Grant.objects.filter(status__in=Grant.COMMITTING_STATUSES)
                .annotate(month=TruncMonth("decided_at")).order_by()
                .values("month").annotate(total=Sum("approved_amount"))):
        months[row["month"].date()] = {"month": row["month"].date(), "committed": row["total"],
                                       "paid": ZERO, "count": 0}
    for row in paid_by_month():
        entry = months.setdefault(row["month"], {"month": row["month"], "committed": ZERO,
                                                 "paid": ZERO, "count": 0})
        entry["paid"], entry["count"] = row["total"], row["count"]
        entry["committed"] += row["terminated"] or ZERO
    return [months[key] for key in sorted(months)]


def paid_by_month():
    return list(paid_payments().annotate(month=TruncMonth("value_date")).order_by()
                .values("month").annotate(total=Sum("amount"), count=Count("pk"),
                                          terminated=Sum("amount", filter=Q(
                                              grant__status=Grant.Status.TERMINATED)))
                .order_by("month"))


def forecast_by_month():
    """Scheduled tranches of active grants by the month they fall due."""
    return list(Tranche.objects.filter(status=Tranche.Status.SCHEDULED,
                                       grant__status=Grant.Status.ACTIVE)
                .annotate(month=TruncMonth("due_date")).order_by()
                .values("month").annotate(total=Sum("amount"), count=Count("pk"))
                .order_by("month"))


def burn_down(*, envelopes):
    """What is left of the envelopes after each month's payments: (month, remaining)."""
    remaining, points = envelopes, []
    for row in paid_by_month():
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

AGEING_STEPS = (
    # (step, model, filter, timestamp the item has waited since)
    ("verification", Claim, Q(status=Claim.Status.SUBMITTED), "submitted_at"),
    ("applicant", Claim, Q(status=Claim.Status.RETURNED), "returned_at"),
    ("preparation", Claim, Q(status=Claim.Status.VERIFIED, disbursement__isnull=True),
     "verified_at"),
    ("approval", Disbursement, Q(status=Disbursement.Status.PREPARED), "prepared_at"),
    ("batching", Disbursement, Q(status=Disbursement.Status.APPROVED), "approved_at"),
    ("bank", Disbursement, Q(status=Disbursement.Status.BATCHED), "batch__created_at"),
)


def claims_ageing(*, now=None):
    """How many claims wait at each step, the oldest wait, and how many have waited
    up to a week, up to a month and longer: one aggregate query per step."""
    now = now or timezone.now()
    week, month = now - timedelta(days=7), now - timedelta(days=30)
    steps = []
    for step, model, condition, since in AGEING_STEPS:
        figures = model.objects.filter(condition).aggregate(
            count=Count("pk"), oldest=Min(since),
            week=Count("pk", filter=Q(**{f"{since}__gte": week})),
            month=Count("pk", filter=Q(**{f"{since}__lt": week, f"{since}__gte": month})),
            older=Count("pk", filter=Q(**{f"{since}__lt": month})))
        oldest = figures["oldest"]
        steps.append({"step": step, "label": AGEING_LABELS[step], **figures,
                      "oldest_days": (now - oldest).days if oldest else None})
    return steps

