"""A period's figures: what was paid and recovered with a value date in it, the
adjustments posted in it, and the accruals at its end (claims verified by then and not
paid by then: money owed to grantees that the month's payments do not show).

A closed period answers with what it reported at its close; an open one is computed."""

from datetime import date, datetime, time
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from subsidy.finance.models import Claim, PaymentOutcome, RecoveryReceipt
from subsidy.finance.periods.records import AccountingPeriod

ZERO = Decimal("0.00")

ACCRUAL_COLUMNS = (
    ("reference", _("Application")), ("organisation", _("Company")),
    ("round", _("Round")), ("tranche", _("Tranche")), ("claim", _("Claim")),
    ("verified_at", _("Verified at")), ("amount", _("Accrued (HKD)")),
)


def add_month(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def period_end(month: date) -> datetime:
    """The first instant after the month, in Hong Kong time."""
    return timezone.make_aware(datetime.combine(add_month(month), time.min))


def accruals_at(end: datetime) -> list[dict]:
    """Claims verified before ``end`` and not paid by then (no paid outcome with a value
    date before it), not cancelled: one query."""
    paid_by_then = PaymentOutcome.objects.filter(
        payment__claim=OuterRef("pk"), kind=PaymentOutcome.Kind.PAID,
        value_date__lt=timezone.localtime(end).date())
    claims = (Claim.objects.filter(verified_at__lt=end)
              .exclude(status=Claim.Status.CANCELLED).filter(~Exists(paid_by_then))
              .order_by("verified_at", "pk")
              .values("pk", "amount", "verified_at", "tranche__number",
                      "tranche__grant__application__reference",
                      "tranche__grant__application__organisation__name_en",
                      "tranche__grant__round__code"))
    return [{"claim": row["pk"], "amount": row["amount"], "verified_at": row["verified_at"],
             "tranche": row["tranche__number"],
             "reference": row["tranche__grant__application__reference"] or "",
             "organisation": row["tranche__grant__application__organisation__name_en"],
             "round": row["tranche__grant__round__code"]} for row in claims]


def _cents(value) -> Decimal:
    return Decimal(value).quantize(ZERO)


def _stored(rows: list[dict]) -> list[dict]:
    return [{**row, "amount": str(_cents(row["amount"])),
             "verified_at": row["verified_at"].isoformat()} for row in rows]


def _read(rows: list[dict]) -> list[dict]:
    return [{**row, "amount": Decimal(row["amount"]),
             "verified_at": datetime.fromisoformat(row["verified_at"])} for row in rows]


def period_figures(period: AccountingPeriod, *, as_reported: bool = True) -> dict:
    """The period's figures. Closed (and ``as_reported``): as stored at its close, amounts
    as Decimals. Otherwise computed now, amounts as strings ready to be stored."""
    if as_reported and period.is_closed:
        stored = period.reported
        return {**{key: Decimal(value) for key, value in stored.items()
                   if key not in ("accruals", "accrual_count", "payment_count")},
                "payment_count": stored["payment_count"],
                "accrual_count": stored["accrual_count"],
                "accruals": _read(stored["accruals"])}
    month, end = period.month, add_month(period.month)
    in_month = Q(value_date__gte=month, value_date__lt=end)
    paid = PaymentOutcome.objects.filter(in_month, kind=PaymentOutcome.Kind.PAID).aggregate(
        total=Coalesce(Sum("payment__amount"), ZERO), count=Count("pk"))
    recovered = RecoveryReceipt.objects.filter(
        received_on__gte=month, received_on__lt=end).aggregate(
        total=Coalesce(Sum("amount"), ZERO))["total"]
    adjusted = (period.adjustments.aggregate(total=Coalesce(Sum("amount"), ZERO))["total"]
                if period.pk else ZERO)
    accruals = accruals_at(period_end(month))
    figures = {"paid": _cents(paid["total"]), "payment_count": paid["count"],
               "recovered": _cents(recovered), "adjustments": _cents(adjusted),
               "accrued": _cents(sum((row["amount"] for row in accruals), ZERO)),
               "accrual_count": len(accruals), "accruals": accruals}
    if as_reported:
        return figures
    return {**{key: str(value) for key, value in figures.items()
               if key not in ("accruals", "accrual_count", "payment_count")},
            "payment_count": figures["payment_count"],
            "accrual_count": figures["accrual_count"], "accruals": _stored(accruals)}
