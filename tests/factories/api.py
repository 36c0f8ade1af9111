"""Factories for the API's rows: keys and idempotency records."""

import hashlib

import factory

from subsidy.api.models import ApiKey, IdempotencyKey

from .platform import PartnerOrganisationFactory, UserFactory


class ApiKeyFactory(factory.django.DjangoModelFactory):
    """A partner's key. The row stores only a digest; to call the API with a key, issue it
    through ``api_key_create``, which returns the plaintext."""

    class Meta:
        model = ApiKey

    partner = factory.SubFactory(PartnerOrganisationFactory)
    user = None
    name = "Portal"
    prefix = factory.Sequence(lambda n: f"{n:08x}")
    hashed_key = factory.LazyAttribute(lambda o: hashlib.sha256(o.prefix.encode()).hexdigest())
    scopes = factory.LazyFunction(lambda: ["rounds:read"])
    created_by = factory.SubFactory(UserFactory)


class IdempotencyKeyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IdempotencyKey

    api_key = factory.SubFactory(ApiKeyFactory)
    key = factory.Sequence(lambda n: f"retry-{n}")
    request_method = "POST"
    request_path = "/api/v1/applications/"
    request_fingerprint = factory.LazyAttribute(
        lambda o: hashlib.sha256(o.key.encode()).hexdigest())
