"""The one place that answers "may this user do X (to this object)?".

Other modules call ``can(user, Action.X, obj)`` or ``require(...)`` instead of checking roles
or group names themselves. The platform keeps the list of actions and the registry; the
rule for each action is written by the app that owns the data it guards (its
``permissions`` module, beside its models) and registered from that app's
``AppConfig.ready``, so this, the lowest layer, never reaches up into applications,
assignments or partner links.

Rules are predicates of the ``rules`` library (django-rules): small named functions of
``(user)`` or ``(user, obj)`` combined with ``&``, ``|`` and ``~``, so each object-level
condition (a member of the application's company, a reviewer who declared no conflict, a
panel member not recused…) is written once and reused by every rule that needs it. The
registry is a ``rules.RuleSet`` keyed by action.
"""

import functools
import operator
from collections.abc import Callable, Mapping
from typing import Any

import rules
from django.core import checks
from django.db import models
from django.utils.translation import gettext as _

from subsidy.platform.errors import PermissionDeniedError
from subsidy.platform.roles import STAFF_ROLES, Role

# A ``rules`` predicate of ``(user)`` or ``(user, obj)``; ``user`` is authenticated and active
# when it is asked, ``obj`` is None for an action asked without an object. A plain function
# of ``(user, obj=None)`` is accepted too and made a predicate when registered.
Rule = rules.Predicate | Callable[..., bool]


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
    SUBMIT_CONDITION_EVIDENCE = "submit_condition_evidence"
    CHECK_CONDITIONS = "check_conditions"
    MANAGE_BANK_ACCOUNT = "manage_bank_account"
    VIEW_BANK_DETAILS = "view_bank_details"
    VERIFY_BANK_ACCOUNT = "verify_bank_account"
    RELEASE_PAYMENT_BATCH = "release_payment_batch"
    MANAGE_REVIEWER_POOL = "manage_reviewer_pool"
    VIEW_REVIEWS = "view_reviews"
    REVIEW_ASSIGNMENT = "review_assignment"
    READ_APPLICATION_DOCUMENTS = "read_application_documents"
    DECIDE_REVIEW_CORRECTION = "decide_review_correction"
    USE_PARTNER_PORTAL = "use_partner_portal"
    MANAGE_PARTNER_WEBHOOKS = "manage_partner_webhooks"
    MANAGE_DATA_ACCESS_REQUESTS = "manage_data_access_requests"
    MANAGE_COMPUTE = "manage_compute"
    SUBMIT_PROGRESS_REPORT = "submit_progress_report"
    REVIEW_PROGRESS_REPORTS = "review_progress_reports"


class UnregisteredActionError(LookupError):
    """``can`` was asked about an action no app has registered a rule for: a programming
    error (a typo, or an owner that forgot to register), never a "no"."""


_rules = rules.RuleSet()


def as_predicate(rule: Rule) -> rules.Predicate:
    return rule if isinstance(rule, rules.Predicate) else rules.predicate(rule)


def register(rules_by_action: Mapping[str, Rule]) -> None:
    """Record the rule for each action of ``rules_by_action``; called by the app that owns
    the data, from its ``AppConfig.ready``. An action has one owner: a second, different
    rule for it is refused."""
    for action, rule in rules_by_action.items():
        action = Action(action)
        predicate = as_predicate(rule)
        existing = _rules.get(action)
        if existing is not None and existing.fn is not predicate.fn:
            raise ValueError(f"Action {action.value!r} already has a permission rule "
                             f"({existing.name}).")
        if existing is None:
            _rules.add_rule(action, predicate)


def registered_actions() -> frozenset[str]:
    return frozenset(_rules)


def can(user, action: str, obj=None) -> bool:
    """True when ``user`` may take ``action`` (on ``obj``, for object-level actions)."""
    if not _rules.rule_exists(action):
        raise UnregisteredActionError(
            f"No permission rule is registered for action {str(action)!r}: the app that owns it "
            "registers one from its AppConfig.ready (see subsidy.platform.permissions).")
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return _rules.test_rule(action, user, obj)


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


# Predicates and builders the owning apps combine.

def has_any(*roles: str) -> rules.Predicate:
    """The user holds one of ``roles`` (the object, if any, does not matter)."""
    wanted = frozenset(roles)

    def holds(user) -> bool:
        return bool(user.roles & wanted)

    return rules.predicate(holds, name=f"has_any({', '.join(sorted(wanted))})")


def any_of(*alternatives: Rule) -> rules.Predicate:
    """Any one of ``alternatives`` (``a | b | …``)."""
    return functools.reduce(operator.or_, map(as_predicate, alternatives))


@rules.predicate
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
