"""The officers' portfolio of active grants with their health, filtered, and its download as
CSV or XLSX (written by ``subsidy.platform.exports``, as every download is)."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from subsidy.closure.portfolio import PortfolioFilters, PortfolioRow, portfolio_rows
from subsidy.closure.web.forms import PortfolioFilterForm
from subsidy.platform import exports
from subsidy.platform.permissions import Action, can
from subsidy.scheme.models import FundingRound, Sector

PAGE_SIZE = 50
# Amounts with thousands separators (columns F, G), percentages with one decimal (L, M).
NUMBER_FORMATS = {5: "#,##0.00", 6: "#,##0.00", 11: "0.0", 12: "0.0"}


def _header() -> list[str]:
    return [_("Reference"), _("Project"), _("Company"), _("Round"), _("Sector"),
            _("Approved (HK$)"), _("Paid (HK$)"), _("Health"), _("Reasons"),
            _("Reports overdue"), _("Next report due"), _("Compute used (%)"),
            _("Project time gone (%)"), _("Conditions precedent not met"),
            _("Variations waiting")]


def _cells(rows: list[PortfolioRow]):
    sectors = dict(Sector.choices)
    for row in rows:
        yield [row.reference, row.title, row.company, row.round_code,
               str(sectors.get(row.sector, row.sector)), row.approved, row.paid,
               row.health_label, "; ".join(row.reasons), row.overdue_reports,
               row.next_report_due, row.compute_used, row.plan_elapsed,
               row.unmet_conditions, row.open_variations]


@login_required
@require_GET
def portfolio_view(request):
    if not can(request.user, Action.ADMINISTER_GRANTS):
        raise PermissionDenied
    round_codes = list(FundingRound.objects.order_by("-opens_at").values_list("code",
                                                                             flat=True))
    form = PortfolioFilterForm(request.GET or None, round_codes=round_codes)
    data = form.cleaned_data if form.is_valid() else {}
    rows = portfolio_rows(PortfolioFilters(
        round_code=data.get("round", ""), sector=data.get("sector", ""),
        health=data.get("health", ""), search=data.get("q", "")))
    download = request.GET.get("download")
    filename = f"portfolio-{timezone.localdate().isoformat()}"
    if download == "csv":
        return exports.csv_download(exports.csv_chunks(_header(), _cells(rows)), filename,
                                    content_type="text/csv; charset=utf-8")
    if download == "xlsx":
        return exports.xlsx_download(exports.xlsx_file(
            _header(), _cells(rows), sheet=_("Portfolio"), number_formats=NUMBER_FORMATS),
            filename)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    counts = {health: sum(row.health == health for row in rows)
              for health in ("red", "amber", "green")}
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("download", None)
    return render(request, "subsidy/closure/portfolio.html", {
        "form": form, "page": page, "counts": counts, "total": len(rows),
        "query": query.urlencode()})
