import pytest
from django.core.cache import cache
from django.utils import translation
from rest_framework.test import APIClient

from subsidy.api.models import PARTNER_SCOPES, STAFF_SCOPES
from subsidy.api.services.keys import api_key_create
from subsidy.platform.roles import Role
from subsidy.scheme.models import DocumentType
from tests.builders.partners import link
from tests.factories import FundingRoundFactory, OrganisationFactory, UserFactory

ALL_SCOPES = ["rounds:read", "applications:read", "applications:write", "reports:read",
              "webhooks:manage"]


@pytest.fixture(autouse=True)
def _fresh_throttle_counts():
    """Throttle counters live in the cache; each test starts from zero."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def administrator(db):
    return UserFactory(roles=[Role.ADMINISTRATOR])


@pytest.fixture
def issue_key(administrator):
    """Issue a key through the service; returns the plaintext."""

    def issue(*, partner=None, user=None, scopes=None, **kwargs):
        """Every scope the holder can use unless ``scopes`` says otherwise."""
        if scopes is None:
            scopes = [scope for scope in ALL_SCOPES
                      if scope in (PARTNER_SCOPES if partner is not None else STAFF_SCOPES)]
        issued = api_key_create(actor=administrator, name="Portal", scopes=scopes,
                                partner=partner, user=user, **kwargs)
        return issued.plaintext

    return issue


@pytest.fixture
def client_for():
    def make(plaintext):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {plaintext}")
        return client

    return make


@pytest.fixture
def partner_client(partner, issue_key, client_for):
    return client_for(issue_key(partner=partner))


@pytest.fixture
def private_storage(settings, tmp_path):
    """Uploaded documents go to a throw-away directory."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                    "OPTIONS": {"location": str(tmp_path / "media"), "base_url": None}},
    }


@pytest.fixture
def open_round(db):
    return FundingRoundFactory(code="2026R1", required_documents=[DocumentType.BUSINESS_PLAN])


@pytest.fixture
def linked_organisation(partner):
    organisation = OrganisationFactory(br_number="31415926")
    link(partner, organisation)
    return organisation


@pytest.fixture
def english():
    """Messages compared word for word are the English ones."""
    translation.activate("en")
    yield
    translation.deactivate()


@pytest.fixture
def created(partner_client, linked_organisation, open_round):
    """A draft the partner created through the API; the response body."""
    response = partner_client.post("/api/v1/applications/",
                                   {"organisation": linked_organisation.pk,
                                    "round": open_round.code}, format="json")
    assert response.status_code == 201, response.json()
    return response.json()


@pytest.fixture
def local_receivers_allowed(settings):
    settings.WEBHOOKS_ALLOW_INSECURE = True
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = True
