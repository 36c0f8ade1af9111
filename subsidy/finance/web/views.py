"""Finance pages: grants and their tranches, claims, the payment work queue, batches,
the dashboard and the registers. Views parse input, call one service or selector, and
render; every rule lives in ``subsidy.finance.services`` and ``subsidy.platform.permissions``."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from applicants.errors import ProblemsError
from applicants.models import Organisation
from subsidy.finance import selectors
from subsidy.finance.models import BankAccount, Claim, ClaimEvidence, Disbursement, PaymentBatch
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
from subsidy.finance.services import bank, claims, payments
from subsidy.finance.services import tranches as schedule
from subsidy.finance.web.forms import (
    BankAccountForm,
    ClaimForm,
    CommentForm,
    MarkPaidForm,
    ReasonForm,
    RegisterFilterForm,
    TrancheFormSet,
)
from subsidy.platform.errors import DomainError
from subsidy.platform.permissions import Action, can
from subsidy.scheme.models import Grant


def _require(request, action, obj=None):
    if not can(request.user, action, obj):
        raise PermissionDenied


def _form_errors(form, error: DomainError) -> None:
    """Show a service's refusal next to the field it names, or at the top of the form."""
    problems = error.problems if isinstance(error, ProblemsError) else [
        (error.field, error.message)]
    for field, message in problems:
        form.add_error(field if field in form.fields else None, message)


def _act(request, call, *, success, target: str, next_target=None):
    """Run one service call for a POST button: on refusal, show the reason and go back to
    ``target``; on success, confirm and go on to ``next_target`` (a URL, or a function of
    the service's result)."""
    try:
        result = call()
    except DomainError as error:
        messages.error(request, error.message)
        return redirect(target)
    messages.success(request, success(result) if callable(success) else success)
    return redirect(next_target(result) if callable(next_target) else next_target or target)


def _cleaned(form, name: str) -> str:
    return form.cleaned_data[name] if form.is_valid() else ""


# --- Grants and claims ---------------------------------------------------------------------

@login_required
def grant_list(request):
    grants = selectors.grants_visible_to(user=request.user)
    return render(request, "subsidy/finance/grant_list.html", {"grants": grants})


def _grant_for(request, grant_id) -> Grant:
    try:
        grant = selectors.grant_with_tranches(grant_id=grant_id)
    except Grant.DoesNotExist:
        raise Http404 from None
    if not can(request.user, Action.VIEW_GRANT, grant.application):
        raise Http404
    return grant


@login_required
def grant_detail(request, grant_id):
    grant = _grant_for(request, grant_id)
    organisation = grant.application.organisation
    account = BankAccount.objects.filter(organisation=organisation).first()
    can_claim = can(request.user, Action.CLAIM_TRANCHE, grant.application)
    tranches = list(grant.tranches.all())
    problems = claims.tranche_due_problems(grant) if can_claim else {}
    for tranche in tranches:
        tranche.due_problem = problems.get(tranche.number)
    return render(request, "subsidy/finance/grant_detail.html", {
        "grant": grant, "tranches": tranches, "bank_account": account,
        "can_claim": can_claim,
        "can_administer": can(request.user, Action.ADMINISTER_GRANTS),
        "can_edit_bank": can(request.user, Action.MANAGE_BANK_ACCOUNT, organisation),
        "show_full_account": can(request.user, Action.VIEW_BANK_DETAILS),
        "terminate_form": ReasonForm(),
    })


@login_required
@require_POST
def grant_activate(request, grant_id):
    grant = get_object_or_404(Grant, pk=grant_id)
    _require(request, Action.ADMINISTER_GRANTS)
    return _act(request, lambda: schedule.grant_activate(actor=request.user, grant=grant),
                success=_("The grant is active; its tranches are scheduled."),
                target=reverse("finance_grant", args=[grant.pk]))


@login_required
@require_http_methods(["GET", "POST"])
def grant_schedule(request, grant_id):
    """The officer adjusts the tranche schedule of an accepted grant before it starts."""
    grant = get_object_or_404(Grant.objects.select_related("application"), pk=grant_id)
    _require(request, Action.ADMINISTER_GRANTS)
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
            return redirect(reverse("finance_grant", args=[grant.pk]))
    return render(request, "subsidy/finance/schedule_form.html",
                  {"grant": grant, "formset": formset, "error": error})


@login_required
@require_POST
def grant_complete(request, grant_id):
    grant = get_object_or_404(Grant, pk=grant_id)
    _require(request, Action.ADMINISTER_GRANTS)
    return _act(request, lambda: schedule.grant_complete(actor=request.user, grant=grant),
                success=_("The grant is completed."),
                target=reverse("finance_grant", args=[grant.pk]))


@login_required
@require_POST
def grant_terminate(request, grant_id):
    grant = get_object_or_404(Grant, pk=grant_id)
    _require(request, Action.ADMINISTER_GRANTS)
    reason = _cleaned(ReasonForm(request.POST), "reason")
    return _act(request, lambda: schedule.grant_terminate(actor=request.user, grant=grant,
                                                          reason=reason),
                success=_("The grant is terminated; its unpaid tranches are cancelled."),
                target=reverse("finance_grant", args=[grant.pk]))


def _claim_input(form) -> claims.ClaimInput:
    evidence = [form.cleaned_data["evidence"]] if form.cleaned_data.get("evidence") else []
    return claims.ClaimInput(amount=form.cleaned_data["amount"],
                             narrative=form.cleaned_data["narrative"],
                             spend=form.spend(), evidence=evidence)


@login_required
@require_http_methods(["GET", "POST"])
def tranche_claim(request, grant_id, number):
    grant = _grant_for(request, grant_id)
    _require(request, Action.CLAIM_TRANCHE, grant.application)
    tranche = next((t for t in grant.tranches.all() if t.number == number), None)
    if tranche is None:
        raise Http404
    lines = grant.application.budget_lines.order_by("position", "id")
    form = ClaimForm(request.POST or None, request.FILES or None, budget_lines=lines,
                     initial={"amount": tranche.amount})
    if request.method == "POST" and form.is_valid():
        try:
            claim = claims.claim_submit(actor=request.user, tranche=tranche,
                                        data=_claim_input(form))
        except DomainError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("Your claim has been sent for verification."))
            return redirect(reverse("finance_claim", args=[claim.pk]))
    return render(request, "subsidy/finance/claim_form.html",
                  {"grant": grant, "tranche": tranche, "form": form,
                   "problem": claims.tranche_due_problem(tranche)})


def _claim_for(request, claim_id) -> Claim:
    try:
        claim = selectors.claim_detail(claim_id=claim_id)
    except Claim.DoesNotExist:
        raise Http404 from None
    if not can(request.user, Action.VIEW_GRANT, claim.tranche.grant.application):
        raise Http404
    return claim


@login_required
@require_http_methods(["GET", "POST"])
def claim_detail(request, claim_id):
    claim = _claim_for(request, claim_id)
    application = claim.tranche.grant.application
    can_revise = (claim.status == Claim.Status.RETURNED
                  and can(request.user, Action.CLAIM_TRANCHE, application))
    if request.method == "POST" and not can_revise:
        raise PermissionDenied
    form = None
    if can_revise:
        lines = application.budget_lines.order_by("position", "id")
        form = ClaimForm(request.POST or None, request.FILES or None, budget_lines=lines,
                         initial={"amount": claim.amount, "narrative": claim.narrative})
        if request.method == "POST" and form.is_valid():
            try:
                claims.claim_resubmit(actor=request.user, claim=claim,
                                      data=_claim_input(form))
            except DomainError as error:
                _form_errors(form, error)
            else:
                messages.success(request, _("Your revised claim has been sent."))
                return redirect(reverse("finance_claim", args=[claim.pk]))
    return render(request, "subsidy/finance/claim_detail.html", {
        "claim": claim, "form": form, "return_form": CommentForm(),
        "can_verify": (claim.status == Claim.Status.SUBMITTED
                       and can(request.user, Action.VERIFY_CLAIM)),
    })


@login_required
def evidence_download(request, evidence_id):
    """Evidence is served only here, to those who may see the grant."""
    evidence = (ClaimEvidence.objects.select_related("claim__tranche__grant__application")
                .filter(pk=evidence_id).first())
    if evidence is None or not can(request.user, Action.VIEW_GRANT,
                                   evidence.claim.tranche.grant.application):
        raise Http404
    response = FileResponse(default_storage.open(evidence.file.name, "rb"), as_attachment=True,
                            filename=evidence.original_name, content_type=evidence.mime_type)
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def claim_verify(request, claim_id):
    claim = get_object_or_404(Claim, pk=claim_id)
    _require(request, Action.VERIFY_CLAIM)
    return _act(request, lambda: claims.claim_verify(actor=request.user, claim=claim),
                success=_("Claim verified; finance can prepare the payment."),
                target=reverse("finance_claim", args=[claim.pk]),
                next_target=reverse("finance_claims"))


@login_required
@require_POST
def claim_return(request, claim_id):
    claim = get_object_or_404(Claim, pk=claim_id)
    _require(request, Action.VERIFY_CLAIM)
    comment = _cleaned(CommentForm(request.POST), "comment")
    return _act(request, lambda: claims.claim_return(actor=request.user, claim=claim,
                                                     comment=comment),
                success=_("Claim returned to the applicant."),
                target=reverse("finance_claim", args=[claim.pk]),
                next_target=reverse("finance_claims"))


@login_required
def claim_queue(request):
    _require(request, Action.VERIFY_CLAIM)
    return render(request, "subsidy/finance/claim_queue.html",
                  {"claims": selectors.claims_awaiting_verification()})


@login_required
@require_http_methods(["GET", "POST"])
def bank_account(request, organisation_id):
    organisation = get_object_or_404(Organisation, pk=organisation_id)
    _require(request, Action.MANAGE_BANK_ACCOUNT, organisation)
    account = BankAccount.objects.filter(organisation=organisation).first()
    form = BankAccountForm(request.POST or None, initial={
        "bank_name": account.bank_name if account else "",
        "account_name": account.account_name if account else organisation.name_en})
    if request.method == "POST" and form.is_valid():
        try:
            bank.bank_account_save(actor=request.user, organisation=organisation,
                                   **form.cleaned_data)
        except DomainError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("Bank account saved."))
            target = request.GET.get("next") or ""
            if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
                target = reverse("finance_grants")
            return redirect(target or reverse("finance_grants"))
    return render(request, "subsidy/finance/bank_account.html",
                  {"organisation": organisation, "account": account, "form": form})


# --- Payments ------------------------------------------------------------------------------

@login_required
def payment_queue(request):
    if not (can(request.user, Action.PREPARE_DISBURSEMENT)
            or can(request.user, Action.APPROVE_DISBURSEMENT)):
        raise PermissionDenied
    status = Disbursement.Status
    return render(request, "subsidy/finance/payment_queue.html", {
        "to_prepare": selectors.claims_awaiting_preparation(),
        "to_approve": selectors.payments(status.PREPARED),
        "to_batch": selectors.payments(status.APPROVED),
        "batches": selectors.batches_with_totals()[:20],
        "can_prepare": can(request.user, Action.PREPARE_DISBURSEMENT),
        "can_approve": can(request.user, Action.APPROVE_DISBURSEMENT),
    })


@login_required
@require_POST
def payment_prepare(request, claim_id):
    claim = get_object_or_404(Claim, pk=claim_id)
    return _act(request, lambda: payments.disbursement_prepare(actor=request.user,
                                                               claim=claim),
                success=_("Payment prepared; a finance approver must approve it."),
                target=reverse("finance_payments"))


@login_required
@require_POST
def payment_approve(request, payment_id):
    payment = get_object_or_404(Disbursement, pk=payment_id)
    return _act(request, lambda: payments.disbursement_approve(actor=request.user,
                                                               disbursement=payment),
                success=_("Payment approved."), target=reverse("finance_payments"))


@login_required
@require_POST
def batch_create(request):
    ids = [int(value) for value in request.POST.getlist("payment") if value.isdigit()]
    return _act(request, lambda: payments.payment_batch_create(actor=request.user,
                                                               disbursement_ids=ids),
                success=lambda batch: _("Batch %(ref)s created.") % {"ref": batch.reference},
                target=reverse("finance_payments"),
                next_target=lambda batch: reverse("finance_batch", args=[batch.pk]))


@login_required
def batch_detail(request, batch_id):
    _require(request, Action.VIEW_BANK_DETAILS)
    batch = get_object_or_404(PaymentBatch, pk=batch_id)
    fmt = request.GET.get("format")
    if fmt in ("csv", "xlsx"):
        rows = exports.batch_rows(batch)
        if fmt == "csv":
            return exports.csv_response(rows, exports.BATCH_COLUMNS, batch.reference)
        return exports.xlsx_response(rows, exports.BATCH_COLUMNS, batch.reference,
                                     batch.reference)
    return render(request, "subsidy/finance/batch_detail.html", {
        "batch": batch, "totals": payments.batch_totals(batch=batch),
        "payments": selectors.batch_payments(batch=batch),
        "can_mark": can(request.user, Action.PREPARE_DISBURSEMENT),
    })


def _batch_target(payment: Disbursement) -> str:
    if payment.batch_id:
        return reverse("finance_batch", args=[payment.batch_id])
    return reverse("finance_payments")


@login_required
@require_POST
def payment_paid(request, payment_id):
    payment = get_object_or_404(Disbursement, pk=payment_id)
    form = MarkPaidForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter the bank reference and the value date."))
        return redirect(_batch_target(payment))
    return _act(request, lambda: payments.payment_mark_paid(
        actor=request.user, disbursement=payment, **form.cleaned_data),
        success=_("Payment marked paid."), target=_batch_target(payment))


@login_required
@require_POST
def payment_failed(request, payment_id):
    payment = get_object_or_404(Disbursement, pk=payment_id)
    reason = _cleaned(ReasonForm(request.POST), "reason")
    return _act(request, lambda: payments.payment_mark_failed(
        actor=request.user, disbursement=payment, reason=reason),
        success=_("Payment marked failed; it is back among the approved payments."),
        target=_batch_target(payment))


# --- Dashboard, registers, open data -------------------------------------------------------

@login_required
def dashboard(request):
    _require(request, Action.VIEW_FINANCE_REPORTS)
    schemes = figures.scheme_totals()
    envelopes = sum((s["envelopes"] for s in schemes), 0)
    forecast = figures.forecast_by_month()
    burn = figures.burn_down(envelopes=envelopes)
    return render(request, "subsidy/finance/dashboard.html", {
        "schemes": schemes,
        "by_category": figures.by_dimension("category"),
        "by_sector": figures.by_dimension("sector"),
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
    _require(request, Action.VIEW_FINANCE_REPORTS)
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
    _require(request, Action.VIEW_FINANCE_REPORTS)
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
