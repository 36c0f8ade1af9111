"""The officers' portfolio: every active grant with a health flag (red, amber or green) and
the reasons for it, read in a fixed number of queries whatever the number of grants
(docs/closure.md, "Portfolio").

Health, the worst of its reasons:

- *Reports* (``subsidy.progress``): two or more overdue is red, one is amber.
- *Payments against the schedule*: a tranche unpaid more than 90 days past its due date is
  red, one unpaid past its due date is amber.
- *Compute against plan* (``subsidy.compute``): the allocation used up is red; more used
  than the project's time gone by over 10 points, or 80% used, is amber.
- *Conditions precedent* (``subsidy.agreements``) not all met: amber.
- *Variations* (``subsidy.variations``) waiting for a decision: amber.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Count, DecimalField, IntegerField, Min, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from subsidy.agreements.models import ConditionPrecedent
from subsidy.compute.selectors import grant_compute_summaries
from subsidy.finance.models import Disbursement, Tranche
from subsidy.progress.selectors import grant_report_health
from subsidy.scheme.models import Grant
from subsidy.variations.selectors import open_variation_counts

RED, AMBER, GREEN = "red", "amber", "green"
HEALTH_LABELS = {RED: gettext_lazy("Red"), AMBER: gettext_lazy("Amber"),
                 GREEN: gettext_lazy("Green")}
_RANK = {GREEN: 0, AMBER: 1, RED: 2}
TRANCHE_LATE_RED_DAYS = 90
BURN_AHEAD_POINTS = Decimal("10")
ZERO = Decimal("0.00")
_MONEY = DecimalField(max_digits=14, decimal_places=2)


@dataclass
class PortfolioRow:
    grant_id: int
    reference: str
    title: str
    company: str
    round_code: str
    sector: str
    approved: Decimal
    paid: Decimal
    unmet_conditions: int
    oldest_unpaid_due: date | None
    overdue_reports: int = 0
    next_report_due: date | None = None
    compute_used: Decimal | None = None
    plan_elapsed: Decimal | None = None
    open_variations: int = 0
    health: str = GREEN
    reasons: list[str] = field(default_factory=list)

    @property
    def health_label(self) -> str:
        return str(HEALTH_LABELS[self.health])

    def flag(self, level: str, reason: str) -> None:
        self.reasons.append(reason)
        if _RANK[level] > _RANK[self.health]:
            self.health = level


@dataclass(frozen=True)
class PortfolioFilters:
    round_code: str = ""
    sector: str = ""
    health: str = ""
    search: str = ""


def _grants(filters: PortfolioFilters, today: date):
    paid = (Disbursement.objects.filter(grant=OuterRef("pk"), status=Disbursement.Status.PAID)
            .values("grant").annotate(total=Sum("amount")).values("total"))
    unmet = (ConditionPrecedent.objects.filter(grant=OuterRef("pk"))
             .exclude(status=ConditionPrecedent.Status.MET)
             .values("grant").annotate(n=Count("pk")).values("n"))
    late = (Tranche.objects.filter(grant=OuterRef("pk"), status=Tranche.Status.SCHEDULED,
                                   due_date__lt=today)
            .values("grant").annotate(oldest=Min("due_date")).values("oldest"))
    grants = (Grant.objects.filter(status=Grant.Status.ACTIVE)
              .annotate(paid=Coalesce(Subquery(paid, output_field=_MONEY), ZERO),
                        unmet=Coalesce(Subquery(unmet, output_field=IntegerField()), 0),
                        oldest_unpaid_due=Subquery(late))
              .order_by("application__reference", "pk"))
    if filters.round_code:
        grants = grants.filter(round__code=filters.round_code)
    if filters.sector:
        grants = grants.filter(application__organisation__sector=filters.sector)
    if filters.search:
        term = filters.search.strip()
        grants = grants.filter(Q(application__reference__icontains=term)
                               | Q(application__title__icontains=term)
                               | Q(application__organisation__name_en__icontains=term)
                               | Q(application__organisation__name_zh__icontains=term))
    return grants.values("pk", "application__reference", "application__title",
                         "application__organisation__name_en",
                         "application__organisation__sector", "round__code",
                         "approved_amount", "paid", "unmet", "oldest_unpaid_due")


def _judge(row: PortfolioRow, today: date) -> None:
    if row.overdue_reports >= 2:
        row.flag(RED, _("%(n)s reports overdue") % {"n": row.overdue_reports})
    elif row.overdue_reports == 1:
        row.flag(AMBER, _("1 report overdue"))
    if row.oldest_unpaid_due is not None:
        days = (today - row.oldest_unpaid_due).days
        level = RED if days > TRANCHE_LATE_RED_DAYS else AMBER
        row.flag(level, _("A tranche unpaid %(days)s days past its due date") % {"days": days})
    if row.compute_used is not None:
        if row.compute_used >= 100:
            row.flag(RED, _("Compute allocation used up"))
        elif row.compute_used >= 80 or (
                row.plan_elapsed is not None
                and row.compute_used - row.plan_elapsed > BURN_AHEAD_POINTS):
            row.flag(AMBER, _("Compute used ahead of plan"))
    if row.unmet_conditions:
        row.flag(AMBER, _("%(n)s condition(s) precedent not met") % {"n": row.unmet_conditions})
    if row.open_variations:
        row.flag(AMBER, _("%(n)s variation(s) waiting for a decision")
                 % {"n": row.open_variations})


def portfolio_rows(filters: PortfolioFilters, *, today: date | None = None
                   ) -> list[PortfolioRow]:
    """The active grants matching ``filters``, each with its health and reasons, reddest
    first. Four queries, whatever the number of grants."""
    today = today or timezone.localdate()
    rows = [PortfolioRow(
        grant_id=g["pk"], reference=g["application__reference"] or "",
        title=g["application__title"], company=g["application__organisation__name_en"],
        round_code=g["round__code"], sector=g["application__organisation__sector"],
        approved=g["approved_amount"], paid=g["paid"], unmet_conditions=g["unmet"],
        oldest_unpaid_due=g["oldest_unpaid_due"]) for g in _grants(filters, today)]
    ids = [row.grant_id for row in rows]
    reports = grant_report_health(ids, today=today) if ids else {}
    compute = grant_compute_summaries(ids, today=today) if ids else {}
    variations = open_variation_counts(ids)
    for row in rows:
        if row.grant_id in reports:
            row.overdue_reports = reports[row.grant_id].overdue
            row.next_report_due = reports[row.grant_id].next_due
        if row.grant_id in compute:
            row.compute_used = compute[row.grant_id].percent_used
            row.plan_elapsed = compute[row.grant_id].percent_of_plan_elapsed
        row.open_variations = variations.get(row.grant_id, 0)
        _judge(row, today)
    if filters.health:
        rows = [row for row in rows if row.health == filters.health]
    return sorted(rows, key=lambda row: (-_RANK[row.health], row.reference))


