"""Finance pages for grants: the list, a grant with its tranches, and the buttons that
activate, schedule, complete or terminate it."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from subsidy.agreements.services.conditions import (
    OPEN_GRANT_STATUSES,
    first_payment_problem,
    unmet_among,
)
from subsidy.compute.selectors import grant_compute_summary
from subsidy.finance import selectors
from subsidy.finance.models import BankAccount, Recovery
from subsidy.finance.services import claims, recoveries
from subsidy.finance.services import tranches as schedule
from subsidy.finance.web.forms import (
    ReasonForm,
    RecoveryForm,
    RecoveryReceiptForm,
    TrancheFormSet,
)
from subsidy.finance.web.responses import act, cleaned, require
from subsidy.platform.errors import DomainError
from subsidy.platform.permissions import Action, can
from subsidy.scheme.models import Grant


@login_required
def grant_list(request):
    grants = selectors.grants_visible_to(user=request.user)
    return render(request, "subsidy/finance/grant_list.html", {"grants": grants})


def grant_for(request, grant_id) -> Grant:
    try:
        grant = selectors.grant_with_tranches(grant_id=grant_id)
    except Grant.DoesNotExist:
        raise Http404 from None
    if not can(request.user, Action.VIEW_GRANT, grant.application):
        raise Http404
    return grant


@login_required
def grant_detail(request, grant_id):
    grant = grant_for(request, grant_id)
    organisation = grant.application.organisation
    account = BankAccount.objects.filter(organisation=organisation).first()
    can_claim = can(request.user, Action.CLAIM_TRANCHE, grant.application)
    tranches = list(grant.tranches.all())
    problems = claims.tranche_due_problems(grant) if can_claim else {}
    can_carry = grant.status == Grant.Status.ACTIVE and (
        can(request.user, Action.ADMINISTER_GRANTS) or can(request.user, Action.PREPARE_PAYMENT))
    later_scheduled = {t.number for t in tranches if t.status == "scheduled"}
    for tranche in tranches:
        tranche.due_problem = problems.get(tranche.number)
        tranche.rest = schedule.tranche_remainder(tranche)
        tranche.can_carry = (can_carry and tranche.rest > 0
                             and any(n > tranche.number for n in later_scheduled))
    unmet = unmet_among(grant.conditions_precedent.all())
    return render(request, "subsidy/finance/grant_detail.html", {
        "grant": grant, "tranches": tranches, "bank_account": account,
        "can_claim": can_claim,
        "first_payment_wait": (first_payment_problem(unmet=unmet)
                               if grant.status in OPEN_GRANT_STATUSES else None),
        "can_administer": can(request.user, Action.ADMINISTER_GRANTS),
        "may_sign": can(request.user, Action.RESPOND_TO_OFFER, grant.application),
        "can_edit_bank": can(request.user, Action.MANAGE_BANK_ACCOUNT, organisation),
        "show_full_account": can(request.user, Action.VIEW_BANK_DETAILS),
        "can_view_audit": can(request.user, Action.VIEW_AUDIT),
        "compute": grant_compute_summary(grant.pk),
        **_recovery_context(request, grant),
    })


def _recovery_context(request, grant) -> dict:
    """Recoveries are finance's: the company sees none of this section."""
    if not can(request.user, Action.VIEW_FINANCE_REPORTS):
        return {}
    return {"recoveries": selectors.grant_recoveries(grant_id=grant.pk),
            "can_recover": (can(request.user, Action.PREPARE_PAYMENT)
                            and grant.status in recoveries.RECOVERABLE),
            "can_approve_recovery": can(request.user, Action.APPROVE_PAYMENT),
            "recovery_form": RecoveryForm(), "receipt_form": RecoveryReceiptForm()}


def _form_refused(request, form, target):
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)
    return redirect(target)


@login_required
@require_POST
def recovery_raise(request, grant_id):
    grant = get_object_or_404(Grant, pk=grant_id)
    require(request, Action.PREPARE_PAYMENT)
    target = reverse("finance:grant", args=[grant.pk]) + "#recoveries"
    form = RecoveryForm(request.POST)
    if not form.is_valid():
        return _form_refused(request, form, target)
    data = form.cleaned_data
    return act(request, lambda: recoveries.recovery_raise(
        actor=request.user, grant=grant, reason=data["reason"], amount=data["amount"],
        note=data["note"]), success=_("The recovery order is raised."), target=target)


@login_required
@require_POST
def recovery_approve(request, recovery_id):
    recovery = get_object_or_404(Recovery, pk=recovery_id)
    require(request, Action.APPROVE_PAYMENT)
    return act(request, lambda: recoveries.recovery_approve(actor=request.user,
                                                            recovery=recovery),
               success=_("The recovery order is approved; receipts can be recorded."),
               target=reverse("finance:grant", args=[recovery.grant_id]) + "#recoveries")


@login_required
@require_POST
def recovery_receipt(request, recovery_id):
    recovery = get_object_or_404(Recovery, pk=recovery_id)
    require(request, Action.PREPARE_PAYMENT)
    target = reverse("finance:grant", args=[recovery.grant_id]) + "#recoveries"
    form = RecoveryReceiptForm(request.POST)
    if not form.is_valid():
        return _form_refused(request, form, target)
    data = form.cleaned_data
    return act(request, lambda: recoveries.recovery_receipt_record(
        actor=request.user, recovery=recovery, amount=data["amount"],
        received_on=data["received_on"], bank_reference=data["bank_reference"]),
        success=_("The receipt is recorded; net paid is reduced."), target=target)


@login_required
@require_POST
def tranche_carry(request, grant_id, number):
    grant = get_object_or_404(Grant, pk=grant_id)
    if not (can(request.user, Action.ADMINISTER_GRANTS)
            or can(request.user, Action.PREPARE_PAYMENT)):
        raise PermissionDenied
    return act(request, lambda: schedule.tranche_carry_remainder(actor=request.user,
                                                                 grant=grant, number=number),
               success=lambda target: _("The unclaimed rest is carried to tranche %(n)s.")
               % {"n": target.number},
               target=reverse("finance:grant", args=[grant.pk]))


@login_required
@require_POST
def grant_activate(request, grant_id):
    grant = get_object_or_404(Grant, pk=grant_id)
    require(request, Action.ADMINISTER_GRANTS)
    return act(request, lambda: schedule.grant_activate(actor=request.user, grant=grant),
                success=_("The grant is active; its tranches are scheduled."),
                target=reverse("finance:grant", args=[grant.pk]))


@login_required
@require_http_methods(["GET", "POST"])
def grant_schedule(request, grant_id):
    """The officer adjusts the tranche schedule of an accepted grant before it starts."""
    grant = get_object_or_404(Grant.objects.select_related("application"), pk=grant_id)
    require(request, Action.ADMINISTER_GRANTS)
    current = ([{"description": t.description, "due_date": t.due_date, "amount": t.amount}
                for t in grant.tranches.order_by("number")]
               or [{"description": row.description, "due_date": row.due_date,
                    "amount": row.amount}
                   for row in schedule.schedule_from_milestones(grant=grant)])
    formset = TrancheFormSet(request.POST or None, initial=current, prefix="tranche")
    error = None
    if request.method == "POST" and formset.is_valid():
        rows = [schedule.TrancheRow(description=form.cleaned_data["description"],
                                    due_date=form.cleaned_data["due_date"],
                                    amount=form.cleaned_data["amount"])
                for form in formset.forms
                if form.cleaned_data and not form.cleaned_data.get("DELETE")]
        try:
            schedule.tranche_schedule_set(actor=request.user, grant=grant, rows=rows)
        except DomainError as exc:
            error = exc
        else:
            messages.success(request, _("Schedule saved."))
            return redirect(reverse("finance:grant", args=[grant.pk]))
    return render(request, "subsidy/finance/schedule_form.html",
                  {"grant": grant, "formset": formset, "error": error})


@login_required
@require_POST
def grant_complete(request, grant_id):
    grant = get_object_or_404(Grant, pk=grant_id)
    require(request, Action.ADMINISTER_GRANTS)
    return act(request, lambda: schedule.grant_complete(actor=request.user, grant=grant),
                success=_("The grant is completed."),
                target=reverse("finance:grant", args=[grant.pk]))


@login_required
@require_POST
def grant_terminate(request, grant_id):
    grant = get_object_or_404(Grant, pk=grant_id)
    require(request, Action.ADMINISTER_GRANTS)
    reason = cleaned(ReasonForm(request.POST), "reason")
    return act(request, lambda: schedule.grant_terminate(actor=request.user, grant=grant,
                                                          reason=reason),
                success=_("The grant is terminated; its unpaid tranches are cancelled."),
                target=reverse("finance:grant", args=[grant.pk]))
