"""Finance pages for payments: the organisation's bank account, the payment work queue,
preparing, approving, batching and settling payments."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from applicants.models import Organisation
from subsidy.finance import selectors
from subsidy.finance.models import BankAccount, Claim, Disbursement, PaymentBatch
from subsidy.finance.reports import exports
from subsidy.finance.services import bank, payments
from subsidy.finance.web.forms import BankAccountForm, MarkPaidForm, ReasonForm
from subsidy.finance.web.responses import act, cleaned, require
from subsidy.platform.errors import DomainError
from subsidy.platform.permissions import Action, can
from subsidy.platform.second_factor import step_up_require
from subsidy.platform.web.errors import add_domain_error


@login_required
@require_http_methods(["GET", "POST"])
def bank_account(request, organisation_id):
    organisation = get_object_or_404(Organisation, pk=organisation_id)
    require(request, Action.MANAGE_BANK_ACCOUNT, organisation)
    if request.method == "POST":
        step_up_require(request)  # where grants are paid: a fresh password and second factor
    account = BankAccount.objects.filter(organisation=organisation).first()
    form = BankAccountForm(request.POST or None, initial={
        "bank_name": account.bank_name if account else "",
        "account_name": account.account_name if account else organisation.name_en})
    if request.method == "POST" and form.is_valid():
        try:
            bank.bank_account_save(actor=request.user, organisation=organisation,
                                   **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Bank account saved."))
            target = request.GET.get("next") or ""
            if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
                target = reverse("finance:grants")
            return redirect(target or reverse("finance:grants"))
    return render(request, "subsidy/finance/bank_account.html",
                  {"organisation": organisation, "account": account, "form": form})



@login_required
def payment_queue(request):
    if not (can(request.user, Action.PREPARE_PAYMENT)
            or can(request.user, Action.APPROVE_PAYMENT)):
        raise PermissionDenied
    status = Disbursement.Status
    return render(request, "subsidy/finance/payment_queue.html", {
        "to_prepare": selectors.claims_awaiting_preparation(),
        "to_approve": selectors.payments(status.PREPARED),
        "to_batch": selectors.payments(status.APPROVED),
        "batches": selectors.batches_with_totals()[:20],
        "can_prepare": can(request.user, Action.PREPARE_PAYMENT),
        "can_approve": can(request.user, Action.APPROVE_PAYMENT),
    })


@login_required
@require_POST
def payment_prepare(request, claim_id):
    require(request, Action.PREPARE_PAYMENT)
    claim = get_object_or_404(Claim, pk=claim_id)
    return act(request, lambda: payments.payment_prepare(actor=request.user,
                                                          claim=claim),
                success=_("Payment prepared; a finance approver must approve it."),
                target=reverse("finance:payments"))


@login_required
@require_POST
def payment_approve(request, payment_id):
    require(request, Action.APPROVE_PAYMENT)
    payment = get_object_or_404(Disbursement, pk=payment_id)
    return act(request, lambda: payments.payment_approve(actor=request.user,
                                                          payment=payment),
                success=_("Payment approved."), target=reverse("finance:payments"))


@login_required
@require_POST
def batch_create(request):
    require(request, Action.PREPARE_PAYMENT)
    ids = [int(value) for value in request.POST.getlist("payment") if value.isdigit()]
    return act(request, lambda: payments.payment_batch_create(actor=request.user,
                                                               payment_ids=ids),
                success=lambda batch: _("Batch %(ref)s created.") % {"ref": batch.reference},
                target=reverse("finance:payments"),
                next_target=lambda batch: reverse("finance:batch", args=[batch.pk]))


@login_required
def batch_detail(request, batch_id):
    require(request, Action.VIEW_BANK_DETAILS)
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
        "can_mark": can(request.user, Action.PREPARE_PAYMENT),
    })


def _batch_target(payment: Disbursement) -> str:
    if payment.batch_id:
        return reverse("finance:batch", args=[payment.batch_id])
    return reverse("finance:payments")


@login_required
@require_POST
def payment_paid(request, payment_id):
    require(request, Action.PREPARE_PAYMENT)
    payment = get_object_or_404(Disbursement, pk=payment_id)
    form = MarkPaidForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter the bank reference and the value date."))
        return redirect(_batch_target(payment))
    return act(request, lambda: payments.payment_mark_paid(
        actor=request.user, payment=payment, **form.cleaned_data),
        success=_("Payment marked paid."), target=_batch_target(payment))


@login_required
@require_POST
def payment_failed(request, payment_id):
    require(request, Action.PREPARE_PAYMENT)
    payment = get_object_or_404(Disbursement, pk=payment_id)
    reason = cleaned(ReasonForm(request.POST), "reason")
    return act(request, lambda: payments.payment_mark_failed(
        actor=request.user, payment=payment, reason=reason),
        success=_("Payment marked failed; it is back among the approved payments."),
        target=_batch_target(payment))
