"""Fixtures for assessment tests: a round, its officer and a panel member. Applications in
review, pooled reviewers and submitted reviews come from ``tests.builders.reviews``."""

import pytest
from django.utils import translation

from subsidy.platform.roles import Role
from tests.factories import FundingRoundFactory, UserFactory


@pytest.fixture(autouse=True)
def _english():
    translation.activate("en")
    yield
    translation.deactivate()


@pytest.fixture
def round_(db):
    return FundingRoundFactory(reviewers_per_application=3)


@pytest.fixture
def officer(db):
    return UserFactory(roles=[Role.PROGRAMME_OFFICER])


@pytest.fixture
def panel_member(db):
    return UserFactory(roles=[Role.PANEL_MEMBER])
