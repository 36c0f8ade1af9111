"""Later versions of a grant's agreement: each approved variation records one.

The new version is the agreement drawn again from the grant as it now stands (its amount,
dates and tranche schedule), with the variation's changes listed on its first page. The
earlier versions are kept as they were signed; the new one names the Cyberport staff member
who recorded the decision as its signer.
"""

from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from subsidy.agreements.document import OfferDocument, render, varied_terms
from subsidy.agreements.models import GrantAgreement
from subsidy.platform.audit import audit_record
from subsidy.scheme.models import Grant


def agreement_version_record(*, actor, grant: Grant, changes: list[str], schedule,
                             signer_title: str, ip_address: str | None = None
                             ) -> GrantAgreement:
    """Record the next version of ``grant``'s agreement, listing ``changes``, with
    ``schedule`` (rows with a description, a due date and an amount) as its tranches. The
    caller holds the grant's row lock."""
    grant = Grant.objects.select_related("application__organisation",
                                         "round__scheme").get(pk=grant.pk)
    version = (GrantAgreement.objects.filter(grant_id=grant.pk)
               .aggregate(last=Max("version"))["last"] or 0) + 1
    now = timezone.now()
    document = OfferDocument(content=render(varied_terms(
        grant, version=version, changes=changes, schedule=schedule, varied_at=now)))
    agreement = GrantAgreement.objects.create(
        grant=grant, version=version, document=document.content, sha256=document.sha256,
        signer_name=(actor.get_full_name() if actor else "") or _("Cyberport"),
        signer_title=signer_title, signed_by=actor, signed_at=now, ip_address=ip_address)
    audit_record(actor=actor, action="grant.agreement_version", obj=grant,
                 after={"version": version, "sha256": agreement.sha256,
                        "changes": list(changes)})
    return agreement
