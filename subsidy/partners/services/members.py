"""The people who work for a partner organisation and use its pages on the site.

Rules enforced here:

* only administrators link or unlink people (``Action.MANAGE_API_KEYS``, as for the
  partner's keys), and both are audited;
* only a person holding the partner role can be linked, and to one partner organisation at
  most (the database's one-to-one link enforces the second).
"""

from django.db import transaction
from django.utils.translation import gettext as _

from subsidy.platform.audit import audit_record
from subsidy.platform.errors import DomainError
from subsidy.platform.models import PartnerMember, PartnerOrganisation, User
from subsidy.platform.permissions import Action, require
from subsidy.platform.roles import Role


def partner_member_check(*, user: User, partner: PartnerOrganisation) -> None:
    """Raise ``DomainError`` (on the ``user`` field) unless ``user`` may be linked to
    ``partner``."""
    if not user.has_role(Role.PARTNER):
        raise DomainError(_("Only people with the partner role can be linked to a partner "
                            "organisation."), code="not_partner", field="user")
    other = (PartnerMember.objects.filter(user=user).exclude(partner=partner)
             .select_related("partner").first())
    if other is not None:
        raise DomainError(_("This person is already linked to %(partner)s.")
                          % {"partner": other.partner.name}, code="other_partner", field="user")


@transaction.atomic
def partner_member_add(*, actor: User, partner: PartnerOrganisation,
                       user: User) -> PartnerMember:
    require(actor, Action.MANAGE_API_KEYS)
    partner_member_check(user=user, partner=partner)
    member, created = PartnerMember.objects.get_or_create(user=user, partner=partner)
    if created:
        audit_record(actor=actor, action="partner_member.add", obj=member,
                     after={"partner": partner.name, "user": user.email})
    return member


@transaction.atomic
def partner_member_remove(*, actor: User, member: PartnerMember) -> None:
    require(actor, Action.MANAGE_API_KEYS)
    audit_record(actor=actor, action="partner_member.remove", obj=member,
                 before={"partner": member.partner.name, "user": member.user.email})
    member.delete()
