"""Staff who act on money, and grants ready for it: an accepted grant (three milestones,
40/30/30, a company owner with a bank account) and the same grant activated. The grant
and the claim-to-payment path are built in ``tests.builders.finance``."""

import pytest

from subsidy.finance.services.tranches import grant_activate
from subsidy.platform.roles import Role
from tests.builders.finance import last_month as month_before
from tests.builders.finance import make_accepted_grant, paid_and_accrued_last_month
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
def accepted_grant(db):
    return make_accepted_grant()


@pytest.fixture
def active_grant(accepted_grant, officer):
    grant_activate(actor=officer, grant=accepted_grant)
    return accepted_grant



@pytest.fixture
def last_month():
    return month_before()


@pytest.fixture
def paid_and_accrued(officer, finance_officer, finance_approver):
    """A payment paid last month and one released last month but not paid."""
    return paid_and_accrued_last_month(officer, finance_officer, finance_approver)
