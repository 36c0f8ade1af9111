"""The one place that answers "may this user do X (to this object)?".

Other modules call ``can(user, Action.X, obj)`` or ``require(...)`` instead of checking roles
or group names themselves. Object-level rules (membership of an organisation, assignment
to a reviewer) are added here as the capabilities that need them arrive.
"""

from collections.abc import Callable

from django.core.exceptions import ObjectDoesNotExist
from django.db import models

from subsidy.platform.errors import PermissionDeniedError
from subsidy.platform.roles import Role


class Action(models.TextChoices):
    VIEW_STAFF_DASHBOARD = "view_staff_dashboard"
    MANAGE_ROUNDS = "manage_rounds"
    VIEW_AUDIT = "view_audit"
    SCREEN_APPLICATIONS = "screen_applications"
    ASSIGN_REVIEWERS = "assign_reviewers"
    REVIEW_APPLICATION = "review_application"
    DECIDE_APPLICATIONS = "decide_applications"
    PREPARE_DISBURSEMENT = "prepare_disbursement"
    APPROVE_DISBURSEMENT = "approve_disbursement"
    VIEW_FINANCE_REPORTS = "view_finance_reports"
    MANAGE_USERS = "manage_users"
    CREATE_ORGANISATION = "create_organisation"
    VIEW_ORGANISATION = "view_organisation"
    EDIT_ORGANISATION = "edit_organisation"
    MANAGE_MEMBERS = "manage_members"
    VIEW_APPLICATION = "view_application"
    EDIT_APPLICATION = "edit_application"
    SUBMIT_APPLICATION = "submit_application"
    WITHDRAW_APPLICATION = "withdraw_application"
    RESPOND_TO_OFFER = "respond_to_offer"
    ADMINISTER_GRANTS = "administer_grants"
    MANAGE_API_KEYS = "manage_api_keys"
    CLAIM_TRANCHE = "claim_tranche"
    VIEW_GRANT = "view_grant"
    VERIFY_CLAIM = "verify_claim"
    MANAGE_BANK_ACCOUNT = "manage_bank_account"
    VIEW_BANK_DETAILS = "view_bank_details"
    MANAGE_REVIEWER_POOL = "manage_reviewer_pool"
    VIEW_REVIEWS = "view_reviews"
    REVIEW_ASSIGNMENT = "review_assignment"
    USE_PARTNER_PORTAL = "use_partner_portal"
    MANAGE_PARTNER_WEBHOOKS = "manage_partner_webhooks"


def _has_any(*roles: str) -> Callable:
    wanted = frozenset(roles)

    def rule(user, obj=None) -> bool:
        return bool(user.roles & wanted)

    return rule


def _member_role_in(*member_roles: str) -> Callable:
    def rule(user, obj=None) -> bool:
        if obj is None:
            return False
        return obj.memberships.filter(user=user, role__in=member_roles).exists()

    return rule


def _membership_role(user, organisation_id) -> str | None:
    """The user's member role in the organisation; all of a user's memberships are loaded
    in one query and kept on the user object, so list pages ask once."""
    cached = getattr(user, "_membership_role_cache", None)
    if cached is None:
        cached = dict(user.memberships.values_list("organisation_id", "role"))
        user._membership_role_cache = cached
    return cached.get(organisation_id)


def _application_member_role_in(*member_roles: str) -> Callable:
    """Object rule on an application: the user is a member of its organisation with one of
    ``member_roles``."""

    def rule(user, obj=None) -> bool:
        if obj is None:
            return False
        return _membership_role(user, obj.organisation_id) in member_roles

    return rule


def _own_assignment(user, obj=None) -> bool:
    """Object rule on a review assignment: it is the user's own, and they are a reviewer."""
    return (obj is not None and obj.reviewer_id == user.pk
            and Role.REVIEWER in user.roles)


def _any_of(*rules: Callable) -> Callable:
    def rule(user, obj=None) -> bool:
        return any(r(user, obj) for r in rules)

    return rule


def _partner_linked(client, obj) -> bool:
    """A partner organisation's API client acts only for organisations (and their
    applications) it holds an active link to."""
    if obj is None:
        return False
    from django.apps import apps

    organisation_id = getattr(obj, "organisation_id", None) or obj.pk
    return apps.get_model("applicants", "PartnerLink").objects.filter(
        partner=client.partner, organisation_id=organisation_id, linked_at__isnull=False,
        revoked_at__isnull=True).exists()


def _or_linked_partner(rule: Callable) -> Callable:
    """``rule`` for people; for a partner's API client (which has no memberships), an active
    link to the organisation instead."""

    def combined(user, obj=None) -> bool:
        if getattr(user, "partner", None) is not None:
            return _partner_linked(user, obj)
        return rule(user, obj)

    return combined


def partner_of(user):
    """The partner organisation ``user`` works for (``PartnerMember``), or None; the answer
    is kept on the user object (Django caches the one-to-one link, also when absent)."""
    try:
        return user.partner_membership.partner
    except ObjectDoesNotExist:
        return None


def _partner_id(obj) -> int | None:
    if obj._meta.label == "subsidy.PartnerOrganisation":
        return obj.pk
    return getattr(obj, "partner_id", None)


def _partner_member(user, obj=None) -> bool:
    """A person with the partner role who works for a partner organisation; with ``obj``
    (the partner organisation, or a record of it such as a webhook endpoint), for that
    partner only. A partner's API client is not a person and has no portal."""
    if getattr(user, "partner", None) is not None or Role.PARTNER not in user.roles:
        return False
    partner = partner_of(user)
    if partner is None:
        return False
    return obj is None or _partner_id(obj) == partner.pk


def _partner_member_or_client(user, obj=None) -> bool:
    """``_partner_member``, or the partner's own API client (object: a record of that
    partner)."""
    client_partner = getattr(user, "partner", None)
    if client_partner is not None:
        return obj is not None and _partner_id(obj) == client_partner.pk
    return _partner_member(user, obj)


_STAFF = (Role.PROGRAMME_OFFICER, Role.PANEL_MEMBER, Role.FINANCE_OFFICER,
          Role.FINANCE_APPROVER, Role.ADMINISTRATOR, Role.REVIEWER)

RULES: dict[str, Callable] = {
    Action.VIEW_STAFF_DASHBOARD: _has_any(*_STAFF),
    Action.MANAGE_ROUNDS: _has_any(Role.PROGRAMME_OFFICER, Role.ADMINISTRATOR),
    Action.VIEW_AUDIT: _has_any(Role.PROGRAMME_OFFICER, Role.ADMINISTRATOR,
                                Role.FINANCE_APPROVER),
    Action.SCREEN_APPLICATIONS: _has_any(Role.PROGRAMME_OFFICER),
    Action.ASSIGN_REVIEWERS: _has_any(Role.PROGRAMME_OFFICER),
    Action.REVIEW_APPLICATION: _has_any(Role.REVIEWER),
    Action.DECIDE_APPLICATIONS: _has_any(Role.PANEL_MEMBER),
    Action.PREPARE_DISBURSEMENT: _has_any(Role.FINANCE_OFFICER),
    Action.APPROVE_DISBURSEMENT: _has_any(Role.FINANCE_APPROVER),
    Action.VIEW_FINANCE_REPORTS: _has_any(Role.FINANCE_OFFICER, Role.FINANCE_APPROVER,
                                          Role.PROGRAMME_OFFICER, Role.ADMINISTRATOR),
    Action.MANAGE_USERS: _has_any(Role.ADMINISTRATOR),
    Action.CREATE_ORGANISATION: _has_any(Role.APPLICANT),
    Action.VIEW_ORGANISATION: _or_linked_partner(_member_role_in("owner", "editor", "viewer")),
    Action.EDIT_ORGANISATION: _or_linked_partner(_member_role_in("owner", "editor")),
    Action.MANAGE_MEMBERS: _member_role_in("owner"),
    # Applications: every member sees them; owners and editors write them; staff who run
    # the assessment see them too (reviewers get access through their assignments).
    Action.VIEW_APPLICATION: _or_linked_partner(_any_of(
        _application_member_role_in("owner", "editor", "viewer"),
        _has_any(Role.PROGRAMME_OFFICER, Role.PANEL_MEMBER, Role.ADMINISTRATOR),
    )),
    Action.EDIT_APPLICATION: _or_linked_partner(_application_member_role_in("owner", "editor")),
    Action.SUBMIT_APPLICATION: _or_linked_partner(
        _application_member_role_in("owner", "editor")),
    Action.WITHDRAW_APPLICATION: _or_linked_partner(
        _application_member_role_in("owner", "editor")),
    Action.RESPOND_TO_OFFER: _application_member_role_in("owner"),
    Action.ADMINISTER_GRANTS: _has_any(Role.PROGRAMME_OFFICER),
    # API keys and partner organisations are issued by administrators only.
    Action.MANAGE_API_KEYS: _has_any(Role.ADMINISTRATOR),
    # Grants (object: the grant's application): the company's owners and editors claim
    # tranches; its members and the programme office see the grant; officers verify claims.
    Action.CLAIM_TRANCHE: _application_member_role_in("owner", "editor"),
    Action.VIEW_GRANT: _any_of(
        _application_member_role_in("owner", "editor", "viewer"),
        _has_any(Role.PROGRAMME_OFFICER, Role.ADMINISTRATOR, Role.FINANCE_OFFICER,
                 Role.FINANCE_APPROVER),
    ),
    Action.VERIFY_CLAIM: _has_any(Role.PROGRAMME_OFFICER),
    # Bank details (object: the organisation): entered by its owners and editors; the full
    # account number is shown to finance staff only.
    Action.MANAGE_BANK_ACCOUNT: _member_role_in("owner", "editor"),
    Action.VIEW_BANK_DETAILS: _has_any(Role.FINANCE_OFFICER, Role.FINANCE_APPROVER),
    # Assessment: officers keep the reviewer pools; staff who moderate or decide see every
    # review and the ranking; a reviewer reaches an application only through an assignment.
    Action.MANAGE_REVIEWER_POOL: _has_any(Role.PROGRAMME_OFFICER),
    Action.VIEW_REVIEWS: _has_any(Role.PROGRAMME_OFFICER, Role.PANEL_MEMBER,
                                  Role.ADMINISTRATOR),
    Action.REVIEW_ASSIGNMENT: _own_assignment,
    # The partner's own pages on the site (object: the partner organisation or one of its
    # records): its members only; another partner's records are not theirs. Webhooks are
    # also managed with the partner's API key.
    Action.USE_PARTNER_PORTAL: _partner_member,
    Action.MANAGE_PARTNER_WEBHOOKS: _partner_member_or_client,
}


def can(user, action: str, obj=None) -> bool:
    """True when ``user`` may take ``action`` (on ``obj``, for object-level actions)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    rule = RULES.get(action)
    if rule is None:
        raise KeyError(f"Unknown action {action!r}")
    return rule(user, obj)


def require(user, action: str, obj=None) -> None:
    """Raise ``PermissionDeniedError`` unless ``can(user, action, obj)``."""
    if not can(user, action, obj):
        from django.utils.translation import gettext as _

        raise PermissionDeniedError(_("You do not have permission to do this."))
