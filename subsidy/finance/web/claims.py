"""Finance pages for claims: an applicant's claim on a tranche, the claim with its
evidence, and the officer's verify and return buttons and queue."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from applicants.services.filetypes import download_name
from subsidy.finance import selectors
from subsidy.finance.models import Claim, ClaimEvidence
from subsidy.finance.services import claims
from subsidy.finance.web.forms import ClaimForm, CommentForm
from subsidy.finance.web.grants import grant_for
from subsidy.finance.web.responses import act, cleaned, require
from subsidy.platform.errors import DomainError
from subsidy.platform.permissions import Action, can
from subsidy.platform.virus_scan import virus_scanner
from subsidy.platform.web.errors import add_domain_error
from subsidy.progress.selectors import reports_for_claim


def _claim_input(form) -> claims.ClaimInput:
    evidence = [form.cleaned_data["evidence"]] if form.cleaned_data.get("evidence") else []
    return claims.ClaimInput(amount=form.cleaned_data["amount"],
                             narrative=form.cleaned_data["narrative"],
                             spend=form.spend(), evidence=evidence,
                             report_id=form.cleaned_data.get("report"))


def _reports(tranche):
    """The milestone's reports sent already, which the claim may point to."""
    return list(reports_for_claim(milestone_id=tranche.milestone_id,
                                  grant_id=tranche.grant_id))


@login_required
@require_http_methods(["GET", "POST"])
def tranche_claim(request, grant_id, number):
    grant = grant_for(request, grant_id)
    require(request, Action.CLAIM_TRANCHE, grant.application)
    tranche = next((t for t in grant.tranches.all() if t.number == number), None)
    if tranche is None:
        raise Http404
    lines = grant.application.budget_lines.order_by("position", "id")
    form = ClaimForm(request.POST or None, request.FILES or None, budget_lines=lines,
                     reports=_reports(tranche), initial={"amount": tranche.amount})
    if request.method == "POST" and form.is_valid():
        try:
            claim = claims.claim_submit(actor=request.user, tranche=tranche,
                                        data=_claim_input(form))
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Your claim has been sent for verification."))
            return redirect(reverse("finance:claim", args=[claim.pk]))
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
                         reports=_reports(claim.tranche),
                         initial={"amount": claim.amount, "narrative": claim.narrative,
                                  "report": claim.progress_report_id})
        if request.method == "POST" and form.is_valid():
            try:
                claims.claim_resubmit(actor=request.user, claim=claim,
                                      data=_claim_input(form))
            except DomainError as error:
                add_domain_error(form, error)
            else:
                messages.success(request, _("Your revised claim has been sent."))
                return redirect(reverse("finance:claim", args=[claim.pk]))
    return render(request, "subsidy/finance/claim_detail.html", {
        "claim": claim, "form": form, "return_form": CommentForm(),
        "can_verify": (claim.status == Claim.Status.SUBMITTED
                       and can(request.user, Action.VERIFY_CLAIM)),
        # Staff are told when no scanner checked the files (docs/deployment.md).
        "evidence_unscanned": (virus_scanner() is None
                               and not can(request.user, Action.CLAIM_TRANCHE, application)),
        "can_view_audit": can(request.user, Action.VIEW_AUDIT),
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
                            filename=download_name(evidence.original_name, evidence.mime_type),
                            content_type=evidence.mime_type)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_POST
def claim_verify(request, claim_id):
    claim = get_object_or_404(Claim, pk=claim_id)
    require(request, Action.VERIFY_CLAIM)
    return act(request, lambda: claims.claim_verify(actor=request.user, claim=claim),
                success=_("Claim verified; finance can prepare the payment."),
                target=reverse("finance:claim", args=[claim.pk]),
                next_target=reverse("finance:claims"))


@login_required
@require_POST
def claim_return(request, claim_id):
    claim = get_object_or_404(Claim, pk=claim_id)
    require(request, Action.VERIFY_CLAIM)
    comment = cleaned(CommentForm(request.POST), "comment")
    return act(request, lambda: claims.claim_return(actor=request.user, claim=claim,
                                                     comment=comment),
                success=_("Claim returned to the applicant."),
                target=reverse("finance:claim", args=[claim.pk]),
                next_target=reverse("finance:claims"))


@login_required
def claim_queue(request):
    require(request, Action.VERIFY_CLAIM)
    return render(request, "subsidy/finance/claim_queue.html",
                  {"claims": selectors.claims_awaiting_verification()})
