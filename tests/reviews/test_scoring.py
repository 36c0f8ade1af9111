from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from applicants.errors import ProblemsError
from applicants.models import ApplicationStatus
from reviews.models import Review
from reviews.selectors.assessment import reviews_of_others
from reviews.services.assignments import (
    assignment_create,
    assignment_remove,
    declaration_record,
)
from reviews.services.scoring import (
    review_correction_request,
    review_save,
    weighted_total,
)
from subsidy.notifications.models import Notification
from subsidy.platform.errors import DomainError
from subsidy.platform.models import AuditEvent
from tests.builders.reviews import (
    application_in_review,
    correction_approved,
    pooled_reviewer,
    scores_for,
    submit_review,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def team(round_, officer):
    return [pooled_reviewer(round_, officer) for _ in range(3)]


@pytest.fixture
def application(round_):
    return application_in_review(round_)


def assign(officer, application, reviewer, *, declare=True):
    assignment = assignment_create(actor=officer, application=application, reviewer=reviewer)
    if declare:
        declaration_record(actor=reviewer, assignment=assignment, has_conflict=False)
    return assignment


def test_weighted_total_is_score_over_scale_times_weight():
    rubric = [{"code": "a", "weight": 60}, {"code": "b", "weight": 40}]
    # 4/5 × 60 + 2/5 × 40 = 48 + 16
    assert weighted_total(rubric, {"a": 4, "b": 2}, 5) == Decimal("64.00")


def test_weighted_total_of_top_scores_is_100_on_any_scale(round_):
    assert weighted_total(round_.rubric, {c["code"]: 7 for c in round_.rubric}, 7) == 100


def test_submitted_review_stores_its_weighted_total(round_, officer, team, application):
    assignment = assign(officer, application, team[0])
    # default rubric weights 25, 20, 20, 15, 10, 10; scores 5,4,3,2,1,5 on a scale of 5
    review = review_save(actor=team[0], assignment=assignment,
                         scores=scores_for(round_, [5, 4, 3, 2, 1, 5]),
                         recommendation="fund", overall_comment="Good", submit=True)
    expected = Decimal(25 + 16 + 12 + 6 + 2 + 10)
    assert review.weighted_total == expected


@pytest.mark.parametrize("bad", [0, 6, -1])
def test_a_score_outside_the_scale_is_refused_against_its_field(round_, officer, team,
                                                                application, bad):
    assignment = assign(officer, application, team[0])
    scores = scores_for(round_, 3)
    scores["compute"]["score"] = bad
    with pytest.raises(ProblemsError) as exc:
        review_save(actor=team[0], assignment=assignment, scores=scores, submit=False)
    assert exc.value.messages_for("score_compute")


def test_submission_needs_every_criterion(round_, officer, team, application):
    assignment = assign(officer, application, team[0])
    scores = scores_for(round_, 3)
    del scores["innovation"]
    with pytest.raises(ProblemsError) as exc:
        review_save(actor=team[0], assignment=assignment, scores=scores,
                    recommendation="fund", overall_comment="Fine", submit=True)
    assert exc.value.messages_for("score_innovation")
    assert not Review.objects.filter(submitted_at__isnull=False).exists()


def test_a_draft_may_be_partial(round_, officer, team, application):
    assignment = assign(officer, application, team[0])
    review = review_save(actor=team[0], assignment=assignment,
                         scores={"alignment": {"score": 4, "comment": "Strong fit"}})
    assert review.submitted_at is None
    assert review.scores.get(criterion="alignment").score == 4


def test_an_over_long_comment_is_refused_against_its_field(round_, officer, team, application):
    assignment = assign(officer, application, team[0])
    scores = scores_for(round_, 3)
    scores["alignment"]["comment"] = "x" * 2001
    with pytest.raises(ProblemsError) as exc:
        review_save(actor=team[0], assignment=assignment, scores=scores)
    assert exc.value.messages_for("comment_alignment")


def test_an_over_long_overall_comment_is_refused(round_, officer, team, application):
    assignment = assign(officer, application, team[0])
    with pytest.raises(ProblemsError) as exc:
        review_save(actor=team[0], assignment=assignment, scores=scores_for(round_, 3),
                    recommendation="fund", overall_comment="x" * 5001, submit=True)
    assert exc.value.messages_for("overall_comment")


def test_submission_needs_a_recommendation(round_, officer, team, application):
    assignment = assign(officer, application, team[0])
    with pytest.raises(ProblemsError) as exc:
        review_save(actor=team[0], assignment=assignment, scores=scores_for(round_, 3),
                    overall_comment="Fine", submit=True)
    assert exc.value.messages_for("recommendation")


def test_scoring_before_declaring_is_refused(round_, officer, team, application):
    assignment = assign(officer, application, team[0], declare=False)
    with pytest.raises(DomainError) as exc:
        review_save(actor=team[0], assignment=assignment, scores=scores_for(round_, 3))
    assert exc.value.code == "not_declared"


def test_a_submitted_review_is_locked(round_, officer, team, application):
    assignment = assign(officer, application, team[0])
    submit_review(assignment, 3, declare=False)
    with pytest.raises(DomainError) as exc:
        review_save(actor=team[0], assignment=assignment, scores=scores_for(round_, 5),
                    recommendation="fund", overall_comment="Changed", submit=True)
    assert exc.value.code == "locked"


def test_a_correction_is_a_new_version_and_keeps_the_previous_one(round_, officer, team,
                                                                  application):
    assignment = assign(officer, application, team[0])
    first = submit_review(assignment, 3, declare=False)
    correction_approved(assignment, officer, reason="Misread budget")
    second = review_save(actor=team[0], assignment=assignment, scores=scores_for(round_, 4),
                         recommendation="fund", overall_comment="Better", submit=True)
    first.refresh_from_db()
    assert (first.version, first.is_current, first.weighted_total) == (1, False, Decimal("60"))
    assert (second.version, second.is_current, second.weighted_total) == (2, True,
                                                                           Decimal("80"))
    event = AuditEvent.objects.get(action="review.correct")
    assert event.before["weighted_total"] == "60.00"
    assert event.after["weighted_total"] == "80.00"
    assert event.after["reason"] == "Misread budget"


def test_a_correction_needs_a_reason(round_, officer, team, application):
    assignment = assign(officer, application, team[0])
    submit_review(assignment, 3, declare=False)
    with pytest.raises(DomainError) as exc:
        review_correction_request(actor=team[0], assignment=assignment, reason=" ")
    assert exc.value.field == "reason"


def test_another_reviewer_cannot_write_into_a_review(round_, officer, team, application):
    assignment = assign(officer, application, team[0])
    with pytest.raises(DomainError):
        review_save(actor=team[1], assignment=assignment, scores=scores_for(round_, 3))


def test_the_last_required_review_moves_the_application_to_reviewed(round_, officer, team,
                                                                     application):
    assignments = [assign(officer, application, r) for r in team]
    for a in assignments[:2]:
        submit_review(a, 4, declare=False)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.IN_REVIEW
    submit_review(assignments[2], 4, declare=False)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.REVIEWED
    change = application.status_changes.get(to_status=ApplicationStatus.REVIEWED)
    assert change.actor is None


def test_officers_hear_when_all_reviews_are_in(round_, officer, team, application):
    for reviewer in team:
        submit_review(assign(officer, application, reviewer), 4, declare=False)
    note = Notification.objects.get(recipient=officer, event="reviews_complete")
    assert note.context["reference"] == application.reference
    assert note.context["url"] == f"/staff/applications/{application.pk}/"


def test_an_undeclared_extra_reviewer_holds_the_review_stage_open(round_, officer, team,
                                                                  application):
    extra = pooled_reviewer(round_, officer)
    assignments = [assign(officer, application, r) for r in team]
    assign(officer, application, extra, declare=False)
    for a in assignments:
        submit_review(a, 4, declare=False)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.IN_REVIEW


def test_a_reviewer_sees_no_other_review_before_submitting(round_, officer, team,
                                                           application):
    mine, theirs = assign(officer, application, team[0]), assign(officer, application, team[1])
    submit_review(theirs, 5, declare=False)
    mine.refresh_from_db()
    assert reviews_of_others(assignment=mine)["reviews"] == []


def test_others_reviews_wait_for_the_rounds_review_stage_to_close(round_, officer, team,
                                                                  application):
    mine, *theirs = [assign(officer, application, r) for r in team]
    for assignment in theirs:
        submit_review(assignment, 5, declare=False)
    submit_review(mine, 3, declare=False)
    mine.refresh_from_db()
    assert reviews_of_others(assignment=mine)["shown"] is False  # applications still open
    round_.opens_at = timezone.now() - timedelta(days=40)
    round_.closes_at = timezone.now() - timedelta(days=10)
    round_.save(update_fields=["opens_at", "closes_at"])
    mine.refresh_from_db()
    others = reviews_of_others(assignment=mine)
    assert others["shown"] is True
    assert [o["review"].assignment_id for o in others["reviews"]] == [a.pk for a in theirs]


def test_removing_the_last_open_assignment_ends_the_review_stage(round_, officer, team,
                                                                 application):
    extra = assign(officer, application, pooled_reviewer(round_, officer), declare=False)
    for reviewer in team:
        submit_review(assign(officer, application, reviewer), 4, declare=False)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.IN_REVIEW
    assignment_remove(actor=officer, assignment=extra, reason="Not needed")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.REVIEWED
