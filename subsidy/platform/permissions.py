"""The one place that answers "may this user do X (to this object)?".

Other modules call ``can(user, Action.X, obj)`` or ``require(...)`` instead of checking roles
or group names themselves. The platform keeps the list of actions and the registry; the
rule for each action is written by the app that owns the data it guards (its
``permissions`` module) and registered from that app's ``AppConfig.ready``, so this, the
lowest layer, never reaches up into applications, assignments or partner links.
"""

from collections.abc import Callable, Mapping
from typing import Any

from django.core import checks
from django.db import models
from django.utils.translation import gettext as _

from subsidy.platform.errors import PermissionDeniedError
from subsidy.platform.roles import STAFF_ROLES, Role

# ``rule(user, obj=None) -> bool``; ``user`` is authenticated and active when it is asked.
Rule = Callable[..., bool]


class Action(models.TextChoices):
    VIEW_STAFF_DASHBOARD = "view_staff_dashboard"
    MANAGE_ROUNDS = "manage_rounds"
    VIEW_AUDIT = "view_audit"
    SCREEN_APPLICATIONS = "screen_applications"
    ASSIGN_REVIEWERS = "assign_reviewers"
    REVIEW_APPLICATION = "review_application"
    DECIDE_APPLICATIONS = "decide_applications"
    PREPARE_PAYMENT = "prepare_payment"
    APPROVE_PAYMENT = "approve_payment"
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
    READ_APPLICATION_DOCUMENTS = "read_application_documents"
    DECIDE_REVIEW_CORRECTION = "decide_review_correction"
    USE_PARTNER_PORTAL = "use_partner_portal"
    MANAGE_PARTNER_WEBHOOKS = "manage_partner_webhooks"
    MANAGE_DATA_ACCESS_REQUESTS = "manage_data_access_requests"


class UnregisteredActionError(LookupError):
    """``can`` was asked about an action no app has registered a rule for: a programming
    error (a typo, or an owner that forgot to register), never a "no"."""


_rules: dict[str, Rule] = {}


def register(rules: Mapping[str, Rule]) -> None:
    """Record the rule for each action of ``rules``; called by the app that owns the data,
    from its ``AppConfig.ready``. An action has one owner: a second, different rule for it
    is refused."""
    for action, rule in rules.items():
        action = Action(action)
        existing = _rules.get(action)
        if existing is not None and existing is not rule:
            raise ValueError(f"Action {action.value!r} already has a permission rule "
                             f"({existing.__module__}.{existing.__qualname__}).")
        _rules[action] = rule


def registered_actions() -> frozenset[str]:
    return frozenset(_rules)


def can(user, action: str, obj=None) -> bool:
    """True when ``user`` may take ``action`` (on ``obj``, for object-level actions)."""
    rule = _rules.get(action)
    if rule is None:
        raise UnregisteredActionError(
            f"No permission rule is registered for action {str(action)!r}: the app that owns it "
            "registers one from its AppConfig.ready (see subsidy.platform.permissions).")
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return rule(user, obj)


def require(user, action: str, obj=None) -> None:
    """Raise ``PermissionDeniedError`` unless ``can(user, action, obj)``."""
    if not can(user, action, obj):
        raise PermissionDeniedError(_("You do not have permission to do this."))


@checks.register()
def check_every_action_has_a_rule(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """``manage.py check`` (and so every deploy) fails while an action has no rule."""
    return [
        checks.Error(f"No permission rule is registered for action {action!r}.",
                     hint="Register it from the owning app's AppConfig.ready.",
                     obj="subsidy.platform.permissions", id="subsidy.E101")
        for action in Action.values if action not in _rules
    ]


# Rule builders the owning apps combine.

def has_any(*roles: str) -> Rule:
    """The user holds one of ``roles`` (the object, if any, does not matter)."""
    wanted = frozenset(roles)

    def rule(user, obj=None) -> bool:
        return bool(user.roles & wanted)

    return rule


def any_of(*rules: Rule) -> Rule:
    def rule(user, obj=None) -> bool:
        return any(r(user, obj) for r in rules)

    return rule


def is_api_client(user: Any) -> bool:
    """A partner organisation's API client (``subsidy.api.auth.PartnerClient``) carries the
    partner it acts for; people never have a ``partner`` attribute."""
    return getattr(user, "partner", None) is not None


# The platform's own data: staff pages, users and the audit trail.
RULES: dict[str, Rule] = {
    Action.VIEW_STAFF_DASHBOARD: has_any(*STAFF_ROLES),
    Action.VIEW_AUDIT: has_any(Role.PROGRAMME_OFFICER, Role.ADMINISTRATOR,
                               Role.FINANCE_APPROVER),
    Action.MANAGE_USERS: has_any(Role.ADMINISTRATOR),
}
