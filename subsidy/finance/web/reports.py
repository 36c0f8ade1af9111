"""Finance reports: the dashboard, the disbursement and commitments registers (pages and
downloads) and the 360Giving open data."""

from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from subsidy.finance import selectors
from subsidy.finance.opendata.threesixty import grants_package
from subsidy.finance.reports import charts, exports, figures
from subsidy.finance.reports.registers import (
    COMMITMENT_COLUMNS,
    DISBURSEMENT_COLUMNS,
    RegisterFilter,
    commitment_totals,
    commitment_totals_rows,
    commitments_register,
    disbursement_register,
    disbursement_totals_rows,
    register_page,
    register_totals,
)
from subsidy.finance.web.forms import RegisterFilterForm, SchemeChoiceForm
from subsidy.finance.web.responses import require
from subsidy.platform.permissions import Action
from subsidy.scheme.models import Sector


def _labelled(rows):
    """Each row with the sector's name in the reader's language (``Predictive analytics``,
    not the stored code ``predictive_analytics``)."""
    names = dict(Sector.choices)
    return [{**row, "label": names.get(row["key"], row["key"])} for row in rows]


def _scheme(request):
    return selectors.scheme_chosen(code=request.GET.get("scheme", ""),
                                   round_code=request.GET.get("round", ""))


@login_required
def dashboard(request):
    require(request, Action.VIEW_FINANCE_REPORTS)
    scheme = _scheme(request)
    chooser = SchemeChoiceForm(initial={"scheme": scheme.code if scheme else ""})
    if scheme is None:
        return render(request, "subsidy/finance/dashboard.html", {"chooser": chooser})
    found = figures.dashboard_figures(scheme)
    position, forecast = found["position"], found["forecast"]
    return render(request, "subsidy/finance/dashboard.html", {
        "chooser": chooser, "scheme": scheme, "s": position,
        "by_category": _labelled(found["by_category"]),
        "by_sector": _labelled(found["by_sector"]),
        "by_month": found["by_month"],
        "forecast": forecast,
        "ageing": figures.claims_ageing(),
        "forecast_chart": charts.bar_chart(
            title=_("Tranches due by month"),
            description=_("Scheduled tranches of active grants, by the month they fall due."),
            points=[(row["month"].strftime("%Y-%m"), row["total"]) for row in forecast]),
        "burn_chart": charts.line_chart(
            title=_("Budget burn-down"),
            description=_("What remains of the scheme's round envelopes after each month's "
                          "payments."),
            start=position["envelopes"], points=[(month.strftime("%Y-%m"), remaining)
                                                 for month, remaining in found["burn"]]),
    })


def _register_filter(form, scheme) -> RegisterFilter:
    code = scheme.code if scheme else ""
    if not form.is_valid():
        return RegisterFilter(scheme_code=code)
    data = form.cleaned_data
    return RegisterFilter(date_from=data["date_from"], date_to=data["date_to"],
                          round_code=data["round"], status=data["status"], scheme_code=code)


def _download(request, rows, columns, name: str, sheet: str, totals):
    """The download the request asks for, or None. ``totals`` gives the workbook's totals
    rows: asked only for it (the CSV has none, and at 200,000 payments the grouped query
    cost a fifth of the CSV's time)."""
    fmt = request.GET.get("format")
    if fmt == "csv":
        return exports.csv_response(rows, columns, name, reporting=True)
    if fmt == "xlsx":
        return exports.xlsx_response(rows, columns, name, sheet, totals=totals(),
                                     reporting=True)
    return None


@login_required
def disbursement_register_view(request):
    require(request, Action.VIEW_FINANCE_REPORTS)
    scheme = _scheme(request)
    form = RegisterFilterForm(request.GET or None,
                              initial={"scheme": scheme.code if scheme else ""})
    rows = disbursement_register(_register_filter(form, scheme))
    download = _download(request, rows, DISBURSEMENT_COLUMNS, "disbursement-register",
                         "Disbursements",
                         lambda: disbursement_totals_rows(register_totals(rows)))
    if download:
        return download
    totals = register_totals(rows)
    query = request.GET.copy()
    query.pop("format", None)
    query.pop("page", None)
    page = register_page(rows, number=request.GET.get("page"))
    return render(request, "subsidy/finance/disbursement_register.html", {
        "form": form, "rows": page.object_list, "page": page, "totals": totals,
        "query": query.urlencode(),
    })


@login_required
def commitments_register_view(request):
    require(request, Action.VIEW_FINANCE_REPORTS)
    scheme = _scheme(request)
    code = scheme.code if scheme else ""
    round_code = request.GET.get("round", "")
    rows = commitments_register(round_code=round_code, scheme_code=code)
    download = _download(request, rows, COMMITMENT_COLUMNS, "commitments-register",
                         "Commitments", lambda: commitment_totals_rows(
                             commitment_totals(round_code=round_code, scheme_code=code)))
    if download:
        return download
    totals = commitment_totals(round_code=round_code, scheme_code=code)
    page = register_page(rows, number=request.GET.get("page"))
    query = {"scheme": code, **({"round": round_code} if round_code else {})}
    return render(request, "subsidy/finance/commitments_register.html", {
        "rows": page.object_list, "page": page, "totals": totals, "round_code": round_code,
        "chooser": SchemeChoiceForm(initial={"scheme": code}), "query": urlencode(query),
    })


def open_data_360giving(request):
    """The awarded grants as a 360Giving package: public open data."""
    response = JsonResponse(grants_package(), json_dumps_params={"ensure_ascii": False})
    response["Content-Disposition"] = 'attachment; filename="aiss-360giving.json"'
    return response
