"""Factories for personal data records: data access requests."""

from datetime import timedelta

import factory
from django.utils import timezone

from subsidy.platform.roles import Role
from subsidy.privacy.models import DataAccessRequest

from .platform import UserFactory


class DataAccessRequestFactory(factory.django.DjangoModelFactory):
    """An open request received a few days ago."""

    class Meta:
        model = DataAccessRequest

    requester_name = "Lee Ka Yan"
    requester_email = factory.Sequence(lambda n: f"requester{n}@example.hk")
    received_on = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=3))
    description = "All data about me."
    created_by = factory.SubFactory(UserFactory, roles=[Role.ADMINISTRATOR])
