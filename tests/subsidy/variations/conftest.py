"""An active grant of HK$1,000,000 in three tranches (40/30/30) with two budget lines, the
programme officer, and a panel member free to decide it."""

from decimal import Decimal

import pytest

from subsidy.platform.roles import Role
from tests.builders.variations import active_grant
from tests.factories import FundingRoundFactory, PanelDeclarationFactory, UserFactory


@pytest.fixture
def officer(db):
    return UserFactory(roles=[Role.PROGRAMME_OFFICER], full_name="Officer Wong")


@pytest.fixture
def round_(db):
    return FundingRoundFactory(envelope=Decimal("3000000.00"),
                               max_subsidy_per_project=Decimal("2000000.00"))


@pytest.fixture
def grant(round_, officer):
    return active_grant(round_, officer)


@pytest.fixture
def panel_member(grant):
    return PanelDeclarationFactory(application=grant.application, has_conflict=False).member
