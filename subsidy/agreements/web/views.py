"""The offer's signing page, the agreement's downloads, and each condition precedent's page
(the company's evidence, the programme officer's check)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from applicants.services.filetypes import download_name
from subsidy.agreements import selectors
from subsidy.agreements.models import ConditionPrecedent
from subsidy.agreements.services.conditions import (
    condition_evidence_submit,
    condition_meet,
    condition_return,
)
from subsidy.agreements.services.signing import Signature, offer_document_current, offer_sign
from subsidy.agreements.services.versions import agreement_version_sign, agreement_version_to_sign
from subsidy.agreements.web.forms import ConditionCheckForm, EvidenceForm, SignForm
from subsidy.platform.errors import DomainError
from subsidy.platform.permissions import Action, can
from subsidy.platform.second_factor import step_up_require
from subsidy.platform.security import client_ip
from subsidy.platform.web.errors import add_domain_error, add_domain_error_messages
from subsidy.scheme.models import Grant


def _grant_or_404(request, grant_id) -> Grant:
    """The grant, to those who may see it (404 to anyone else)."""
    grant = selectors.grant_for_agreement(grant_id=grant_id)
    if grant is None or not can(request.user, Action.VIEW_GRANT, grant.application):
        raise Http404
    return grant


def _pdf(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _sign_form(request) -> SignForm:
    return SignForm(request.POST or None,
                    initial={"signer_name": getattr(request.user, "full_name", "")})


def _signed(request, form: SignForm, sign) -> bool:
    """Ask for the password again, then ``sign`` with the signature the form gives: True
    once it is recorded, False with the reasons on the form."""
    # Signing binds the company: the password (and second factor) again, first.
    step_up_require(request)
    if not form.is_valid():
        return False
    try:
        sign(Signature(name=form.cleaned_data["signer_name"],
                       title=form.cleaned_data["signer_title"],
                       sha256=form.cleaned_data["document_sha256"],
                       ip_address=client_ip(request)))
    except DomainError as error:
        add_domain_error(form, error)
        return False
    return True


@login_required
@require_http_methods(["GET", "POST"])
def offer_sign_view(request, grant_id):
    """Read the offer letter and agreement, then sign it: an owner of the company, with
    their name and title, after confirming who they are again."""
    grant = _grant_or_404(request, grant_id)
    application = grant.application
    if not can(request.user, Action.RESPOND_TO_OFFER, application):
        raise PermissionDenied
    if grant.status != Grant.Status.OFFERED:
        messages.info(request, _("This offer has been answered already."))
        return redirect("applicants:application", application.pk)
    form = _sign_form(request)
    if request.method == "POST" and _signed(request, form, lambda signature: offer_sign(
            actor=request.user, grant=grant, signature=signature)):
        messages.success(request, _("You have signed the agreement and accepted the "
                                    "offer. The signed copy is kept on this page."))
        return redirect("applicants:application", application.pk)
    # The page carries the hash of the version it shows now: signing is refused if the
    # document changes before the form comes back.
    document = offer_document_current(grant=grant)
    return render(request, "subsidy/agreements/sign.html", {
        "grant": grant, "application": application, "form": form,
        "document_sha256": document.sha256,
        "conditions": selectors.conditions_of(grant),
        "schedule": selectors.offer_schedule(grant),
    })


@login_required
@require_http_methods(["GET", "POST"])
def version_sign_view(request, grant_id, version):
    """Read a varied version of the agreement, then sign it: an owner of the company, as
    the offer was signed. The payments of the tranches it changed wait until then."""
    grant = _grant_or_404(request, grant_id)
    if not can(request.user, Action.RESPOND_TO_OFFER, grant.application):
        raise PermissionDenied
    agreement = agreement_version_to_sign(grant=grant, version=version)
    if agreement is None:
        if grant.agreements.filter(version=version).exists():
            messages.info(request, _("This version of the agreement has been signed already."))
            return redirect("finance:grant", grant.pk)
        raise Http404
    form = _sign_form(request)
    if request.method == "POST" and _signed(request, form, lambda signature: (
            agreement_version_sign(actor=request.user, grant=grant, version=version,
                                   signature=signature))):
        messages.success(request, _("You have signed version %(n)s of the agreement. The "
                                    "signed copy is kept on the grant's page.")
                         % {"n": version})
        return redirect("finance:grant", grant.pk)
    return render(request, "subsidy/agreements/sign_version.html", {
        "grant": grant, "application": grant.application, "agreement": agreement,
        "form": form, "document_sha256": agreement.sha256,
    }, status=400 if form.errors else 200)


@login_required
def offer_document_view(request, grant_id):
    """The offer letter and agreement as it stands, while the offer is open."""
    grant = _grant_or_404(request, grant_id)
    if grant.status != Grant.Status.OFFERED:
        raise Http404
    document = offer_document_current(grant=grant)
    return _pdf(document.content, f"offer-{grant.application.reference}.pdf")


@login_required
def signed_document_view(request, grant_id, version):
    """The exact bytes signed, to the company's members and the staff who see the grant."""
    grant = _grant_or_404(request, grant_id)
    agreement = grant.agreements.filter(version=version).first()
    if agreement is None:
        raise Http404
    state = "signed" if agreement.is_signed else "to-sign"
    return _pdf(bytes(agreement.document),
                f"agreement-{grant.application.reference}-v{agreement.version}-{state}.pdf")


def _condition_or_404(request, condition_id) -> ConditionPrecedent:
    condition = selectors.condition_with_grant(condition_id=condition_id)
    if condition is None or not can(request.user, Action.VIEW_GRANT,
                                    condition.grant.application):
        raise Http404
    return condition


@login_required
@require_http_methods(["GET", "POST"])
def condition_view(request, condition_id):
    """A condition precedent: the company sends its evidence here; the officer checks it."""
    condition = _condition_or_404(request, condition_id)
    application = condition.grant.application
    may_submit = (can(request.user, Action.SUBMIT_CONDITION_EVIDENCE, application)
                  and condition.status in (ConditionPrecedent.Status.OPEN,
                                           ConditionPrecedent.Status.RETURNED))
    form = EvidenceForm(request.POST or None, request.FILES or None,
                        initial={"evidence_text": condition.evidence_text})
    if request.method == "POST":
        if not can(request.user, Action.SUBMIT_CONDITION_EVIDENCE, application):
            raise PermissionDenied
        if form.is_valid():
            try:
                condition_evidence_submit(actor=request.user, condition=condition,
                                          text=form.cleaned_data["evidence_text"],
                                          upload=form.cleaned_data["evidence_file"])
            except DomainError as error:
                add_domain_error(form, error)
            else:
                messages.success(request, _("Your evidence has been sent to the programme "
                                            "officer."))
                return redirect("agreements:condition", condition.pk)
    return render(request, "subsidy/agreements/condition.html", {
        "condition": condition, "grant": condition.grant, "form": form,
        "may_submit": may_submit,
        "may_check": (condition.status == ConditionPrecedent.Status.SUBMITTED
                      and can(request.user, Action.CHECK_CONDITIONS)),
        "check_form": ConditionCheckForm(),
    })


@login_required
@require_POST
def condition_check_view(request, condition_id):
    condition = _condition_or_404(request, condition_id)
    if not can(request.user, Action.CHECK_CONDITIONS):
        raise PermissionDenied
    form = ConditionCheckForm(request.POST)
    target = reverse("agreements:condition", args=[condition.pk])
    if not form.is_valid():
        messages.error(request, _("Choose whether the condition is met or returned."))
        return redirect(target)
    comment = form.cleaned_data["comment"]
    try:
        if form.cleaned_data["decision"] == "met":
            condition_meet(actor=request.user, condition=condition, comment=comment)
        else:
            condition_return(actor=request.user, condition=condition, comment=comment)
    except DomainError as error:
        add_domain_error_messages(request, error)
        return redirect(target)
    messages.success(request, _("Condition %(n)s is met.") % {"n": condition.number}
                     if form.cleaned_data["decision"] == "met"
                     else _("Condition %(n)s has been returned to the company.")
                     % {"n": condition.number})
    return redirect("finance:grant", condition.grant_id)


@login_required
def condition_evidence_view(request, condition_id):
    """A condition's evidence document, to those who see the grant."""
    condition = _condition_or_404(request, condition_id)
    if not condition.evidence_file:
        raise Http404
    response = FileResponse(default_storage.open(condition.evidence_file.name, "rb"),
                            as_attachment=True,
                            filename=download_name(condition.evidence_name,
                                                   condition.evidence_type),
                            content_type=condition.evidence_type)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
