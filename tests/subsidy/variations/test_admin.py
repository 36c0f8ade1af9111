import pytest
from django.urls import reverse

from subsidy.platform.roles import Role
from tests.factories import UserFactory, VariationBudgetMoveFactory

pytestmark = pytest.mark.django_db


def test_the_admin_shows_variations_and_changes_nothing(client):
    move = VariationBudgetMoveFactory()
    client.force_login(UserFactory(roles=[Role.ADMINISTRATOR], is_staff=True,
                                   is_superuser=True))

    listing = client.get(reverse("admin:subsidy_variation_changelist"))
    page = client.get(reverse("admin:subsidy_variation_change", args=[move.variation_id]))

    assert listing.status_code == 200 and page.status_code == 200
    assert client.post(reverse("admin:subsidy_variation_delete",
                               args=[move.variation_id]), {"post": "yes"}).status_code == 403
