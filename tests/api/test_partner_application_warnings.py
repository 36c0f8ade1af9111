"""A draft saves values that break a rule of the scheme, and says so in its answer at once
(``warnings``), instead of the partner first hearing of it at submission."""

import pytest

from applicants.models import Application
from tests.builders.partner_applications import fill, submit, url

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_storage", "english")]

OVER = {"total_eligible_cost": "8000000.00", "requested_subsidy": "5600000.00",
        "milestones": [{"deliverable": "A", "due_date": "2027-03-31", "share_percent": "60"},
                       {"deliverable": "B", "due_date": "2027-06-30", "share_percent": "60"}]}


def test_a_saved_draft_warns_of_the_rules_its_values_break(partner_client, created):
    response = partner_client.patch(url(created), {"version": created["version"], **OVER},
                                    format="json")

    assert response.status_code == 200, response.json()
    warnings = response.json()["warnings"]
    assert warnings == {
        "requested_subsidy": ["The requested subsidy HK$5,600,000.00 is above the round's "
                              "maximum of HK$5,000,000.00 per project."],
        "milestones": ["The milestone shares add up to 120%; they must add up to 100%."]}
    saved = Application.objects.get(public_id=created["id"])
    assert saved.requested_subsidy == 5600000 and saved.milestones.count() == 2
    assert partner_client.get(url(created)).json()["warnings"] == warnings


def test_what_is_still_missing_is_no_warning(partner_client, created):
    response = partner_client.patch(url(created), {
        "version": created["version"], "requested_subsidy": "100000.00",
        "milestones": [{"deliverable": "A", "due_date": "2027-03-31",
                        "share_percent": "40"}]}, format="json")

    assert response.json()["warnings"] == {}
    assert created["warnings"] == {}
    problems = partner_client.get(url(created, "problems/")).json()["problems"]
    assert {"title", "milestones", "requested_subsidy"} <= set(problems)


def test_a_warning_goes_when_the_value_is_corrected(partner_client, created):
    warned = partner_client.patch(url(created), {"version": created["version"], **OVER},
                                  format="json").json()

    filled = fill(partner_client, warned)

    assert filled["warnings"] == {}


def test_a_submitted_application_has_no_warnings(partner_client, created):
    assert submit(partner_client, created)["warnings"] == {}
