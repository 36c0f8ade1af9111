"""Factories for a grant's signed agreement and its conditions precedent: plain rows. An
offer signed the way owners sign it comes from ``tests.builders.agreements``."""

import hashlib

import factory
from django.utils import timezone

from subsidy.agreements.models import ConditionPrecedent, GrantAgreement

from .platform import UserFactory
from .scheme import GrantFactory


class GrantAgreementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GrantAgreement

    grant = factory.SubFactory(GrantFactory)
    version = 1
    document = b"%PDF-1.7\n% a signed agreement\n%%EOF\n"
    sha256 = factory.LazyAttribute(lambda row: hashlib.sha256(row.document).hexdigest())
    signer_name = "Chan Tai Man"
    signer_title = "Director"
    signed_by = factory.SubFactory(UserFactory)
    signed_at = factory.LazyFunction(timezone.now)
    ip_address = "203.0.113.7"


class ConditionPrecedentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ConditionPrecedent

    grant = factory.SubFactory(GrantFactory)
    number = factory.Sequence(lambda n: n + 1)
    text = "Sign the data-sharing agreement with the pilot clinics."
