"""The people and grants of the closure tests: the finance fixtures' grant, active, and a
programme officer and finance staff to pay it."""

import pytest

from subsidy.finance.services.tranches import grant_activate
from subsidy.platform.roles import Role
from tests.builders.finance import make_accepted_grant
from tests.factories import UserFactory


@pytest.fixture
def officer(db):
    return UserFactory(roles=[Role.PROGRAMME_OFFICER])


@pytest.fixture
def finance_officer(db):
    return UserFactory(roles=[Role.FINANCE_OFFICER])


@pytest.fixture
def finance_approver(db):
    return UserFactory(roles=[Role.FINANCE_APPROVER])


@pytest.fixture
def active_grant(db, officer):
    grant = make_accepted_grant()
    grant_activate(actor=officer, grant=grant)
    return grant
