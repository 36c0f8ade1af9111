"""Accounting periods for finance: the months with their state, one month's figures and
accruals at its end (downloadable as CSV or XLSX), and the two steps of its close."""

from datetime import date, timedelta

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from subsidy.finance.periods import services
from subsidy.finance.periods.accruals import ACCRUAL_COLUMNS, period_figures
from subsidy.finance.periods.records import AccountingPeriod
from subsidy.finance.web.responses import act, require
from subsidy.platform import exports
from subsidy.platform.permissions import Action, can

MONTHS_LISTED = 12


def _month(year: int, month: int) -> date:
    try:
        return date(year, month, 1)
    except ValueError:
        raise Http404 from None


def _recent_months(today: date) -> list[date]:
    months, month = [], today.replace(day=1)
    for _n in range(MONTHS_LISTED):
        months.append(month)
        month = (month - timedelta(days=1)).replace(day=1)
    return months


@login_required
def period_list(request):
    require(request, Action.VIEW_FINANCE_REPORTS)
    recorded = {period.month: period for period in AccountingPeriod.objects.select_related(
        "closed_by", "close_requested_by")}
    months = sorted(set(_recent_months(timezone.localdate())) | set(recorded), reverse=True)
    rows = [{"month": month, "period": recorded.get(month)} for month in months]
    return render(request, "subsidy/finance/periods.html", {"rows": rows})


@login_required
def period_detail(request, year, month):
    require(request, Action.VIEW_FINANCE_REPORTS)
    first_day = _month(year, month)
    period = (AccountingPeriod.objects.select_related("closed_by", "close_requested_by")
              .filter(month=first_day).first() or AccountingPeriod(month=first_day))
    figures = period_figures(period)
    name = f"accruals-{first_day:%Y-%m}"
    totals = [[_("Total")] + [""] * (len(ACCRUAL_COLUMNS) - 2) + [figures["accrued"]]]
    fmt = request.GET.get("format")
    if fmt == "csv":
        return exports.rows_csv_response(figures["accruals"], ACCRUAL_COLUMNS, name)
    if fmt == "xlsx":
        return exports.rows_xlsx_response(figures["accruals"], ACCRUAL_COLUMNS, name,
                                          "Accruals", totals=totals)
    ended = first_day < timezone.localdate().replace(day=1)
    return render(request, "subsidy/finance/period_detail.html", {
        "period": period, "month": first_day, "f": figures,
        "adjustments": (period.adjustments.select_related("payment", "original_period")
                        if period.pk else []),
        "can_view_audit": can(request.user, Action.VIEW_AUDIT),
        "can_request": (ended and not period.is_closed and not period.close_requested_at
                        and can(request.user, Action.PREPARE_PAYMENT)),
        "can_close": (ended and not period.is_closed and period.close_requested_at
                      and period.close_requested_by_id != request.user.pk
                      and can(request.user, Action.APPROVE_PAYMENT)),
    })


def _target(first_day: date) -> str:
    return reverse("finance:period", args=[first_day.year, first_day.month])


@login_required
@require_POST
def period_close_request(request, year, month):
    first_day = _month(year, month)
    require(request, Action.PREPARE_PAYMENT)
    return act(request, lambda: services.period_close_request(actor=request.user,
                                                              month=first_day),
               success=_("The close is asked for; a finance approver closes the period."),
               target=_target(first_day))


@login_required
@require_POST
def period_close(request, year, month):
    first_day = _month(year, month)
    require(request, Action.APPROVE_PAYMENT)
    period = AccountingPeriod.objects.filter(month=first_day).first()
    if period is None:
        raise Http404
    return act(request, lambda: services.period_close(actor=request.user, period=period),
               success=_("The period is closed; its figures are kept as reported."),
               target=_target(first_day))
