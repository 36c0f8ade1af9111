"""Who may do what to organisations and their applications.

The rules for the applicant side's data, as ``rules`` predicates beside the models they
read, registered with ``subsidy.platform.permissions`` from ``ApplicantsConfig.ready``. The
object-level predicates are public: finance's rules on grants and bank accounts are about
the same memberships, and the reviews' rule on documents starts from ``sees_application``.
"""

import rules

from applicants.models import Membership, PartnerLink
from subsidy.platform.permissions import (
    Action,
    Rule,
    any_of,
    as_predicate,
    has_any,
    is_api_client,
)
from subsidy.platform.roles import Role

OWNER, EDITOR, VIEWER = Membership.Role.OWNER, Membership.Role.EDITOR, Membership.Role.VIEWER


def member_role_in(*member_roles: str) -> rules.Predicate:
    """Object rule on an organisation: the user is a member with one of ``member_roles``.
    A partner's API client is no member of anything: only ``or_linked_partner`` lets it in."""

    def is_member(user, obj) -> bool:
        if obj is None or is_api_client(user):
            return False
        return obj.memberships.filter(user=user, role__in=member_roles).exists()

    return rules.predicate(is_member, name=f"member_role_in({', '.join(member_roles)})")


def membership_role(user, organisation_id) -> str | None:
    """The user's member role in the organisation; all of a user's memberships are loaded
    in one query and kept on the user object, so list pages ask once. The services that
    change memberships drop ``_membership_role_cache``."""
    cached = getattr(user, "_membership_role_cache", None)
    if cached is None:
        cached = dict(user.memberships.values_list("organisation_id", "role"))
        user._membership_role_cache = cached
    return cached.get(organisation_id)


def application_member_role_in(*member_roles: str) -> rules.Predicate:
    """Object rule on an application: the user is a member of its organisation with one of
    ``member_roles`` (the applicant's own company, not another's)."""

    def is_member(user, obj) -> bool:
        if obj is None or is_api_client(user):
            return False
        return membership_role(user, obj.organisation_id) in member_roles

    return rules.predicate(is_member,
                           name=f"application_member_role_in({', '.join(member_roles)})")


@rules.predicate
def partner_linked(client, obj) -> bool:
    """A partner organisation's API client acts only for organisations (and their
    applications) it holds an active link to."""
    if obj is None:
        return False
    organisation_id = getattr(obj, "organisation_id", None) or obj.pk
    return PartnerLink.objects.filter(
        partner=client.partner, organisation_id=organisation_id, linked_at__isnull=False,
        revoked_at__isnull=True).exists()


def or_linked_partner(rule: Rule) -> rules.Predicate:
    """``rule`` for people; for a partner's API client (which has no memberships), an active
    link to the organisation instead."""
    return (is_api_client & partner_linked) | (~is_api_client & as_predicate(rule))


# Who sees an application: every member of its company, a partner linked to the company,
# and the staff who run the assessment (reviewers get in through their assignments).
sees_application = or_linked_partner(any_of(
    application_member_role_in(OWNER, EDITOR, VIEWER),
    has_any(Role.PROGRAMME_OFFICER, Role.PANEL_MEMBER, Role.ADMINISTRATOR),
))

RULES: dict[str, Rule] = {
    Action.CREATE_ORGANISATION: has_any(Role.APPLICANT),
    Action.VIEW_ORGANISATION: or_linked_partner(member_role_in(OWNER, EDITOR, VIEWER)),
    Action.EDIT_ORGANISATION: or_linked_partner(member_role_in(OWNER, EDITOR)),
    Action.MANAGE_MEMBERS: member_role_in(OWNER),
    # Applications: owners and editors write them (colleagues invited as editors co-edit a
    # draft); only an owner submits one on the company's behalf.
    Action.VIEW_APPLICATION: sees_application,
    Action.EDIT_APPLICATION: or_linked_partner(application_member_role_in(OWNER, EDITOR)),
    Action.SUBMIT_APPLICATION: or_linked_partner(application_member_role_in(OWNER)),
    Action.WITHDRAW_APPLICATION: or_linked_partner(application_member_role_in(OWNER, EDITOR)),
    # Only an owner binds the company to an offer's terms.
    Action.RESPOND_TO_OFFER: application_member_role_in(OWNER),
}
