"""The partner API's writes on the deadline path run a bounded number of queries: a
portal sending hundreds of applications at once pays for every round trip."""

import pytest
from django.utils import translation

from tests.api.test_partner_applications import FILLED, fill, upload, url

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_storage")]


@pytest.fixture(autouse=True)
def _english():
    translation.activate("en")
    yield
    translation.deactivate()


@pytest.fixture
def created(partner_client, linked_organisation, open_round):
    response = partner_client.post("/api/v1/applications/",
                                   {"organisation": linked_organisation.pk,
                                    "round": open_round.code}, format="json")
    assert response.status_code == 201, response.json()
    return response.json()


def test_filling_every_part_takes_one_savepoint_per_part(partner_client, created,
                                                         django_assert_max_num_queries):
    # Six parts, each saved under its own lock, version and audit record (70 queries when
    # each part also had a second, redundant savepoint).
    with django_assert_max_num_queries(60):
        response = partner_client.patch(url(created), {**FILLED, "version": 1}, format="json")
    assert response.status_code == 200, response.json()


def test_an_upload_reads_the_application_row_only(partner_client, created,
                                                  django_assert_max_num_queries):
    fill(partner_client, created)
    # The upload locks and checks the row itself; its parts are not read (13 when they were).
    with django_assert_max_num_queries(10):
        response = upload(partner_client, created)
    assert response.status_code == 201, response.json()


def test_submission_reads_the_parts_once(partner_client, created,
                                         django_assert_max_num_queries):
    fill(partner_client, created)
    upload(partner_client, created)
    # The checks and the frozen version share one read of the lines, milestones, team and
    # documents (43 when each read them, and the view read them beforehand too).
    with django_assert_max_num_queries(38):
        response = partner_client.post(url(created, "submit/"))
    assert response.status_code == 200, response.json()
    assert response.json()["reference"] == "AISS-2026R1-00001"
