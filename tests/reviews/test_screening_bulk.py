"""Screening applications together: every application in screening passes to review in one
step with its automatic results confirmed, after a confirmation page; a row may be left
for screening one by one, or have what is not met overridden with a reason."""

import pytest
from django.urls import reverse

from applicants.models import Application
from reviews.services.screening import screening_history
from subsidy.platform.roles import Role
from tests.factories import UserFactory

from .decision_helpers import make_application, use_private_storage

BULK = reverse("staff:screening_bulk")


@pytest.fixture(autouse=True)
def _storage(settings, tmp_path):
    use_private_storage(settings, tmp_path)


@pytest.fixture
def officer_client(client, officer):
    client.force_login(officer)
    return client


def status(application):
    return Application.objects.get(pk=application.pk).status


def test_the_page_shows_each_application_with_its_automatic_result(officer_client, round_,
                                                                    officer):
    clean = make_application(round_, state="screening", officer=officer)
    failing = make_application(round_, state="screening", officer=officer, sector="defi")
    response = officer_client.get(BULK)
    page = response.content.decode()
    assert clean.reference in page and failing.reference in page
    assert "Every rule met" in page
    assert "1 rule not met" in page
    form = response.context["form"]
    assert form[f"action-{clean.pk}"].initial == "pass"
    assert form[f"action-{failing.pk}"].initial == "leave"


def test_nothing_is_recorded_before_the_confirmation(officer_client, round_, officer):
    application = make_application(round_, state="screening", officer=officer)
    response = officer_client.post(BULK, {f"action-{application.pk}": "pass"})
    assert "Pass 1 application to review" in response.content.decode()
    assert status(application) == "screening"
    assert not screening_history(application).exists()


def test_confirming_passes_every_chosen_application_with_its_results_confirmed(
        officer_client, round_, officer):
    chosen = make_application(round_, state="screening", officer=officer)
    left = make_application(round_, state="screening", officer=officer)
    response = officer_client.post(BULK, {f"action-{chosen.pk}": "pass",
                                          f"action-{left.pk}": "leave", "confirmed": "1"})
    assert response.status_code == 200
    assert status(chosen) == "in_review"
    assert status(left) == "screening"
    record = screening_history(chosen).get()
    assert record.actor == officer
    assert all(row["result"] and not row["overridden"] for row in record.after["rules"])


def test_a_rule_not_met_needs_a_reason_to_pass(officer_client, round_, officer):
    failing = make_application(round_, state="screening", officer=officer, sector="defi")
    response = officer_client.post(BULK, {f"action-{failing.pk}": "pass"})
    page = response.content.decode()
    assert "There is a problem" in page
    assert f"{failing.reference}: reason for overriding what is not met" in page
    assert f'href="#id_reason-{failing.pk}"' in page
    assert status(failing) == "screening"


def test_an_override_with_its_reason_passes_and_is_recorded(officer_client, round_, officer):
    failing = make_application(round_, state="screening", officer=officer, sector="defi")
    reason = "The company builds AI for DeFi audits, which this round funds."
    data = {f"action-{failing.pk}": "pass", f"reason-{failing.pk}": reason}
    confirm = officer_client.post(BULK, data).content.decode()
    assert reason in confirm
    officer_client.post(BULK, {**data, "confirmed": "1"})
    assert status(failing) == "in_review"
    rules = {row["code"]: row for row in screening_history(failing).get().after["rules"]}
    assert rules["category_eligible"]["overridden"] is True
    assert rules["category_eligible"]["reason"] == reason
    assert rules["complete"]["overridden"] is False


def test_changing_the_choices_returns_to_the_page_with_them_kept(officer_client, round_,
                                                                  officer):
    application = make_application(round_, state="screening", officer=officer)
    response = officer_client.post(BULK, {f"action-{application.pk}": "leave",
                                          "change": "1"})
    assert response.context["form"][f"action-{application.pk}"].value() == "leave"
    assert status(application) == "screening"


def test_choosing_nothing_to_pass_says_so(officer_client, round_, officer):
    application = make_application(round_, state="screening", officer=officer)
    page = officer_client.post(BULK, {f"action-{application.pk}": "leave"}).content.decode()
    assert "Choose at least one application to pass to review." in page


@pytest.mark.parametrize("role", [Role.PANEL_MEMBER, Role.REVIEWER, Role.APPLICANT])
def test_only_programme_officers_screen(client, db, role):
    client.force_login(UserFactory(roles=[role]))
    assert client.get(BULK).status_code == 403
