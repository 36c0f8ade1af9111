"""Factory for a grant's closure record: a plain row. A grant closed the way officers close
it comes from the closure page or ``subsidy.closure.services.closing.grant_close_out``."""

from decimal import Decimal

import factory

from subsidy.closure.models import GrantClosure

from .platform import UserFactory
from .scheme import GrantFactory


class GrantClosureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GrantClosure

    grant = factory.SubFactory(GrantFactory, status="completed")
    outcome = GrantClosure.Outcome.COMPLETED
    closed_by = factory.SubFactory(UserFactory)
    paid_amount = Decimal("500000.00")
    released_commitment = Decimal("0.00")
