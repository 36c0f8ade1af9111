"""Reads of compute subsidy: a grant's allocation against its use, in a query or two for any
number of grants (the grant pages, the portfolio, the closure checklist)."""

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import (
    Count,
    DecimalField,
    Max,
    Min,
    OuterRef,
    Prefetch,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from applicants.models import BudgetLine
from subsidy.compute.models import ComputeAllocation, ComputeCharge, UsageStatement

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
_MONEY = DecimalField(max_digits=14, decimal_places=2)
_DAYS_PER_MONTH = Decimal("30.4375")


@dataclass(frozen=True)
class ComputeSummary:
    grant_id: int
    allocation_hours: Decimal
    list_rate: Decimal
    ratio_percent: Decimal
    allocation_amount: Decimal
    drawn_amount: Decimal
    used_hours: Decimal
    company_amount: Decimal
    excess_amount: Decimal
    released_amount: Decimal
    released: bool
    first_period: date | None
    last_period: date | None
    # The subsidy drawn as a share of the allocation, 0 to 100.
    percent_used: Decimal
    # How far the project is through its dates (0 to 100), to read the burn against plan.
    percent_of_plan_elapsed: Decimal | None
    # At the average monthly draw so far, the day the allocation runs out (None: no use).
    forecast_exhaustion: date | None

    @property
    def remaining_amount(self) -> Decimal:
        return self.allocation_amount - self.released_amount - self.drawn_amount

    @property
    def burn_ahead_of_plan(self) -> bool:
        """More of the allocation used than of the project's time gone."""
        return (self.percent_of_plan_elapsed is not None
                and self.percent_used > self.percent_of_plan_elapsed)


def _charge_total(field: str):
    rows = (ComputeCharge.objects.filter(allocation_id=OuterRef("pk")).order_by()
            .values("allocation_id").annotate(total=Sum(field)).values("total"))
    return Coalesce(Subquery(rows, output_field=_MONEY), ZERO)


def _charge_bound(function, field: str = "period"):
    rows = (ComputeCharge.objects.filter(allocation_id=OuterRef("pk")).order_by()
            .values("allocation_id").annotate(bound=function(field)).values("bound"))
    return Subquery(rows)


def _month_end(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def _percent(part: Decimal, whole: Decimal) -> Decimal:
    if whole <= 0:
        return Decimal("100.00") if part > 0 else ZERO
    return (part * 100 / whole).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _plan_elapsed(start: date | None, end: date | None, today: date) -> Decimal | None:
    if start is None or end is None or end <= start:
        return None
    elapsed = min(max((today - start).days, 0), (end - start).days)
    return _percent(Decimal(elapsed), Decimal((end - start).days))


def _forecast(*, drawn: Decimal, remaining: Decimal, first: date | None,
              last: date | None) -> date | None:
    """Straight line: the average draw per month from the first month used to the last."""
    if first is None or last is None or drawn <= 0:
        return None
    if remaining <= 0:
        return _month_end(last)
    months = (last.year - first.year) * 12 + last.month - first.month + 1
    per_day = drawn / (months * _DAYS_PER_MONTH)
    return _month_end(last) + timedelta(days=int(remaining / per_day))


def grant_compute_summaries(grant_ids, *, today: date | None = None
                            ) -> dict[int, ComputeSummary]:
    """The compute summary of each grant of ``grant_ids`` that has an allocation (a grant
    without one is absent), in one query."""
    today = today or timezone.localdate()
    rows = (ComputeAllocation.objects.filter(grant_id__in=list(grant_ids))
            .annotate(drawn=_charge_total("subsidy_amount"), used=_charge_total("hours"),
                      company=_charge_total("company_amount"),
                      excess=_charge_total("excess_amount"),
                      first_period=_charge_bound(Min), last_period=_charge_bound(Max))
            .values("grant_id", "hours", "list_rate", "ratio_percent", "amount",
                    "released_amount", "released_at", "drawn", "used", "company", "excess",
                    "first_period", "last_period", "grant__application__start_date",
                    "grant__application__end_date"))
    summaries = {}
    for row in rows:
        for key in ("drawn", "used", "company", "excess"):
            # SQLite sums decimals as floats: back to cents.
            row[key] = Decimal(row[key]).quantize(CENT)
        remaining = row["amount"] - row["released_amount"] - row["drawn"]
        summaries[row["grant_id"]] = ComputeSummary(
            grant_id=row["grant_id"], allocation_hours=row["hours"],
            list_rate=row["list_rate"], ratio_percent=row["ratio_percent"],
            allocation_amount=row["amount"], drawn_amount=row["drawn"],
            used_hours=row["used"], company_amount=row["company"],
            excess_amount=row["excess"], released_amount=row["released_amount"],
            released=row["released_at"] is not None, first_period=row["first_period"],
            last_period=row["last_period"],
            percent_used=_percent(row["drawn"], row["amount"]),
            percent_of_plan_elapsed=_plan_elapsed(row["grant__application__start_date"],
                                                  row["grant__application__end_date"], today),
            forecast_exhaustion=(None if row["released_at"] else _forecast(
                drawn=row["drawn"], remaining=remaining, first=row["first_period"],
                last=row["last_period"])),
        )
    return summaries


def compute_drawn_by_round(round_ids) -> dict[int, Decimal]:
    """The compute subsidy drawn at the Centre per round, in one grouped query."""
    return dict(ComputeCharge.objects.filter(grant__round_id__in=list(round_ids)).order_by()
                .values_list("grant__round_id").annotate(total=Sum("subsidy_amount")))


def grant_compute_summary(grant_id: int) -> ComputeSummary | None:
    return grant_compute_summaries([grant_id]).get(grant_id)


def planned_gpu_hours(grant) -> Decimal | None:
    """The GPU-hours of the application's compute budget lines: the allocation's default."""
    return BudgetLine.objects.filter(application_id=grant.application_id,
                                     category=BudgetLine.Category.COMPUTE).aggregate(
        total=Sum("gpu_hours"))["total"]


def grant_monthly_use(grant_id: int) -> list[dict]:
    """Per month: the hours, list amount, subsidy drawn and company's share (the burn chart)."""
    return list(ComputeCharge.objects.filter(grant_id=grant_id).order_by("period")
                .values("period").annotate(hours=Sum("hours"), list_amount=Sum("list_amount"),
                                            subsidy=Sum("subsidy_amount"),
                                            company=Sum("company_amount"),
                                            excess=Sum("excess_amount")))


def grant_charges(grant_id: int) -> QuerySet[ComputeCharge]:
    return (ComputeCharge.objects.filter(grant_id=grant_id)
            .select_related("statement").order_by("-period", "statement_id", "line_number"))


def statements_list() -> QuerySet[UsageStatement]:
    """Statements, newest first, with their company and totals (one query)."""
    return (UsageStatement.objects.select_related("organisation", "received_by")
            .annotate(lines=Count("charges"), hours=Sum("charges__hours"),
                      list_amount=Sum("charges__list_amount"),
                      subsidy=Sum("charges__subsidy_amount"),
                      company=Sum("charges__company_amount"),
                      excess=Sum("charges__excess_amount"))
            .order_by("-received_at", "-id"))


def statement_with_charges(statement_id: int) -> UsageStatement | None:
    return (UsageStatement.objects.select_related("organisation", "received_by")
            .prefetch_related("charges__grant__application").filter(pk=statement_id).first())


def statement_result(statement_id: int) -> UsageStatement | None:
    """A statement with its totals and its lines in order, each with its project (what the
    Centre reads back after posting): two queries."""
    lines = (ComputeCharge.objects.select_related("grant__application")
             .order_by("line_number"))
    return (statements_list().prefetch_related(Prefetch("charges", queryset=lines))
            .filter(pk=statement_id).first())
