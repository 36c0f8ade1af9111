"""Every list: ``next_cursor`` and ``has_more`` beside ``next``, and a ``page_size`` that
is not a whole number from 1 to 200 refused rather than replaced."""

import pytest

from tests.api.test_errors import assert_problem
from tests.builders.partners import link
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


def test_a_page_says_whether_more_follow_and_gives_the_cursor(partner_client, partner):
    for _ in range(3):
        link(partner, OrganisationFactory())

    first = partner_client.get("/api/v1/organisations/", {"page_size": 2}).json()
    second = partner_client.get("/api/v1/organisations/",
                                {"page_size": 2, "cursor": first["next_cursor"]}).json()

    assert first["has_more"] is True and first["next_cursor"]
    assert f"cursor={first['next_cursor']}" in first["next"].replace("%3D", "=")
    assert second["has_more"] is False and second["next_cursor"] is None
    assert second["next"] is None
    seen = [o["id"] for o in first["results"] + second["results"]]
    assert len(seen) == len(set(seen)) == 3


@pytest.mark.parametrize("page_size", ["0", "abc", "201", "-1", "1.5", "٣"])
def test_an_invalid_page_size_is_refused(partner_client, page_size):
    response = partner_client.get("/api/v1/organisations/", {"page_size": page_size})

    assert set(assert_problem(response, 400)["errors"]) == {"page_size"}


def test_the_schema_bounds_page_size_and_describes_the_page(partner_client):
    schema = partner_client.get("/api/v1/schema/?format=json").json()
    operation = schema["paths"]["/api/v1/organisations/"]["get"]

    (page_size,) = [p for p in operation["parameters"] if p["name"] == "page_size"]
    assert page_size["schema"] == {"type": "integer", "minimum": 1, "maximum": 200,
                                   "default": 50}
    page = schema["components"]["schemas"]["PaginatedOrganisationList"]
    assert {"next_cursor", "has_more"} <= set(page["properties"])
