"""A round's reporting rules page, for the staff who manage rounds: its reporting periods and
its outcome indicators (added, renamed, reordered, retired or deleted)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from subsidy.platform.errors import DomainError
from subsidy.platform.permissions import Action, can
from subsidy.platform.web.errors import add_domain_error, add_domain_error_messages
from subsidy.progress import selectors
from subsidy.progress.models import OutcomeIndicator
from subsidy.progress.services.indicators import (
    outcome_indicator_add,
    outcome_indicator_change,
    outcome_indicator_delete,
    outcome_indicator_move,
    outcome_indicator_retire,
    round_indicators_customise,
    round_reporting_periods_set,
)
from subsidy.progress.services.requirements import DEFAULT_INDICATORS
from subsidy.progress.web.forms import IndicatorForm, NewIndicatorForm, ReportingPeriodsForm
from subsidy.scheme.models import FundingRound

PERIOD_FIELDS = ("final_report_due_days", "report_reminder_days", "report_escalation_days")


def _require_manager(request) -> None:
    if not can(request.user, Action.MANAGE_ROUNDS):
        raise PermissionDenied


def _page(request, round_, *, periods_form=None, add_form=None):
    indicators = selectors.round_indicators_all(round_.pk)
    return render(request, "subsidy/progress/round_reporting.html", {
        "round": round_, "indicators": indicators,
        "defaults": [] if indicators else DEFAULT_INDICATORS,
        "periods_form": periods_form or ReportingPeriodsForm(
            initial={field: getattr(round_, field) for field in PERIOD_FIELDS}),
        "add_form": add_form or NewIndicatorForm(),
    }, status=400 if (periods_form or add_form) else 200)


@login_required
@require_http_methods(["GET", "POST"])
def round_reporting(request, code):
    """The round's reporting rules; a POST saves its periods."""
    _require_manager(request)
    round_ = get_object_or_404(FundingRound, code=code)
    if request.method == "GET":
        return _page(request, round_)
    form = ReportingPeriodsForm(request.POST)
    if form.is_valid():
        try:
            round_reporting_periods_set(actor=request.user, round_=round_, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("The round's reporting periods are saved."))
            return redirect("progress:round_reporting", round_.code)
    return _page(request, round_, periods_form=form)


@login_required
@require_POST
def indicator_add(request, code):
    """Add an indicator, or copy the default set to a round still on it."""
    _require_manager(request)
    round_ = get_object_or_404(FundingRound, code=code)
    target = reverse("progress:round_reporting", args=[round_.code]) + "#indicators"
    if "defaults" in request.POST:
        round_indicators_customise(actor=request.user, round_=round_)
        messages.success(request, _("The default indicators are copied to the round."))
        return redirect(target)
    form = NewIndicatorForm(request.POST)
    if form.is_valid():
        try:
            indicator = outcome_indicator_add(actor=request.user, round_=round_,
                                              **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("“%(name)s” is added.") % {"name": indicator.name})
            return redirect(target)
    return _page(request, round_, add_form=form)


def _indicator(request, indicator_id) -> OutcomeIndicator:
    _require_manager(request)
    return get_object_or_404(OutcomeIndicator.objects.select_related("round"), pk=indicator_id)


@login_required
@require_http_methods(["GET", "POST"])
def indicator_edit(request, indicator_id):
    """Rename an indicator, or change its unit or kind."""
    indicator = _indicator(request, indicator_id)
    form = IndicatorForm(request.POST or None, initial={
        "name_en": indicator.name_en, "name_zh": indicator.name_zh, "unit": indicator.unit,
        "kind": indicator.kind})
    if request.method == "POST" and form.is_valid():
        try:
            outcome_indicator_change(actor=request.user, indicator=indicator,
                                     **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("The indicator is saved."))
            return redirect(reverse("progress:round_reporting", args=[indicator.round.code])
                            + "#indicators")
    return render(request, "subsidy/progress/indicator.html",
                  {"indicator": indicator, "round": indicator.round, "form": form},
                  status=400 if form.errors else 200)


ACTIONS = {
    "up": (lambda user, indicator: outcome_indicator_move(actor=user, indicator=indicator,
                                                          up=True)),
    "down": (lambda user, indicator: outcome_indicator_move(actor=user, indicator=indicator,
                                                            up=False)),
    "retire": (lambda user, indicator: outcome_indicator_retire(actor=user,
                                                                indicator=indicator)),
    "reinstate": (lambda user, indicator: outcome_indicator_retire(
        actor=user, indicator=indicator, retire=False)),
    "delete": (lambda user, indicator: outcome_indicator_delete(actor=user,
                                                                indicator=indicator)),
}


@login_required
@require_POST
def indicator_action(request, indicator_id):
    """Move an indicator up or down, retire it, bring it back or delete it; the answer is a
    message on the round's page."""
    indicator = _indicator(request, indicator_id)
    action = ACTIONS.get(request.POST.get("action", ""))
    if action is None:
        messages.error(request, _("Choose what to do with the indicator."))
    else:
        try:
            action(request.user, indicator)
        except DomainError as error:
            add_domain_error_messages(request, error)
        else:
            messages.success(request, _("The indicators are saved."))
    # Back to the row (gone once deleted), so the keyboard carries on where it was.
    anchor = ("indicators" if not OutcomeIndicator.objects.filter(pk=indicator.pk).exists()
              else f"indicator-{indicator.pk}")
    return redirect(reverse("progress:round_reporting", args=[indicator.round.code])
                    + f"#{anchor}")
