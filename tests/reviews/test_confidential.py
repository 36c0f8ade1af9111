"""The assessment stays confidential: applicants never reach staff pages, reviewers read what
they score (each download audited) but not each other's reviews until the round's review
stage closes, corrections wait for an officer, and panel members declare conflicts before
they decide. Every test enters from the page, as the user does."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from applicants.models import ApplicationStatus
from reviews.models import Assignment, PanelDeclaration, ReviewCorrectionRequest
from reviews.services.assignments import assignment_create, declaration_record
from reviews.services.scoring import review_save
from subsidy.devdata.demo import demo_seed
from subsidy.platform.models import AuditEvent, User
from subsidy.platform.roles import Role
from tests.builders.reviews import pooled_reviewer, scores_for, submit_review
from tests.factories import MembershipFactory, UserFactory

from .decision_helpers import make_application, make_round, use_private_storage

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _storage(settings, tmp_path):
    use_private_storage(settings, tmp_path)


@pytest.fixture
def round_(db):
    return make_round(code="2026C1", reviewers_per_application=2)


@pytest.fixture
def officer(db):
    return UserFactory(roles=[Role.PROGRAMME_OFFICER])


@pytest.fixture
def panel(db):
    return UserFactory(roles=[Role.PANEL_MEMBER])


@pytest.fixture
def in_review(round_, officer):
    return make_application(round_, state="in_review", officer=officer)


def _assign(round_, officer, application, *, declare=True):
    assignment = assignment_create(actor=officer, application=application,
                                   reviewer=pooled_reviewer(round_, officer))
    if declare:
        declaration_record(actor=assignment.reviewer, assignment=assignment, has_conflict=False)
        assignment.refresh_from_db()
    return assignment


def _review_post(round_, score):
    data = {"recommendation": "fund", "overall_comment": "Good", "submit": "1"}
    for code, entry in scores_for(round_, score).items():
        data[f"score_{code}"] = entry["score"]
        data[f"comment_{code}"] = entry["comment"]
    return data


# --- Applicants never reach staff pages ---------------------------------------------------------

@pytest.mark.parametrize("name", ["staff:application", "staff:versions"])
@pytest.mark.parametrize("member_role", ["owner", "editor", "viewer"])
def test_a_member_of_the_company_cannot_open_its_staff_pages(client, in_review, name,
                                                             member_role):
    member = in_review.owner
    if member_role != "owner":
        member = UserFactory(roles=[Role.APPLICANT])
        MembershipFactory(user=member, organisation=in_review.organisation, role=member_role)
    client.force_login(member)
    assert client.get(reverse(name, args=[in_review.pk])).status_code == 403


def test_a_member_cannot_take_a_staff_step_on_its_application(client, in_review):
    client.force_login(in_review.owner)
    response = client.post(reverse("staff:step", args=[in_review.pk, "complete_review"]))
    assert response.status_code == 403


# --- Reviewers read the documents beside the scoring form ------------------------------------

def test_an_assigned_reviewer_downloads_the_documents_from_the_review_page(
        client, round_, officer, in_review):
    assignment = _assign(round_, officer, in_review)
    document = in_review.documents.get()
    download = reverse("applicants:document_download", args=[document.pk])
    client.force_login(assignment.reviewer)
    page = client.get(reverse("reviews:assignment", args=[assignment.pk])).content.decode()
    assert download in page
    assert 'class="review-layout"' in page
    response = client.get(download)
    assert response.status_code == 200
    event = AuditEvent.objects.get(action="application.download_document")
    assert event.actor == assignment.reviewer
    assert event.after["document"] == document.pk


def test_a_reviewer_who_has_not_declared_cannot_download(client, round_, officer, in_review):
    assignment = _assign(round_, officer, in_review, declare=False)
    client.force_login(assignment.reviewer)
    document = in_review.documents.get()
    assert client.get(reverse("applicants:document_download",
                              args=[document.pk])).status_code == 404


def test_a_conflicted_or_unassigned_reviewer_cannot_download(client, round_, officer,
                                                             in_review):
    conflicted = _assign(round_, officer, in_review, declare=False)
    declaration_record(actor=conflicted.reviewer, assignment=conflicted, has_conflict=True,
                       reason="Former employer")
    unassigned = pooled_reviewer(round_, officer)
    download = reverse("applicants:document_download", args=[in_review.documents.get().pk])
    for reviewer in (conflicted.reviewer, unassigned):
        client.force_login(reviewer)
        assert client.get(download).status_code == 404
    assert not AuditEvent.objects.filter(action="application.download_document").exists()


# --- Blind review until the round's review stage closes --------------------------------------

OTHERS_COMMENT = "A view from the second reviewer"


def _two_reviews(round_, officer, application):
    first = _assign(round_, officer, application)
    second = _assign(round_, officer, application)
    review_save(actor=second.reviewer, assignment=second, scores=scores_for(round_, 5),
                recommendation="do_not_fund", overall_comment=OTHERS_COMMENT, submit=True)
    return first, second


def test_others_reviews_stay_hidden_after_submitting_while_the_stage_is_open(
        client, round_, officer, in_review):
    # A second application keeps the round's review stage open.
    make_application(round_, state="in_review", officer=officer)
    first, second = _two_reviews(round_, officer, in_review)
    client.force_login(first.reviewer)
    url = reverse("reviews:assignment", args=[first.pk])
    client.post(url, _review_post(round_, 3))
    first.refresh_from_db()
    assert first.status == Assignment.Status.SUBMITTED
    page = client.get(url).content.decode()
    assert OTHERS_COMMENT not in page
    assert "shown once the round's review stage closes" in page


def test_others_reviews_show_without_names_once_the_stage_closes(client, round_, officer,
                                                                 in_review):
    first, second = _two_reviews(round_, officer, in_review)
    round_.closes_at = timezone.now() - timedelta(days=1)
    round_.opens_at = round_.closes_at - timedelta(days=30)
    round_.save(update_fields=["closes_at", "opens_at"])
    submit_review(first, 3, declare=False)
    in_review.refresh_from_db()
    assert in_review.status == ApplicationStatus.REVIEWED
    client.force_login(first.reviewer)
    page = client.get(reverse("reviews:assignment", args=[first.pk])).content.decode()
    assert OTHERS_COMMENT in page
    assert second.reviewer.get_full_name() not in page
    assert second.reviewer.email not in page


def test_a_fully_blind_round_never_shows_others_reviews(client, round_, officer, in_review):
    client.force_login(officer)
    client.post(reverse("reviews:ranking", args=[round_.code]), {
        "disagreement_threshold": "20", "reviews_visible_after_close": ""})
    first, second = _two_reviews(round_, officer, in_review)
    round_.closes_at = timezone.now() - timedelta(days=1)
    round_.opens_at = round_.closes_at - timedelta(days=30)
    round_.save(update_fields=["closes_at", "opens_at"])
    submit_review(first, 3, declare=False)
    client.force_login(first.reviewer)
    page = client.get(reverse("reviews:assignment", args=[first.pk])).content.decode()
    assert OTHERS_COMMENT not in page


# --- A correction waits for an officer's approval --------------------------------------------

def test_a_correction_needs_an_officers_approval(client, round_, officer, in_review):
    first, _second = _two_reviews(round_, officer, in_review)
    submit_review(first, 3, declare=False)
    client.force_login(first.reviewer)
    client.post(reverse("reviews:correction", args=[first.pk]), {"reason": "Misread budget"})
    assert first.reviews.count() == 1
    request = ReviewCorrectionRequest.objects.get(assignment=first)
    assert request.status == ReviewCorrectionRequest.Status.PENDING
    # The score cannot change meanwhile.
    client.post(reverse("reviews:assignment", args=[first.pk]), _review_post(round_, 1))
    assert first.reviews.get().weighted_total > 50

    client.force_login(officer)
    page = client.get(reverse("reviews:application_assignments",
                              args=[in_review.pk])).content.decode()
    assert "Misread budget" in page
    decide = reverse("reviews:correction_decide", args=[in_review.pk, request.pk])
    client.post(decide, {"decision": "approve", "note": "Fine"})
    request.refresh_from_db()
    assert request.status == ReviewCorrectionRequest.Status.APPROVED
    assert request.decided_by == officer
    assert AuditEvent.objects.filter(action="review.correction_approve").exists()

    client.force_login(first.reviewer)
    client.post(reverse("reviews:assignment", args=[first.pk]), _review_post(round_, 1))
    current = first.reviews.get(is_current=True)
    assert current.version == 2
    assert current.correction_reason == "Misread budget"


def test_a_rejected_correction_leaves_the_review_as_it_was(client, round_, officer, in_review):
    first, _second = _two_reviews(round_, officer, in_review)
    submit_review(first, 3, declare=False)
    client.force_login(first.reviewer)
    client.post(reverse("reviews:correction", args=[first.pk]), {"reason": "Second thoughts"})
    request = ReviewCorrectionRequest.objects.get()
    client.force_login(officer)
    decide = reverse("reviews:correction_decide", args=[in_review.pk, request.pk])
    client.post(decide, {"decision": "reject", "note": ""})
    request.refresh_from_db()
    assert request.status == ReviewCorrectionRequest.Status.PENDING  # a rejection needs a note
    client.post(decide, {"decision": "reject", "note": "Scores stand"})
    request.refresh_from_db()
    assert request.status == ReviewCorrectionRequest.Status.REJECTED
    assert first.reviews.count() == 1
    assert AuditEvent.objects.filter(action="review.correction_reject").exists()


def test_a_reviewer_cannot_decide_their_own_correction(client, round_, officer, in_review):
    first, _second = _two_reviews(round_, officer, in_review)
    submit_review(first, 3, declare=False)
    client.force_login(first.reviewer)
    client.post(reverse("reviews:correction", args=[first.pk]), {"reason": "Typo"})
    request = ReviewCorrectionRequest.objects.get()
    response = client.post(reverse("reviews:correction_decide", args=[in_review.pk, request.pk]),
                           {"decision": "approve"})
    assert response.status_code == 403
    request.refresh_from_db()
    assert request.status == ReviewCorrectionRequest.Status.PENDING


# --- Panel members declare conflicts before deciding -----------------------------------------

@pytest.fixture
def reviewed(round_, officer):
    return make_application(round_, state="reviewed", officer=officer)


def _reject(client, application):
    return client.post(reverse("staff:decision", args=[application.pk]),
                       {"decision": "reject", "reason": "Weak plan", "confirm": "1"})


def test_a_panel_member_declares_before_the_decision_form_appears(client, panel, reviewed):
    client.force_login(panel)
    url = reverse("staff:decision", args=[reviewed.pk])
    page = client.get(url).content.decode()
    assert "Declare your interests" in page
    assert 'name="decision"' not in page
    _reject(client, reviewed)
    reviewed.refresh_from_db()
    assert reviewed.status == ApplicationStatus.REVIEWED

    client.post(reverse("staff:panel_declare", args=[reviewed.pk]), {"has_conflict": "no"})
    assert PanelDeclaration.objects.get(member=panel, application=reviewed).has_conflict is False
    assert 'name="decision"' in client.get(url).content.decode()
    _reject(client, reviewed)
    reviewed.refresh_from_db()
    assert reviewed.status == ApplicationStatus.REJECTED


def test_a_recused_panel_member_cannot_decide(client, panel, reviewed):
    client.force_login(panel)
    client.post(reverse("staff:panel_declare", args=[reviewed.pk]),
                {"has_conflict": "yes", "reason": "My brother founded it"})
    declaration = PanelDeclaration.objects.get(member=panel, application=reviewed)
    assert declaration.has_conflict
    assert AuditEvent.objects.filter(action="panel.declare").exists()
    page = client.get(reverse("staff:decision", args=[reviewed.pk])).content.decode()
    assert "You declared a conflict of interest" in page
    _reject(client, reviewed)
    reviewed.refresh_from_db()
    assert reviewed.status == ApplicationStatus.REVIEWED


def test_a_conflict_needs_a_reason(client, panel, reviewed):
    client.force_login(panel)
    response = client.post(reverse("staff:panel_declare", args=[reviewed.pk]),
                           {"has_conflict": "yes", "reason": ""})
    assert response.status_code == 400
    assert not PanelDeclaration.objects.exists()


def test_bulk_decisions_refuse_applications_the_member_has_not_declared_on(client, panel,
                                                                           reviewed):
    client.force_login(panel)
    response = client.post(reverse("staff:bulk_decisions"), {
        f"decision-{reviewed.pk}": "reject", f"conditions-{reviewed.pk}": "Weak"})
    assert "Declare your interests" in response.content.decode()
    reviewed.refresh_from_db()
    assert reviewed.status == ApplicationStatus.REVIEWED


def test_the_demo_reviewer_reads_the_documents_of_the_application_in_review(client):
    demo_seed()
    reviewer = User.objects.get(email="reviewer2@demo.aiss.hk")
    assignment = Assignment.objects.get(reviewer=reviewer,
                                        application__status=ApplicationStatus.IN_REVIEW)
    client.force_login(reviewer)
    page = client.get(reverse("reviews:assignment", args=[assignment.pk])).content.decode()
    document = assignment.application.documents.first()
    download = reverse("applicants:document_download", args=[document.pk])
    assert download in page
    assert client.get(download).status_code == 200
