"""Finance pages for payments: the organisation's bank account and finance's verification
of it, the payment work queue, preparing, approving, batching, releasing and settling
payments, and the bank statements that settle them."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from applicants.models import Organisation
from subsidy.finance import selectors
from subsidy.finance.bankfiles.records import BankStatement
from subsidy.finance.models import BankAccount, Claim, Disbursement, PaymentBatch
from subsidy.finance.reports import exports
from subsidy.finance.services import bank, payments, statements
from subsidy.finance.web.forms import (
    BankAccountForm,
    MarkPaidForm,
    ReasonForm,
    ReleaseForm,
    StatementForm,
)
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
def bank_accounts(request):
    """Finance's list of accounts to verify, newest change first."""
    require(request, Action.VERIFY_BANK_ACCOUNT)
    return render(request, "subsidy/finance/bank_accounts.html", {
        "to_verify": selectors.bank_accounts_to_verify(),
        "recent": selectors.bank_accounts_recently_verified()[:20],
    })


@login_required
@require_POST
def bank_account_verify(request, account_id):
    account = get_object_or_404(BankAccount, pk=account_id)
    return act(request, lambda: bank.bank_account_verify(actor=request.user, account=account),
               success=_("Bank account verified."), target=reverse("finance:bank_accounts"))


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
    batch = get_object_or_404(PaymentBatch.objects.select_related("released_by",
                                                                  "created_by"), pk=batch_id)
    fmt = request.GET.get("format")
    if fmt == "xml":
        if not batch.is_released:
            raise Http404
        response = HttpResponse(batch.file_xml.encode(), content_type="application/xml")
        response["Content-Disposition"] = f'attachment; filename="{batch.reference}.xml"'
        return response
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
        "can_view_audit": can(request.user, Action.VIEW_AUDIT),
        "can_release": can(request.user, Action.RELEASE_PAYMENT_BATCH),
        "release_form": ReleaseForm(initial={"execution_date": timezone.localdate()}),
    })


@login_required
@require_POST
def batch_release(request, batch_id):
    require(request, Action.RELEASE_PAYMENT_BATCH)
    batch = get_object_or_404(PaymentBatch, pk=batch_id)
    target = reverse("finance:batch", args=[batch.pk])
    form = ReleaseForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter the requested execution date."))
        return redirect(target)
    return act(request, lambda: payments.payment_batch_release(
        actor=request.user, batch=batch, **form.cleaned_data),
        success=_("Batch released to the bank; its file is fixed."), target=target)


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
        success=_("Payment marked failed; it stays in its batch, and its claim waits for a "
                  "new payment."),
        target=_batch_target(payment))


@login_required
@require_http_methods(["GET", "POST"])
def statement_list(request):
    """Import a bank statement; the statements imported so far."""
    require(request, Action.PREPARE_PAYMENT)
    form = StatementForm(request.POST or None, request.FILES or None)
    problems = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            statement = statements.bank_statement_import(
                actor=request.user, file_name=upload.name, content=upload.read())
        except statements.StatementRefusedError as error:
            problems = error.problems
            form.add_error("file", _("The statement was not imported; nothing was "
                                     "changed. Correct the lines below and import it again."))
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Statement imported."))
            return redirect(reverse("finance:statement", args=[statement.pk]))
    return render(request, "subsidy/finance/statements.html", {
        "form": form, "problems": problems,
        "statements": selectors.statements_with_counts()[:50]}, status=400 if problems else 200)


@login_required
def statement_detail(request, statement_id):
    require(request, Action.PREPARE_PAYMENT)
    statement = get_object_or_404(BankStatement.objects.select_related("imported_by"),
                                  pk=statement_id)
    return render(request, "subsidy/finance/statement_detail.html", {
        "statement": statement, "entries": selectors.statement_entries(statement=statement)})


@login_required
def statement_exceptions(request):
    """Every statement entry that did not settle a payment, newest statement first."""
    require(request, Action.PREPARE_PAYMENT)
    return render(request, "subsidy/finance/statement_exceptions.html", {
        "entries": selectors.statement_exceptions()[:500]})
