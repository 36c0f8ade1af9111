"""An active grant of HK$1,000,000 in three tranches (40/30/30) with two budget lines, the
programme officer, and a panel member free to decide it."""

from datetime import date
from decimal import Decimal

import pytest

from applicants.models import Application, BudgetLine
from subsidy.finance.services.tranches import grant_activate
from subsidy.platform.roles import Role
from subsidy.scheme.models import Grant
from tests.builders.finance import make_accepted_grant
from tests.factories import FundingRoundFactory, PanelDeclarationFactory, UserFactory


@pytest.fixture
def officer(db):
    return UserFactory(roles=[Role.PROGRAMME_OFFICER], full_name="Officer Wong")


@pytest.fixture
def round_(db):
    return FundingRoundFactory(envelope=Decimal("3000000.00"),
                               max_subsidy_per_project=Decimal("2000000.00"))


def active_grant(round_, officer, *, amount="1000000.00"):
    grant = make_accepted_grant(round_=round_, amount=amount)
    Application.objects.filter(pk=grant.application_id).update(
        start_date=date(2027, 1, 1), end_date=date(2027, 12, 31))
    BudgetLine.objects.filter(application_id=grant.application_id).update(
        amount=Decimal(amount) * 2 - Decimal("200000.00"))
    BudgetLine.objects.create(application_id=grant.application_id, category="personnel",
                              description="ML engineers", quantity=Decimal("1"),
                              unit_cost=Decimal("200000.00"), amount=Decimal("200000.00"))
    owner = grant.owner
    grant_activate(actor=officer, grant=grant)
    grant = Grant.objects.select_related("application__organisation", "round").get(pk=grant.pk)
    grant.owner = owner
    return grant


@pytest.fixture
def grant(round_, officer):
    return active_grant(round_, officer)


@pytest.fixture
def panel_member(grant):
    return PanelDeclarationFactory(application=grant.application, has_conflict=False).member


def lines(grant):
    return list(BudgetLine.objects.filter(application_id=grant.application_id).order_by("pk"))
