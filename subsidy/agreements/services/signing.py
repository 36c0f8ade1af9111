"""Accepting an offer by signing its agreement.

The application's ``accept_offer`` step requires a signature (``SIGNATURE``): this package
registers ``offer_signature_record`` as its effect, so no page, API or job accepts an offer
without one. The effect draws the offer document again under the grant's row lock and
refuses when its SHA-256 is not the one the signer read; otherwise it keeps the exact bytes
signed, with the signer's name and title, the time and their address, and opens the grant's
conditions precedent.
"""

from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from applicants.errors import ProblemsError
from applicants.workflow import TransitionContext, application_transition
from subsidy.agreements.document import OfferDocument, conditions_of, offer_document
from subsidy.agreements.models import ConditionPrecedent, GrantAgreement
from subsidy.platform.audit import audit_record
from subsidy.platform.errors import DomainError
from subsidy.scheme.models import Grant

_GRANT_RELATED = ("application__organisation", "round__scheme")


@dataclass(frozen=True)
class Signature:
    name: str
    title: str
    # The SHA-256 of the document the signer was shown.
    sha256: str
    ip_address: str | None = None


def offer_document_current(*, grant: Grant) -> OfferDocument:
    """The offer document as it stands now, to read before signing."""
    grant = Grant.objects.select_related(*_GRANT_RELATED).get(pk=grant.pk)
    return offer_document(grant)


def offer_sign(*, actor, grant: Grant, signature: Signature) -> GrantAgreement:
    """The company's owner accepts the offer by signing its agreement (the application's
    ``accept_offer`` step, with everything that follows it)."""
    application_transition(actor=actor, application=grant.application,
                           transition_name="accept_offer", signature=signature)
    return GrantAgreement.objects.defer("document").get(grant_id=grant.pk, version=1)


def signature_problems(signature) -> list[tuple[str | None, str]]:
    problems = []
    if not (signature.name or "").strip():
        problems.append(("signer_name", _("Enter your full name as you sign.")))
    elif len(signature.name.strip()) > 200:
        problems.append(("signer_name", _("Keep your name to 200 characters or fewer.")))
    if not (signature.title or "").strip():
        problems.append(("signer_title", _("Enter your title in the company, for example "
                                           "Director.")))
    elif len(signature.title.strip()) > 200:
        problems.append(("signer_title", _("Keep your title to 200 characters or fewer.")))
    return problems


def signature_require(signature: Signature, *, sha256: str, changed: str) -> None:
    """Refuse ``signature`` with its name or title missing, or when the document the
    signer read is not the one to sign (its hash is not ``sha256``: ``changed`` says so)."""
    problems = signature_problems(signature)
    if problems:
        raise ProblemsError(problems, code="signature_invalid")
    if signature.sha256 != sha256:
        raise DomainError(changed, code="document_changed")


def signature_fields(signature: Signature, *, actor) -> dict:
    """What a signature records on the agreement: who, as what, when and from where."""
    return {"signer_name": signature.name.strip(), "signer_title": signature.title.strip(),
            "signed_by": actor, "signed_at": timezone.now(),
            "ip_address": signature.ip_address}


def offer_signature_record(ctx: TransitionContext) -> None:
    """The signature of ``accept_offer``: refused without one, with a name or title
    missing, or when the document changed since the signer read it (another hash)."""
    signature = ctx.payload.get("signature")
    if not isinstance(signature, Signature):
        raise DomainError(_("Accepting the offer means signing its offer letter and grant "
                            "agreement: read it, give your name and title, and sign."),
                          code="signature_missing")
    grant = (Grant.objects.select_for_update(of=("self",)).select_related(*_GRANT_RELATED)
             .get(application_id=ctx.application.pk))
    if grant.status != Grant.Status.OFFERED:
        raise DomainError(_("This grant offer has already been answered."), code="answered")
    document = offer_document(grant)
    signature_require(signature, sha256=document.sha256, changed=_(
        "The offer letter and agreement changed after you opened it. Nothing was signed: "
        "read the current version and sign again."))
    agreement = GrantAgreement.objects.create(
        grant=grant, version=1, document=document.content, sha256=document.sha256,
        **signature_fields(signature, actor=ctx.actor))
    conditions = ConditionPrecedent.objects.bulk_create([
        ConditionPrecedent(grant=grant, number=number, text=text)
        for number, text in enumerate(conditions_of(grant), start=1)])
    audit_record(actor=ctx.actor, action="grant.agreement_sign", obj=grant,
                 after={"version": agreement.version, "sha256": agreement.sha256,
                        "signer_name": agreement.signer_name,
                        "signer_title": agreement.signer_title,
                        "ip_address": agreement.ip_address,
                        "conditions_precedent": len(conditions)})
