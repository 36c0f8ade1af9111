"""Autosave: the section page saves in the background (the page's script posts the form with
``autosave``) and answers in JSON with the new version and the time saved."""

import pytest
from django.urls import reverse

from applicants.models import Application
from applicants.services.submission import application_submit
from applicants.workflow import public_steps_ahead
from tests.builders.applicants import PROJECT


def _url(draft, section="project"):
    return reverse("applicants:section", args=[draft.pk, section])


def test_a_background_save_keeps_the_text_and_answers_the_new_version(client_for, owner, draft):
    response = client_for(owner).post(_url(draft), {**PROJECT, "version": draft.version,
                                                    "autosave": "1"})
    assert response.status_code == 200
    body = response.json()
    saved = Application.objects.get(pk=draft.pk)
    assert saved.title == PROJECT["title"]
    assert body["saved"] is True
    assert body["version"] == saved.version == draft.version + 1
    assert body["message"] == f"Saved at {body['saved_at']}"
    assert "Give the project a title." not in " ".join(body["missing"])


def test_a_background_save_of_a_bad_value_saves_nothing_and_says_so(client_for, owner, draft):
    response = client_for(owner).post(_url(draft), {**PROJECT, "requested_subsidy": "-5",
                                                    "version": draft.version, "autosave": "1"})
    assert response.status_code == 422
    assert response.json()["saved"] is False
    assert Application.objects.get(pk=draft.pk).title != PROJECT["title"]


def test_a_background_save_after_someone_else_saved_is_refused(client_for, owner, draft):
    client = client_for(owner)
    client.post(_url(draft), {**PROJECT, "version": draft.version, "autosave": "1"})
    response = client.post(_url(draft), {**PROJECT, "title": "Stale", "version": draft.version,
                                         "autosave": "1"})
    assert response.status_code == 422
    assert Application.objects.get(pk=draft.pk).title == PROJECT["title"]


def test_the_section_page_says_when_it_was_last_saved(client_for, owner, draft):
    page = client_for(owner).get(_url(draft)).content.decode()
    assert "data-autosave" in page
    assert "Saved at " in page


def test_check_your_answers_lists_the_answers_with_a_change_link_per_section(
        client_for, owner, ready_draft):
    page = client_for(owner).get(reverse("applicants:submit", args=[ready_draft.pk])
                                 ).content.decode()
    assert ready_draft.title in page
    for section in ["project", "budget", "milestones", "team", "responsible_ai",
                    "declarations"]:
        assert f'class="change-link" href="{_url(ready_draft, section)}"' in page
    assert (f'class="change-link" href="'
            f'{reverse("applicants:documents", args=[ready_draft.pk])}"') in page


def test_after_submitting_the_applicant_sees_the_steps_still_to_come(client_for, owner,
                                                                     ready_draft):
    response = client_for(owner).post(reverse("applicants:submit", args=[ready_draft.pk]),
                                      follow=True)
    page = response.content.decode()
    ahead = page.split("Steps still to come", 1)[1].split("</ol>", 1)[0]
    assert "Assessment: eligibility screening" in ahead
    assert "Decision by the assessment panel" in ahead
    assert "Completed" in ahead
    assert ">Submitted<" not in ahead


@pytest.mark.parametrize("status,first", [("draft", "Submitted"),
                                          ("in_review", "Decision by the assessment panel"),
                                          ("active", "Completed")])
def test_the_steps_ahead_start_after_the_current_one(status, first):
    assert public_steps_ahead(status)[0] == first


@pytest.mark.parametrize("status", ["rejected", "ineligible", "withdrawn", "completed",
                                    "terminated", "declined", "lapsed"])
def test_an_application_at_the_end_of_its_road_has_nothing_ahead(status):
    assert public_steps_ahead(status) == []


def test_the_project_section_offers_only_the_categories_the_round_funds(client_for, owner,
                                                                        draft):
    draft.round.eligible_categories = ["nlp", "computer_vision"]
    draft.round.save(update_fields=["eligible_categories"])
    page = client_for(owner).get(_url(draft)).content.decode()
    select = page.split('name="category"', 1)[1].split("</select>", 1)[0]
    assert 'value="nlp"' in select and 'value="computer_vision"' in select
    for refused in ["defi", "nft", "metaverse", "robotics"]:
        assert f'value="{refused}"' not in select


def test_a_round_without_a_list_offers_the_ai_categories_only(client_for, owner, draft):
    draft.round.eligible_categories = []
    draft.round.save(update_fields=["eligible_categories"])
    page = client_for(owner).get(_url(draft)).content.decode()
    select = page.split('name="category"', 1)[1].split("</select>", 1)[0]
    assert 'value="generative_ai"' in select
    for refused in ["defi", "nft", "metaverse"]:
        assert f'value="{refused}"' not in select


def test_a_category_the_round_does_not_fund_is_refused_on_saving(client_for, owner, draft):
    draft.round.eligible_categories = ["nlp"]
    draft.round.save(update_fields=["eligible_categories"])
    response = client_for(owner).post(_url(draft), {**PROJECT, "category": "defi",
                                                    "version": draft.version})
    assert response.status_code == 200
    assert Application.objects.get(pk=draft.pk).category != "defi"


def test_the_dashboard_never_says_none_for_now_while_something_waits(client_for, owner,
                                                                     ready_draft):
    application_submit(actor=owner, application=ready_draft)
    page = client_for(owner).get(reverse("applicants:dashboard")).content.decode()
    assert "None for now" not in page
    assert "the application is being assessed" in page


def test_a_background_save_answers_the_still_needed_list_as_it_now_stands(client_for, owner,
                                                                          draft):
    client = client_for(owner)
    first = client.post(_url(draft), {**PROJECT, "title": "", "version": draft.version,
                                      "autosave": "1"}).json()
    assert "Give the project a title." in first["missing"]
    second = client.post(_url(draft), {**PROJECT, "version": first["version"],
                                       "autosave": "1"}).json()
    assert second["saved"] is True
    assert "Give the project a title." not in second["missing"]
