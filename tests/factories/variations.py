"""Factories for a grant's variations: plain rows. A variation asked and decided the way
users do it goes through ``subsidy.variations.services``."""

from datetime import date

import factory

from subsidy.variations.models import (
    RoundVariationRules,
    Variation,
    VariationBudgetMove,
    VariationMilestoneChange,
)

from .applicants import BudgetLineFactory, MilestoneFactory
from .platform import UserFactory
from .scheme import FundingRoundFactory, GrantFactory


class RoundVariationRulesFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RoundVariationRules

    round = factory.SubFactory(FundingRoundFactory)


class VariationFactory(factory.django.DjangoModelFactory):
    """An open request for new end date on an active grant, for the officer to decide."""

    class Meta:
        model = Variation

    grant = factory.SubFactory(GrantFactory, status="active")
    number = factory.Sequence(lambda n: n + 1)
    decider = Variation.Decider.OFFICER
    reason = "The pilot clinics start three months later than planned."
    new_end_date = date(2028, 3, 31)
    old_amount = factory.SelfAttribute("grant.approved_amount")
    requested_by = factory.SubFactory(UserFactory)


class VariationMilestoneChangeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = VariationMilestoneChange

    variation = factory.SubFactory(VariationFactory)
    milestone = factory.SubFactory(
        MilestoneFactory, application=factory.SelfAttribute("..variation.grant.application"))
    old_due_date = factory.SelfAttribute("milestone.due_date")
    old_deliverable = factory.SelfAttribute("milestone.deliverable")
    new_due_date = date(2027, 9, 30)


class VariationBudgetMoveFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = VariationBudgetMove

    variation = factory.SubFactory(VariationFactory)
    from_line = factory.SubFactory(
        BudgetLineFactory, application=factory.SelfAttribute("..variation.grant.application"))
    to_line = factory.SubFactory(
        BudgetLineFactory, application=factory.SelfAttribute("..variation.grant.application"),
        category="equipment", description="GPU workstation")
    amount = "20000.00"
