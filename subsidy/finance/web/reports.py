"""Finance reports: the dashboard, the disbursement and commitments registers (pages and
downloads) and the 360Giving open data."""

from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from subsidy.finance.models import Disbursement
from subsidy.finance.opendata.threesixty import grants_package
from subsidy.finance.reports import charts, exports, figures
from subsidy.finance.reports.registers import (
    COMMITMENT_COLUMNS,
    DISBURSEMENT_COLUMNS,
    RegisterFilter,
    commitment_totals,
    commitments_register,
    disbursement_register,
    register_page,
    register_totals,
)
from subsidy.finance.web.forms import RegisterFilterForm
from subsidy.finance.web.responses import require
from subsidy.platform.permissions import Action
from subsidy.scheme.models import Grant, Sector


def _labelled(rows):
    """Each row with the sector's name in the reader's language (``Predictive analytics``,
    not the stored code ``predictive_analytics``)."""
    names = dict(Sector.choices)
    return [{**row, "label": names.get(row["key"], row["key"])} for row in rows]


@login_required
def dashboard(request):
    require(request, Action.VIEW_FINANCE_REPORTS)
    schemes = figures.scheme_totals()
    envelopes = sum((s["envelopes"] for s in schemes), 0)
    forecast = figures.forecast_by_month()
    burn = figures.burn_down(envelopes=envelopes)
    return render(request, "subsidy/finance/dashboard.html", {
        "schemes": schemes,
        "by_category": _labelled(figures.by_dimension("category")),
        "by_sector": _labelled(figures.by_dimension("sector")),
        "by_month": figures.by_month(),
        "forecast": forecast,
        "ageing": figures.claims_ageing(),
        "forecast_chart": charts.bar_chart(
            title=_("Tranches due by month"),
            description=_("Scheduled tranches of active grants, by the month they fall due."),
            points=[(row["month"].strftime("%Y-%m"), row["total"]) for row in forecast]),
        "burn_chart": charts.line_chart(
            title=_("Budget burn-down"),
            description=_("What remains of the round envelopes after each month's "
                          "payments."),
            start=envelopes, points=[(month.strftime("%Y-%m"), remaining)
                                     for month, remaining in burn]),
    })


def _register_filter(form) -> RegisterFilter:
    if not form.is_valid():
        return RegisterFilter()
    data = form.cleaned_data
    return RegisterFilter(date_from=data["date_from"], date_to=data["date_to"],
                          round_code=data["round"], status=data["status"])


def _download(request, rows, columns, name: str, sheet: str):
    fmt = request.GET.get("format")
    if fmt == "csv":
        return exports.csv_response(rows, columns, name)
    if fmt == "xlsx":
        return exports.xlsx_response(rows, columns, name, sheet)
    return None


@login_required
def disbursement_register_view(request):
    require(request, Action.VIEW_FINANCE_REPORTS)
    form = RegisterFilterForm(request.GET or None)
    rows = disbursement_register(_register_filter(form))
    download = _download(request, rows, DISBURSEMENT_COLUMNS, "disbursement-register",
                         "Disbursements")
    if download:
        return download
    query = request.GET.copy()
    query.pop("format", None)
    query.pop("page", None)
    page = register_page(rows, statuses=Disbursement.Status, number=request.GET.get("page"))
    return render(request, "subsidy/finance/disbursement_register.html", {
        "form": form, "rows": page.object_list, "page": page, "totals": register_totals(rows),
        "query": query.urlencode(),
    })


@login_required
def commitments_register_view(request):
    require(request, Action.VIEW_FINANCE_REPORTS)
    round_code = request.GET.get("round", "")
    rows = commitments_register(round_code=round_code)
    download = _download(request, rows, COMMITMENT_COLUMNS, "commitments-register",
                         "Commitments")
    if download:
        return download
    page = register_page(rows, statuses=Grant.Status, number=request.GET.get("page"))
    return render(request, "subsidy/finance/commitments_register.html", {
        "rows": page.object_list, "page": page,
        "totals": commitment_totals(round_code=round_code), "round_code": round_code,
        "query": urlencode({"round": round_code}) if round_code else "",
    })


def open_data_360giving(request):
    """The awarded grants as a 360Giving package: public open data."""
    response = JsonResponse(grants_package(), json_dumps_params={"ensure_ascii": False})
    response["Content-Disposition"] = 'attachment; filename="aiss-360giving.json"'
    return response
