"""Who may use a partner organisation's pages on the site and manage its webhooks: ``rules``
predicates registered from ``SubsidyConfig.ready``."""

import rules
from django.core.exceptions import ObjectDoesNotExist

from subsidy.platform.models import PartnerOrganisation
from subsidy.platform.permissions import Action, Rule, is_api_client
from subsidy.platform.roles import Role


def partner_of(user):
    """The partner organisation ``user`` works for (``PartnerMember``), or None; the answer
    is kept on the user object (Django caches the one-to-one link, also when absent)."""
    try:
        return user.partner_membership.partner
    except ObjectDoesNotExist:
        return None


def _partner_id(obj) -> int | None:
    if isinstance(obj, PartnerOrganisation):
        return obj.pk
    return getattr(obj, "partner_id", None)


@rules.predicate
def partner_member(user, obj=None) -> bool:
    """A person with the partner role who works for a partner organisation; with ``obj``
    (the partner organisation, or a record of it such as a webhook endpoint), for that
    partner only. A partner's API client is not a person and has no portal."""
    if is_api_client(user) or Role.PARTNER not in user.roles:
        return False
    partner = partner_of(user)
    if partner is None:
        return False
    return obj is None or _partner_id(obj) == partner.pk


@rules.predicate
def partner_member_or_client(user, obj=None) -> bool:
    """``partner_member``, or the partner's own API client (object: a record of that
    partner)."""
    if is_api_client(user):
        return obj is not None and _partner_id(obj) == user.partner.pk
    return partner_member(user, obj)


RULES: dict[str, Rule] = {
    # The partner's own pages (object: the partner organisation or one of its records): its
    # members only; another partner's records are not theirs.
    Action.USE_PARTNER_PORTAL: partner_member,
    # Webhooks are also managed with the partner's API key.
    Action.MANAGE_PARTNER_WEBHOOKS: partner_member_or_client,
}
