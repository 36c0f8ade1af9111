"""The platform keeps the actions and asks the rule each owning app registered."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.checks import run_checks

from subsidy.platform import permissions
from subsidy.platform.permissions import (
    Action,
    UnregisteredActionError,
    can,
    has_any,
    register,
    registered_actions,
)
from subsidy.platform.roles import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def without_rule(monkeypatch):
    """The registry as if the owner of ``Action.MANAGE_ROUNDS`` had not registered it."""
    monkeypatch.delitem(permissions._rules, Action.MANAGE_ROUNDS)
    return Action.MANAGE_ROUNDS


def test_every_action_has_a_rule_once_the_apps_are_ready():
    assert registered_actions() == set(Action.values)


def test_asking_about_an_action_nobody_registered_is_a_clear_error(without_rule):
    user = UserFactory(roles=[Role.PROGRAMME_OFFICER])
    with pytest.raises(UnregisteredActionError, match="manage_rounds.*AppConfig.ready"):
        can(user, without_rule)


def test_an_unregistered_action_is_an_error_even_for_an_anonymous_visitor(without_rule):
    with pytest.raises(UnregisteredActionError):
        can(AnonymousUser(), without_rule)


def test_an_unknown_action_is_an_error():
    with pytest.raises(UnregisteredActionError, match="launch_rocket"):
        can(UserFactory(), "launch_rocket")


def test_the_system_check_names_an_action_without_a_rule(without_rule):
    errors = [e for e in run_checks() if e.id == "subsidy.E101"]
    assert [e.msg for e in errors] == ["No permission rule is registered for action "
                                       "'manage_rounds'."]


def test_the_system_check_is_quiet_when_every_action_has_a_rule():
    assert not [e for e in run_checks() if e.id == "subsidy.E101"]


def test_a_second_owner_cannot_replace_an_actions_rule():
    with pytest.raises(ValueError, match="already has a permission rule"):
        register({Action.MANAGE_USERS: has_any(Role.APPLICANT)})
    assert not can(UserFactory(roles=[Role.APPLICANT]), Action.MANAGE_USERS)


def test_registering_the_same_rules_again_changes_nothing():
    rule = permissions._rules[Action.MANAGE_USERS]
    register({Action.MANAGE_USERS: rule})
    assert permissions._rules[Action.MANAGE_USERS] is rule


def test_only_known_actions_can_be_registered(monkeypatch):
    monkeypatch.setattr(permissions, "_rules", dict(permissions._rules))
    with pytest.raises(ValueError):
        register({"launch_rocket": has_any(Role.ADMINISTRATOR)})


def test_the_platform_does_not_reach_into_the_apps_above_it():
    """Object rules about applications, assignments and partner links belong to their
    apps; ``apps.get_model`` would hide an upward import from import-linter."""
    from pathlib import Path

    platform = Path(permissions.__file__).parent
    offenders = [str(path) for path in platform.rglob("*.py")
                 if "migrations" not in path.parts and "get_model(" in path.read_text()]
    assert offenders == []
