import re

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from applicants.models import Application
from applicants.workflow import application_transition
from reviews.models import Assignment, ReviewerPoolMember
from reviews.services.assignments import (
    assignment_create,
    assignments_auto_assign,
    declaration_record,
)
from subsidy.platform.roles import Role
from tests.builders.reviews import application_in_review, pooled_reviewer, scores_for, submit_review
from tests.factories import FundingRoundFactory, MembershipFactory, UserFactory
from tests.subsidy.test_list_query_counts import RANKING_EXPORT_QUERIES, RANKING_QUERIES

pytestmark = pytest.mark.django_db


@pytest.fixture
def reviewer(round_, officer):
    return pooled_reviewer(round_, officer)


@pytest.fixture
def application(round_):
    app = application_in_review(round_)
    app.summary = "A confidential project summary"
    app.save(update_fields=["summary"])
    return app


@pytest.fixture
def assignment(officer, application, reviewer):
    return assignment_create(actor=officer, application=application, reviewer=reviewer)


def review_post(round_, score, **extra):
    data = {"recommendation": "fund", "overall_comment": "Good", **extra}
    for code, entry in scores_for(round_, score).items():
        data[f"score_{code}"] = entry["score"]
        data[f"comment_{code}"] = entry["comment"]
    return data


def test_reviewer_dashboard_lists_assignments_with_due_dates(client, assignment, reviewer):
    client.force_login(reviewer)
    response = client.get(reverse("core:dashboard_reviewer"))
    assert assignment.application.title in response.content.decode()
    # Shown as the Hong Kong date, which differs from the UTC date from 16:00 UTC.
    due = timezone.localtime(assignment.due_at).strftime("%Y-%m-%d")
    assert due in response.content.decode()


def test_before_declaring_a_reviewer_sees_only_title_and_applicant(client, assignment,
                                                                   reviewer):
    client.force_login(reviewer)
    body = client.get(reverse("reviews:assignment", args=[assignment.pk])).content.decode()
    assert assignment.application.title in body
    assert assignment.application.organisation.name_en in body
    assert "A confidential project summary" not in body
    assert "Conflict of interest declaration" in body


def test_declaring_no_conflict_shows_the_application(client, assignment, reviewer):
    client.force_login(reviewer)
    response = client.post(reverse("reviews:declare", args=[assignment.pk]),
                           {"has_conflict": "no"}, follow=True)
    assert "A confidential project summary" in response.content.decode()


def test_declaring_a_conflict_takes_the_application_off_the_list(client, assignment, reviewer):
    client.force_login(reviewer)
    client.post(reverse("reviews:declare", args=[assignment.pk]),
                {"has_conflict": "yes", "reason": "My cousin is the founder."})
    assert client.get(reverse("reviews:assignment", args=[assignment.pk])).status_code == 404


def test_a_conflict_without_reason_is_shown_against_the_field(client, assignment, reviewer):
    client.force_login(reviewer)
    response = client.post(reverse("reviews:declare", args=[assignment.pk]),
                           {"has_conflict": "yes", "reason": ""})
    assert response.status_code == 400
    assert "Describe the conflict of interest." in response.content.decode()


def test_a_reviewer_opening_an_unassigned_application_gets_404(client, round_, officer,
                                                               assignment):
    other = pooled_reviewer(round_, officer)
    client.force_login(other)
    assert client.get(reverse("reviews:assignment", args=[assignment.pk])).status_code == 404
    assert client.post(reverse("reviews:declare", args=[assignment.pk]),
                       {"has_conflict": "no"}).status_code == 404


def test_an_applicant_cannot_open_the_reviewer_pages(client, assignment):
    client.force_login(UserFactory(roles=[Role.APPLICANT]))
    assert client.get(reverse("reviews:assignment", args=[assignment.pk])).status_code == 403


def test_saving_a_draft_then_submitting(client, round_, assignment, reviewer):
    client.force_login(reviewer)
    client.post(reverse("reviews:declare", args=[assignment.pk]), {"has_conflict": "no"})
    url = reverse("reviews:assignment", args=[assignment.pk])
    client.post(url, {**review_post(round_, 3), "save": "1"})
    assignment.refresh_from_db()
    assert assignment.status == Assignment.Status.ACTIVE
    client.post(url, {**review_post(round_, 4), "submit": "1"})
    assignment.refresh_from_db()
    assert assignment.status == Assignment.Status.SUBMITTED
    assert assignment.reviews.get(is_current=True).weighted_total == 80


def test_a_score_outside_the_scale_is_shown_next_to_its_field(client, round_, assignment,
                                                              reviewer):
    client.force_login(reviewer)
    client.post(reverse("reviews:declare", args=[assignment.pk]), {"has_conflict": "no"})
    data = review_post(round_, 3, submit="1")
    data["score_alignment"] = 9
    response = client.post(reverse("reviews:assignment", args=[assignment.pk]), data)
    assert response.status_code == 200
    assert "Give a whole number from 1 to 5." in response.content.decode()
    assert 'id="id_score_alignment_error"' in response.content.decode()


def test_officer_manages_the_pool(client, round_, officer):
    candidate = UserFactory(roles=[Role.REVIEWER])
    client.force_login(officer)
    url = reverse("reviews:pool", args=[round_.code])
    client.post(url, {"reviewer": candidate.pk, "expertise": "NLP, fintech", "capacity": 4})
    member = ReviewerPoolMember.objects.get(round=round_, reviewer=candidate)
    assert (member.expertise, member.capacity) == (["nlp", "fintech"], 4)
    client.post(reverse("reviews:pool_member", args=[round_.code, member.pk]),
                {"remove": "1"})
    assert not ReviewerPoolMember.objects.filter(pk=member.pk).exists()


@pytest.mark.parametrize("role", [Role.REVIEWER, Role.PANEL_MEMBER, Role.APPLICANT])
def test_only_officers_manage_the_pool(client, round_, role):
    client.force_login(UserFactory(roles=[role]))
    assert client.get(reverse("reviews:pool", args=[round_.code])).status_code == 403


def test_officer_runs_automatic_assignment_from_the_page(client, round_, officer, application):
    for _ in range(3):
        pooled_reviewer(round_, officer)
    client.force_login(officer)
    client.post(reverse("reviews:auto_assign", args=[round_.code]))
    assert application.review_assignments.count() == 3


def test_officer_assigns_and_removes_by_hand(client, round_, officer, application, reviewer):
    client.force_login(officer)
    url = reverse("reviews:application_assignments", args=[application.pk])
    assert reviewer.get_full_name() in client.get(url).content.decode()
    client.post(url, {"reviewer": reviewer.pk})
    assignment = application.review_assignments.get()
    client.post(reverse("reviews:assignment_remove", args=[application.pk, assignment.pk]),
                {"reason": "Travelling"})
    assignment.refresh_from_db()
    assert assignment.status == Assignment.Status.REMOVED


def test_assignment_page_shows_a_conflict_and_its_replacement(client, round_, officer,
                                                             application, assignment, reviewer):
    replacement = pooled_reviewer(round_, officer)
    declaration_record(actor=reviewer, assignment=assignment, has_conflict=True,
                       reason="Shareholder")
    client.force_login(officer)
    body = client.get(reverse("reviews:application_assignments",
                              args=[application.pk])).content.decode()
    assert "Shareholder" in body
    assert f"Replaced by {replacement.get_full_name()}" in body


def test_panel_member_sees_the_ranking_but_not_its_settings(client, round_, panel_member):
    client.force_login(panel_member)
    response = client.get(reverse("reviews:ranking", args=[round_.code]))
    assert response.status_code == 200
    assert "Ranking settings" not in response.content.decode()


def test_reviewer_cannot_see_the_ranking(client, round_, reviewer):
    client.force_login(reviewer)
    assert client.get(reverse("reviews:ranking", args=[round_.code])).status_code == 403


def test_officer_turns_normalisation_on(client, round_, officer):
    client.force_login(officer)
    client.post(reverse("reviews:ranking", args=[round_.code]),
                {"normalise_scores": "on", "disagreement_threshold": "15"})
    round_.assessment_settings.refresh_from_db()
    assert round_.assessment_settings.normalise_scores is True


@pytest.mark.parametrize("fmt,content_type", [
    ("csv", "text/csv; charset=utf-8"),
    ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")])
def test_ranking_exports_download(client, round_, officer, fmt, content_type):
    client.force_login(officer)
    response = client.get(reverse("reviews:ranking_export", args=[round_.code, fmt]))
    assert response["Content-Type"] == content_type


def reviewed_round(officer, count):
    """A round with ``count`` applications, each with three submitted reviews."""
    round_ = FundingRoundFactory(reviewers_per_application=3)
    for _ in range(4):
        pooled_reviewer(round_, officer, capacity=200)
    for _ in range(count):
        application_in_review(round_)
    assignments_auto_assign(actor=officer, round_=round_)
    for number, assignment in enumerate(Assignment.objects.filter(
            application__round=round_).select_related("application__round", "reviewer")):
        submit_review(assignment, 1 + number % 5)
    return round_


def get_in_queries(client, url, queries, expected):
    with queries(expected):
        assert client.get(url).status_code == 200


def test_ranking_page_runs_the_same_number_of_queries_for_5_and_50_applications(
        client, officer, django_assert_num_queries):
    client.force_login(officer)
    for round_ in (reviewed_round(officer, 5), reviewed_round(officer, 50)):
        # 9, and on PostgreSQL the versions of the ranking's figures read for their cache
        # (the round was written in this test's own transaction, so the cache is not used).
        get_in_queries(client, reverse("reviews:ranking", args=[round_.code]),
                       django_assert_num_queries, RANKING_QUERIES)


def test_ranking_page_names_each_application_by_its_reference(client, officer):
    round_ = reviewed_round(officer, 2)
    client.force_login(officer)
    body = client.get(reverse("reviews:ranking", args=[round_.code])).content.decode()
    for application in Application.objects.filter(round=round_):
        assert f">{application.reference}</a>" in body
    assert "RankedApplication(" not in body


def test_ranking_export_runs_the_same_number_of_queries_for_5_and_50_applications(
        client, officer, django_assert_num_queries):
    client.force_login(officer)
    for round_ in (reviewed_round(officer, 5), reviewed_round(officer, 50)):
        # 7, and the versions of the ranking's figures (as the page).
        get_in_queries(client, reverse("reviews:ranking_export", args=[round_.code, "xlsx"]),
                       django_assert_num_queries, RANKING_EXPORT_QUERIES)


def test_reviewer_dashboard_queries_do_not_grow_with_assignments(client, officer,
                                                                 django_assert_num_queries):
    small, large = reviewed_round(officer, 5), reviewed_round(officer, 50)
    for round_ in (large, small):
        client.force_login(ReviewerPoolMember.objects.filter(round=round_).first().reviewer)
        get_in_queries(client, reverse("reviews:my_assignments"), django_assert_num_queries, 5)


def test_a_withdrawn_application_disappears_from_the_reviewers_pages(client, assignment,
                                                                     application, reviewer):
    owner = MembershipFactory(organisation=application.organisation).user
    application_transition(actor=owner, application=application, transition_name="withdraw")
    client.force_login(reviewer)
    assert application.title not in client.get(reverse("reviews:my_assignments")).content.decode()
    assert client.get(reverse("reviews:assignment", args=[assignment.pk])).status_code == 404


def test_pool_page_shows_each_members_load_and_capacity(client, round_, officer, assignment,
                                                        reviewer):
    client.force_login(officer)
    body = client.get(reverse("reviews:pool", args=[round_.code])).content.decode()
    assert reviewer.email in body
    assert "1 / 10" in body


def test_application_reviews_partial_shows_totals_and_disagreement(client, round_, officer,
                                                                  application):
    high, low = (assignment_create(actor=officer, application=application,
                                   reviewer=pooled_reviewer(round_, officer)) for _ in range(2))
    submit_review(high, 5)
    submit_review(low, 2)
    client.force_login(officer)
    body = client.get(reverse("reviews:application_assignments",
                              args=[application.pk])).content.decode()
    assert "100.00" in body and "40.00" in body and "70.00" in body
    assert "Reviewers disagree" in body


def test_every_link_on_the_ranking_opens_for_a_panel_member(client, officer, panel_member):
    round_ = reviewed_round(officer, 2)
    client.force_login(panel_member)
    ranking = reverse("reviews:ranking", args=[round_.code])
    body = client.get(ranking).content.decode()
    main = body.split('<main', 1)[1].split("</main>", 1)[0]
    links = {href for href in re.findall(r'href="([^"#]+)"', main)}
    assert any("/staff/applications/" in href for href in links)
    for href in links:
        url = href if href.startswith("/") else ranking + href
        assert client.get(url.replace("&amp;", "&")).status_code == 200, href


@pytest.fixture
def declared(assignment, reviewer):
    declaration_record(actor=reviewer, assignment=assignment, has_conflict=False)
    return assignment


def test_the_review_form_marks_nothing_optional_that_submitting_needs(client, declared,
                                                                      reviewer):
    assignment = declared
    client.force_login(reviewer)
    page = client.get(reverse("reviews:assignment", args=[assignment.pk])).content.decode()
    optional = re.findall(r'<label for="id_([a-z_0-9]+)">[^<]*<span class="muted">\(optional',
                          page)
    scored = [c["code"] for c in assignment.application.round.rubric]
    assert sorted(optional) == sorted(f"comment_{code}" for code in scored)


def test_the_error_summary_names_each_criterion_without_a_score(client, declared, reviewer):
    assignment = declared
    client.force_login(reviewer)
    response = client.post(reverse("reviews:assignment", args=[assignment.pk]),
                           {"recommendation": "fund", "overall_comment": "Good",
                            "submit": "1"})
    summary = response.content.decode().split('class="error-summary"', 1)[1].split("</div>")[0]
    for criterion in assignment.application.round.rubric:
        assert escape(criterion["name_en"]) in summary
