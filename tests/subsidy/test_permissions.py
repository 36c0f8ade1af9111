import pytest

from subsidy.platform.errors import PermissionDeniedError
from subsidy.platform.permissions import Action, can, require
from subsidy.platform.roles import Role
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

EXPECTED = {
    Action.MANAGE_ROUNDS: {Role.PROGRAMME_OFFICER, Role.ADMINISTRATOR},
    Action.SCREEN_APPLICATIONS: {Role.PROGRAMME_OFFICER},
    Action.REVIEW_APPLICATION: {Role.REVIEWER},
    Action.DECIDE_APPLICATIONS: {Role.PANEL_MEMBER},
    Action.PREPARE_PAYMENT: {Role.FINANCE_OFFICER},
    Action.APPROVE_PAYMENT: {Role.FINANCE_APPROVER},
    Action.MANAGE_USERS: {Role.ADMINISTRATOR},
    Action.CREATE_ORGANISATION: {Role.APPLICANT},
}


@pytest.mark.parametrize("action", list(EXPECTED))
@pytest.mark.parametrize("role", Role.values)
def test_role_permissions_follow_the_role_table(action, role):
    user = UserFactory(roles=[role])
    assert can(user, action) is (role in EXPECTED[action])


def test_anonymous_and_inactive_users_may_do_nothing():
    from django.contrib.auth.models import AnonymousUser

    inactive = UserFactory(roles=[Role.ADMINISTRATOR], is_active=False)
    assert not can(AnonymousUser(), Action.MANAGE_ROUNDS)
    assert not can(inactive, Action.MANAGE_USERS)
    assert not can(None, Action.MANAGE_USERS)


def test_maker_and_checker_are_different_roles():
    maker = UserFactory(roles=[Role.FINANCE_OFFICER])
    assert can(maker, Action.PREPARE_PAYMENT)
    assert not can(maker, Action.APPROVE_PAYMENT)


def test_superuser_flag_does_not_grant_domain_actions():
    """Django's superuser flag opens the admin site; domain actions follow roles only."""
    user = UserFactory(roles=[], is_superuser=True, is_staff=True)
    assert not can(user, Action.APPROVE_PAYMENT)


@pytest.mark.parametrize(
    ("member_role", "view", "edit", "manage"),
    [("owner", True, True, True), ("editor", True, True, False),
     ("viewer", True, False, False)],
)
def test_organisation_access_follows_member_role(member_role, view, edit, manage):
    membership = MembershipFactory(role=member_role)
    user, organisation = membership.user, membership.organisation
    assert can(user, Action.VIEW_ORGANISATION, organisation) is view
    assert can(user, Action.EDIT_ORGANISATION, organisation) is edit
    assert can(user, Action.MANAGE_MEMBERS, organisation) is manage


def test_non_member_cannot_see_an_organisation():
    outsider = UserFactory(roles=[Role.APPLICANT])
    assert not can(outsider, Action.VIEW_ORGANISATION, OrganisationFactory())


def test_require_raises_a_domain_error_when_not_allowed():
    with pytest.raises(PermissionDeniedError):
        require(UserFactory(roles=[Role.APPLICANT]), Action.MANAGE_USERS)
