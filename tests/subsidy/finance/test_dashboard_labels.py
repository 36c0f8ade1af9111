"""The finance dashboard names categories and sectors as people read them."""

import pytest
from django.urls import reverse

from subsidy.platform.roles import Role
from subsidy.scheme.models import Sector
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_categories_and_sectors_are_named_not_coded(client, active_grant):
    active_grant.application.category = Sector.PREDICTIVE_ANALYTICS
    active_grant.application.save(update_fields=["category"])
    client.force_login(UserFactory(roles=[Role.FINANCE_OFFICER]))
    page = client.get(reverse("finance:dashboard")).content.decode()

    assert "predictive_analytics" not in page
    assert f"<td>{Sector.PREDICTIVE_ANALYTICS.label}</td>" in page
