"""Later versions of a grant's agreement: each approved variation records one, and the
company's owner signs it.

The new version is the agreement drawn again from the grant as it now stands (its amount,
dates and tranche schedule), with the variation's changes listed on its first page. The
earlier versions are kept as they were signed. Cyberport records the new version (the
decider is named on it); it binds the company once an owner signs it, as the offer was
signed (``subsidy.agreements.services.signing``). Until then the payments of the tranches
it changed wait (``unsigned_version_problem``, asked by finance where a tranche is claimed
and where its payment is prepared).
"""

from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from applicants.models import Membership
from subsidy.agreements.document import OfferDocument, render, varied_terms
from subsidy.agreements.models import GrantAgreement
from subsidy.agreements.services.conditions import OPEN_GRANT_STATUSES
from subsidy.agreements.services.signing import Signature, signature_fields, signature_require
from subsidy.notifications.services.outbox import notify, organisation_names
from subsidy.platform.audit import audit_record
from subsidy.platform.errors import DomainError
from subsidy.platform.permissions import Action, require
from subsidy.scheme.models import Grant


def agreement_version_record(*, actor, grant: Grant, changes: list[str], schedule,
                             changed_tranches: list[int]) -> GrantAgreement:
    """Record the next version of ``grant``'s agreement, listing ``changes``, with
    ``schedule`` (rows with a description, a due date and an amount) as its tranches, and
    ask the company's owners to sign it. The caller holds the grant's row lock."""
    grant = Grant.objects.select_related("application__organisation",
                                         "round__scheme").get(pk=grant.pk)
    version = (GrantAgreement.objects.filter(grant_id=grant.pk)
               .aggregate(last=Max("version"))["last"] or 0) + 1
    now = timezone.now()
    document = OfferDocument(content=render(varied_terms(
        grant, version=version, changes=changes, schedule=schedule, varied_at=now)))
    agreement = GrantAgreement.objects.create(
        grant=grant, version=version, document=document.content, sha256=document.sha256,
        recorded_by=actor, recorded_at=now, changed_tranches=sorted(changed_tranches))
    audit_record(actor=actor, action="grant.agreement_version", obj=grant,
                 after={"version": version, "sha256": agreement.sha256,
                        "changes": list(changes),
                        "changed_tranches": agreement.changed_tranches})
    _owners_notify(grant, agreement)
    return agreement


def _owners_notify(grant: Grant, agreement: GrantAgreement) -> None:
    application = grant.application
    context = {"application_id": application.pk, "reference": application.reference or "",
               "title": application.title, **organisation_names(application.organisation),
               "version": agreement.version,
               "url": reverse("agreements:sign_version", args=[grant.pk, agreement.version])}
    owners = (Membership.objects.filter(organisation_id=application.organisation_id,
                                        role=Membership.Role.OWNER, user__is_active=True)
              .select_related("user"))
    for membership in owners:
        notify(recipient=membership.user, event="agreement_version_to_sign", context=context)


def agreement_version_to_sign(*, grant: Grant, version: int) -> GrantAgreement | None:
    """The varied version ``version`` of ``grant``'s agreement, while it waits for the
    company's signature; None otherwise."""
    return (GrantAgreement.objects.filter(grant_id=grant.pk, version=version,
                                          signed_at__isnull=True).first())


@transaction.atomic
def agreement_version_sign(*, actor, grant: Grant, version: int,
                           signature: Signature) -> GrantAgreement:
    """An owner of the company signs a varied version of the grant's agreement: the same
    record as the offer's signature (name, title, time, address, and the hash of the exact
    document, which must be the one the signer read)."""
    require(actor, Action.RESPOND_TO_OFFER, grant.application)
    locked_grant = Grant.objects.select_for_update(of=("self",)).get(pk=grant.pk)
    agreement = (GrantAgreement.objects.select_for_update()
                 .filter(grant_id=grant.pk, version=version).first())
    if agreement is None:
        raise DomainError(_("This grant has no such version of its agreement to sign."),
                          code="no_version")
    if agreement.is_signed:
        raise DomainError(_("This version of the agreement has been signed already."),
                          code="signed")
    if locked_grant.status not in OPEN_GRANT_STATUSES:
        raise DomainError(_("The grant is %(status)s: its agreement can no longer be signed.")
                          % {"status": locked_grant.get_status_display().lower()},
                          code="grant_closed")
    signature_require(signature, sha256=agreement.sha256, changed=_(
        "This is not the version of the agreement that waits for your signature. Nothing "
        "was signed: open the version again and sign it."))
    fields = signature_fields(signature, actor=actor)
    for name, value in fields.items():
        setattr(agreement, name, value)
    agreement.save(update_fields=list(fields))
    audit_record(actor=actor, action="grant.agreement_sign", obj=locked_grant,
                 after={"version": agreement.version, "sha256": agreement.sha256,
                        "signer_name": agreement.signer_name,
                        "signer_title": agreement.signer_title,
                        "ip_address": agreement.ip_address})
    return agreement


def unsigned_version_problem(*, tranche_number: int, agreements) -> str | None:
    """Why the payment of tranche ``tranche_number`` waits: a version of the agreement
    that changed it is not signed yet (``agreements``: the grant's versions, loaded)."""
    waiting = sorted(a.version for a in agreements
                     if not a.is_signed and tranche_number in (a.changed_tranches or []))
    if not waiting:
        return None
    return _("Tranche %(n)s waits for the company to sign version %(v)s of the agreement, "
             "which changed it.") % {"n": tranche_number, "v": waiting[0]}


def unsigned_versions(*, grant_id: int) -> list[GrantAgreement]:
    """The grant's versions waiting for the company's signature (without their bytes)."""
    return list(GrantAgreement.objects.filter(grant_id=grant_id, signed_at__isnull=True)
                .defer("document"))
