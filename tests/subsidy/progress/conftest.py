"""An active grant (three milestones, 40/30/30, due 2027-01-01, 2027-04-01 and 2027-07-01;
the project ends 2027-08-31) with its reporting requirements, and the programme officer."""

from datetime import date

import pytest

from applicants.models import Application
from subsidy.finance.services.tranches import grant_activate
from subsidy.platform.roles import Role
from tests.builders.finance import make_accepted_grant
from tests.factories import UserFactory


@pytest.fixture
def officer(db):
    return UserFactory(roles=[Role.PROGRAMME_OFFICER])


@pytest.fixture
def active_grant(db, officer):
    grant = make_accepted_grant()
    Application.objects.filter(pk=grant.application_id).update(
        start_date=date(2026, 9, 1), end_date=date(2027, 8, 31))
    grant_activate(actor=officer, grant=grant)
    return grant


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(tmp_path)}}}
