"""Fixtures for applicant-side tests, made from ``tests.factories`` and, where a user's
actions matter, through the services (``tests.builders.applicants``)."""

import pytest
from django.utils import translation

from applicants.models import Membership
from applicants.services.drafts import application_create_draft
from subsidy.platform.roles import Role
from subsidy.scheme.models import DocumentType
from tests.builders.applicants import fill
from tests.factories import FundingRoundFactory, MembershipFactory, UserFactory


@pytest.fixture(autouse=True)
def _english_unless_asked():
    """Messages are compared in English; a page requested in Chinese leaves Chinese active
    in the thread, so each test starts and ends in the default language."""
    translation.activate("en")
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _private_storage(settings, tmp_path):
    """Uploaded documents go to a throw-away directory."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                    "OPTIONS": {"location": str(tmp_path / "media"), "base_url": None}},
    }


@pytest.fixture
def round_(db):
    return FundingRoundFactory(code="2026R1",
                               required_documents=[DocumentType.BUSINESS_PLAN])


@pytest.fixture
def owner(db):
    return UserFactory(roles=[Role.APPLICANT])


@pytest.fixture
def organisation(owner):
    return MembershipFactory(user=owner, role=Membership.Role.OWNER).organisation


@pytest.fixture
def client_for(client):
    """The test client signed in as the given user."""
    def login(user):
        client.force_login(user)
        return client

    return login


@pytest.fixture
def draft(owner, organisation, round_):
    return application_create_draft(actor=owner, organisation=organisation, round_=round_)


@pytest.fixture
def ready_draft(owner, draft):
    return fill(owner, draft)


@pytest.fixture
def officer(db):
    return UserFactory(roles=[Role.PROGRAMME_OFFICER])


@pytest.fixture
def panel_member(db):
    return UserFactory(roles=[Role.PANEL_MEMBER])


