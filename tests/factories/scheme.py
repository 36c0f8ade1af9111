"""Factories for schemes, rounds and grants."""

from datetime import timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from subsidy.scheme.models import FundingRound, Grant, Scheme, Sector

from .platform import UserFactory


class SchemeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Scheme

    code = factory.Sequence(lambda n: f"scheme{n}")
    name_en = "Cyberport AI Subsidy Scheme"
    name_zh = "數碼港人工智能資助計劃"
    budget = Decimal("500000000.00")


class FundingRoundFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FundingRound

    scheme = factory.SubFactory(SchemeFactory)
    code = factory.Sequence(lambda n: f"2026R{n + 1}")
    title_en = factory.LazyAttribute(lambda o: f"Round {o.code}")
    status = FundingRound.Status.OPEN
    opens_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))
    closes_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=30))
    envelope = Decimal("100000000.00")
    max_subsidy_per_project = Decimal("5000000.00")
    gpu_hour_rate = Decimal("18.50")
    eligible_categories = factory.LazyFunction(lambda: [Sector.NLP, Sector.COMPUTER_VISION])
    required_documents = factory.LazyFunction(lambda: ["business_plan"])


class GrantFactory(factory.django.DjangoModelFactory):
    """An accepted grant with no tranches yet (activation schedules them: ``grant_activate``)."""

    class Meta:
        model = Grant

    # The application stands in the grant's state (the two share the lifecycle's names).
    application = factory.SubFactory("tests.factories.applicants.ApplicationFactory",
                                     status=factory.SelfAttribute("..status"))
    round = factory.SelfAttribute("application.round")
    status = Grant.Status.ACCEPTED
    approved_amount = factory.SelfAttribute("application.requested_subsidy")
    approved_ratio_percent = Decimal("50")
    decided_by = factory.SubFactory(UserFactory)
