"""An active grant ready for variations: HK$1,000,000 by default in three tranches, with two
budget lines (the application's own line and ML engineers), its project running through 2027."""

from datetime import date
from decimal import Decimal

from applicants.models import Application, BudgetLine
from subsidy.finance.services.tranches import grant_activate
from subsidy.scheme.models import Grant
from tests.builders.finance import make_accepted_grant


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


def lines(grant):
    return list(BudgetLine.objects.filter(application_id=grant.application_id).order_by("pk"))
