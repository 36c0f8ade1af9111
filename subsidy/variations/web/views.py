"""The variation pages: the company's request on its grant, each variation's page (the
officer's or the panel's decision, with the re-profiled tranches shown before approving),
and the officers' list of variations waiting."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from applicants.models import BudgetLine, Milestone
from subsidy.platform.errors import DomainError
from subsidy.platform.permissions import Action, can
from subsidy.platform.security import client_ip
from subsidy.platform.web.errors import add_domain_error, add_domain_error_messages
from subsidy.scheme.models import FundingRound
from subsidy.variations import selectors
from subsidy.variations.models import Variation
from subsidy.variations.services.decisions import (
    can_decide,
    variation_approve,
    variation_preview,
    variation_reject,
)
from subsidy.variations.services.proposal import VARIABLE_STATUSES
from subsidy.variations.services.proposal import round_rules as round_rules_of
from subsidy.variations.services.requests import variation_request, variation_withdraw
from subsidy.variations.services.rules import round_variation_rules_set
from subsidy.variations.web.forms import DecisionForm, RoundRulesForm, VariationForm


def _grant_or_404(request, grant_id):
    grant = selectors.grant_for_variation(grant_id=grant_id)
    if grant is None or not can(request.user, Action.VIEW_GRANT, grant.application):
        raise Http404
    return grant


def _may_request(user, grant) -> bool:
    return (grant.status in VARIABLE_STATUSES
            and can(user, Action.RESPOND_TO_OFFER, grant.application))


@login_required
def grant_variations(request, grant_id):
    grant = _grant_or_404(request, grant_id)
    variations = selectors.grant_variations(grant)
    return render(request, "subsidy/variations/grant.html", {
        "grant": grant, "variations": variations,
        "can_request": _may_request(request.user, grant)
        and not any(v.is_open for v in variations),
        "rules": round_rules_of(grant.round)})


@login_required
@require_http_methods(["GET", "POST"])
def variation_request_view(request, grant_id):
    """An owner of the company asks for a change; on a refusal the form comes back with
    everything entered and each reason beside its field."""
    grant = _grant_or_404(request, grant_id)
    if not _may_request(request.user, grant):
        raise PermissionDenied
    form = VariationForm(
        request.POST or None,
        milestones=Milestone.objects.filter(application_id=grant.application_id)
        .order_by("position", "due_date", "id"),
        budget_lines=BudgetLine.objects.filter(application_id=grant.application_id)
        .order_by("position", "id"))
    if request.method == "POST" and form.is_valid():
        try:
            variation = variation_request(actor=request.user, grant=grant,
                                          data=form.to_input())
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Your request is sent. You will hear of the decision "
                                        "by email and in your inbox."))
            return redirect("variations:detail", variation.pk)
    return render(request, "subsidy/variations/request.html", {
        "grant": grant, "form": form, "rules": round_rules_of(grant.round)},
        status=400 if form.errors else 200)


def _variation_or_404(request, variation_id) -> Variation:
    variation = selectors.variation_with_grant(variation_id=variation_id)
    if variation is None:
        raise Http404
    application = variation.grant.application
    if not (can(request.user, Action.VIEW_GRANT, application)
            or can(request.user, Action.ADMINISTER_GRANTS)
            or (variation.decider == Variation.Decider.PANEL
                and can(request.user, Action.DECIDE_APPLICATIONS, application))):
        raise Http404
    return variation


@login_required
def variation_detail(request, variation_id, form=None):
    variation = _variation_or_404(request, variation_id)
    deciding = can_decide(request.user, variation)
    return render(request, "subsidy/variations/detail.html", {
        "variation": variation, "grant": variation.grant,
        "deciding": deciding,
        "preview": variation_preview(variation) if deciding else None,
        "form": form or DecisionForm(),
        "can_withdraw": variation.is_open
        and can(request.user, Action.RESPOND_TO_OFFER, variation.grant.application),
    }, status=400 if form is not None else 200)


@login_required
@require_POST
def variation_decide(request, variation_id):
    variation = _variation_or_404(request, variation_id)
    if not can_decide(request.user, variation):
        raise PermissionDenied
    form = DecisionForm(request.POST)
    if form.is_valid():
        decide = (variation_approve if form.cleaned_data["decision"] == "approve"
                  else variation_reject)
        try:
            decided = decide(actor=request.user, variation=variation,
                             reason=form.cleaned_data["reason"], ip_address=client_ip(request))
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("The variation is %(status)s.")
                             % {"status": decided.get_status_display().lower()})
            return redirect("variations:detail", variation.pk)
    return variation_detail(request, variation_id, form=form)


@login_required
@require_POST
def variation_withdraw_view(request, variation_id):
    variation = _variation_or_404(request, variation_id)
    if not can(request.user, Action.RESPOND_TO_OFFER, variation.grant.application):
        raise PermissionDenied
    try:
        variation_withdraw(actor=request.user, variation=variation)
    except DomainError as error:
        add_domain_error_messages(request, error)
    else:
        messages.success(request, _("The request is withdrawn."))
    return redirect("variations:detail", variation.pk)


@login_required
def pending_list(request):
    """The variations waiting: every one for programme officers, the panel's for panel
    members."""
    officer = can(request.user, Action.ADMINISTER_GRANTS)
    if not (officer or can(request.user, Action.DECIDE_APPLICATIONS)):
        raise PermissionDenied
    return render(request, "subsidy/variations/pending.html", {
        "variations": selectors.pending_variations(panel_only=not officer)})


@login_required
@require_http_methods(["GET", "POST"])
def round_rules(request, code):
    """A round's variation rules, set by the staff who manage rounds."""
    if not can(request.user, Action.MANAGE_ROUNDS):
        raise PermissionDenied
    round_ = get_object_or_404(FundingRound, code=code)
    current = round_rules_of(round_)
    form = RoundRulesForm(request.POST or None, initial={
        "budget_tolerance_percent": current.budget_tolerance_percent,
        "panel_threshold": current.panel_threshold})
    if request.method == "POST" and form.is_valid():
        try:
            round_variation_rules_set(actor=request.user, round_=round_, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("The round's variation rules are saved."))
            return redirect("variations:round_rules", round_.code)
    return render(request, "subsidy/variations/round_rules.html",
                  {"round": round_, "form": form}, status=400 if form.errors else 200)
