"""The confirmation page after submitting: the reference, and what happens next and when,
with the dates of the round."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from tests.builders.applicants import stranger


def submitted_url(application):
    return reverse("applicants:submitted", args=[application.pk])


def test_submitting_leads_to_the_confirmation_page(client_for, owner, ready_draft):
    response = client_for(owner).post(reverse("applicants:submit", args=[ready_draft.pk]))
    assert response["Location"] == submitted_url(ready_draft)


def test_the_confirmation_says_what_happens_next_and_when(client_for, owner, ready_draft):
    client = client_for(owner)
    client.post(reverse("applicants:submit", args=[ready_draft.pk]))
    page = client.get(submitted_url(ready_draft)).content.decode()
    assert "Application submitted" in page
    assert "AISS-2026R1-00001" in page
    assert "What happens next" in page
    closes = timezone.localtime(ready_draft.round.closes_at).strftime("%Y-%m-%d %H:%M")
    assert f"Until the round closes on {closes} (Hong Kong time)" in page
    assert "Steps still to come" in page
    assert reverse("applicants:print", args=[ready_draft.pk]) in page


def test_after_the_close_screening_comes_now(client_for, owner, ready_draft):
    client = client_for(owner)
    client.post(reverse("applicants:submit", args=[ready_draft.pk]))
    round_ = ready_draft.round
    round_.closes_at = timezone.now() - timedelta(minutes=1)
    round_.save()
    page = client.get(submitted_url(ready_draft)).content.decode()
    assert "<strong>Now</strong>, a programme officer checks its eligibility" in page


def test_a_draft_has_no_confirmation_yet(client_for, owner, draft):
    response = client_for(owner).get(submitted_url(draft))
    assert response["Location"] == reverse("applicants:application", args=[draft.pk])


def test_another_company_sees_nothing(client_for, owner, ready_draft):
    client_for(owner).post(reverse("applicants:submit", args=[ready_draft.pk]))
    assert client_for(stranger()).get(submitted_url(ready_draft)).status_code == 404


def test_the_confirmation_reads_in_chinese(client_for, owner, ready_draft):
    client = client_for(owner)
    client.post(reverse("applicants:submit", args=[ready_draft.pk]))
    client.post(reverse("set_language"), {"language": "zh-hant", "next": "/"})
    page = client.get(submitted_url(ready_draft)).content.decode()
    assert "已提交申請" in page
    assert "接下來的步驟" in page
