"""The officer's dashboard: how much work waits in each queue, and the oldest items first,
each with its age and a link to where the work is done."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from applicants.models import ApplicationStatus
from reviews.models import Assignment
from subsidy.platform.roles import Role
from tests.factories import (
    ApplicationFactory,
    AssignmentFactory,
    ClaimFactory,
    FundingRoundFactory,
    InformationRequestFactory,
    UserFactory,
)

S = ApplicationStatus
DASHBOARD = reverse("core:dashboard_officer")
# Session, user and roles, the budget positions, open rounds and inbox, and two for each of
# the ten queues (how many, and the oldest).
QUERIES = 27


def days_ago(days):
    return timezone.now() - timedelta(days=days, hours=1)


@pytest.fixture
def officer_client(client, db):
    client.force_login(UserFactory(roles=[Role.PROGRAMME_OFFICER]))
    return client


def queue(response, code):
    return next(q for q in response.context["workload"] if q.code == code)


def test_applications_waiting_for_screening_are_counted_oldest_first(officer_client):
    newer = ApplicationFactory(status=S.SUBMITTED, status_changed_at=days_ago(2))
    older = ApplicationFactory(status=S.SUBMITTED, status_changed_at=days_ago(9))
    ApplicationFactory(status=S.DRAFT)
    response = officer_client.get(DASHBOARD)
    waiting = queue(response, "screening_not_started")
    assert waiting.count == 2
    assert [i.label.split(" · ")[0] for i in waiting.items] == [older.reference,
                                                                  newer.reference]
    page = response.content.decode()
    assert "waiting 9 days" in page
    assert reverse("staff:screening", args=[older.pk]) in page
    assert page.index(older.reference) < page.index(newer.reference)


def test_in_review_without_enough_reviewers_waits_for_assignment(officer_client):
    round_ = FundingRoundFactory(reviewers_per_application=3)
    short = ApplicationFactory(round=round_, status=S.IN_REVIEW)
    AssignmentFactory(application=short)
    full = ApplicationFactory(round=round_, status=S.IN_REVIEW)
    for _ in range(3):
        AssignmentFactory(application=full)
    response = officer_client.get(DASHBOARD)
    missing = queue(response, "reviewers_missing")
    assert missing.count == 1
    assert missing.items[0].url == reverse("reviews:application_assignments", args=[short.pk])


def test_overdue_reviews_name_their_reviewer_and_how_late(officer_client):
    late = AssignmentFactory(due_at=days_ago(4), status=Assignment.Status.ACTIVE)
    AssignmentFactory(due_at=timezone.now() + timedelta(days=3))
    response = officer_client.get(DASHBOARD)
    overdue = queue(response, "reviews_overdue")
    assert overdue.count == 1
    page = response.content.decode()
    assert late.reviewer.get_full_name() in page
    assert "overdue by 4 days" in page


def test_unanswered_requests_for_information_wait_with_their_due_date(officer_client):
    request = InformationRequestFactory(due_at=timezone.now() + timedelta(days=5))
    InformationRequestFactory.create(created_at=days_ago(20))
    response = officer_client.get(DASHBOARD)
    waiting = queue(response, "information_awaited")
    assert waiting.count == 2
    assert waiting.items[0].days_waiting == 20
    assert "answer due" in waiting.items[1].detail
    assert waiting.items[1].url == reverse("staff:application", args=[request.application.pk])


def test_reviewed_applications_wait_for_the_panel_and_claims_for_verification(officer_client):
    reviewed = ApplicationFactory(status=S.REVIEWED, status_changed_at=days_ago(3))
    claim = ClaimFactory(submitted_at=days_ago(6))
    response = officer_client.get(DASHBOARD)
    assert queue(response, "decisions_pending").items[0].label.startswith(reviewed.reference)
    claims = queue(response, "claims_to_verify")
    assert claims.count == 1
    assert claims.items[0].url == reverse("finance:claim", args=[claim.pk])
    assert claims.oldest_days == 6


def test_an_empty_office_shows_every_queue_at_zero(officer_client):
    response = officer_client.get(DASHBOARD)
    assert response.status_code == 200
    assert all(q.count == 0 for q in response.context["workload"])
    assert len(response.context["workload"]) == 10


def test_the_dashboard_shows_the_oldest_few_and_links_to_the_rest(officer_client):
    for days in range(8):
        ApplicationFactory(status=S.SCREENING, status_changed_at=days_ago(days))
    response = officer_client.get(DASHBOARD)
    screening = queue(response, "screening_open")
    assert screening.count == 8
    assert len(screening.items) == 5
    assert screening.oldest_days == 7
    assert "The oldest 5 of 8 are shown" in response.content.decode()


def test_the_dashboard_runs_a_fixed_number_of_queries(officer_client,
                                                      django_assert_num_queries):
    officer_client.get(DASHBOARD)
    with django_assert_num_queries(QUERIES):
        officer_client.get(DASHBOARD)
    for days in range(6):
        ApplicationFactory(status=S.SUBMITTED, status_changed_at=days_ago(days))
        AssignmentFactory(due_at=days_ago(days + 1))
        InformationRequestFactory()
        ClaimFactory()
    with django_assert_num_queries(QUERIES):
        officer_client.get(DASHBOARD)


def test_the_queues_read_in_chinese(client, db):
    client.force_login(UserFactory(roles=[Role.PROGRAMME_OFFICER], language="zh-hant"))
    ApplicationFactory(status=S.SUBMITTED, status_changed_at=days_ago(3))
    page = client.get(DASHBOARD, HTTP_ACCEPT_LANGUAGE="zh-hant").content.decode()
    assert "待處理工作" in page
    assert "已等候 3 日" in page
