"""Who holds a role: the one query behind the reviewer choices, the staff notifications
and the digest."""

import pytest

from subsidy.platform.roles import Role
from subsidy.platform.selectors import users_with_role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_only_active_holders_of_the_role_are_listed():
    holder = UserFactory(roles=[Role.REVIEWER])
    UserFactory(roles=[Role.REVIEWER], is_active=False)
    UserFactory(roles=[Role.PROGRAMME_OFFICER])
    assert list(users_with_role(Role.REVIEWER)) == [holder]


def test_a_holder_of_several_of_the_roles_is_listed_once():
    both = UserFactory(roles=[Role.REVIEWER, Role.PROGRAMME_OFFICER])
    assert list(users_with_role(Role.REVIEWER, Role.PROGRAMME_OFFICER)) == [both]


def test_former_staff_are_listed_when_asked_for():
    former = UserFactory(roles=[Role.FINANCE_OFFICER], is_active=False)
    assert list(users_with_role(Role.FINANCE_OFFICER, active=False)) == [former]
