"""Factories for test data. Records that carry business rules are made through services
where it matters; these build the plain rows around them."""

from datetime import date, timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from applicants.models import Membership, Organisation
from subsidy.platform.models import User, UserRole
from subsidy.scheme.models import FundingRound, Scheme, Sector


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.hk")
    full_name = factory.Faker("name")
    language = "en"
    password = factory.PostGenerationMethodCall("set_password", "Correct-Horse-Battery-9")

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        for role in extracted or []:
            UserRole.objects.create(user=self, role=role)
        self.save()

    @factory.post_generation
    def verified(self, create, extracted, **kwargs):
        if extracted is False:
            return
        from allauth.account.models import EmailAddress

        EmailAddress.objects.create(user=self, email=self.email, verified=True, primary=True)


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


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name_en = factory.Sequence(lambda n: f"Startup {n} Limited")
    name_zh = factory.Sequence(lambda n: f"初創{n}有限公司")
    br_number = factory.Sequence(lambda n: f"{10000000 + n}")
    incorporation_date = date(2023, 1, 15)
    size = Organisation.Size.MICRO
    sector = Sector.NLP


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    organisation = factory.SubFactory(OrganisationFactory)
    user = factory.SubFactory(UserFactory)
    role = Membership.Role.OWNER
