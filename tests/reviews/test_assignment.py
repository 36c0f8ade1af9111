from datetime import timedelta

import pytest
from django.utils import timezone

from applicants.models import Membership
from applicants.workflow import application_transition
from reviews.models import Assignment
from reviews.services.assignments import (
    assignment_create,
    assignment_remove,
    assignments_auto_assign,
    declaration_record,
)
from reviews.services.pool import pool_member_add
from subsidy.notifications.models import Notification
from subsidy.platform.errors import DomainError, PermissionDeniedError
from subsidy.platform.models import AuditEvent
from subsidy.platform.roles import Role
from tests.builders.reviews import application_in_review, pooled_reviewer
from tests.factories import (
    FundingRoundFactory,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def live_reviewers(application):
    return set(application.review_assignments.filter(
        status__in=Assignment.LIVE_STATUSES).values_list("reviewer_id", flat=True))


def test_auto_assignment_fills_each_application_to_the_rounds_reviewer_count(round_, officer):
    reviewers = [pooled_reviewer(round_, officer) for _ in range(4)]
    apps = [application_in_review(round_) for _ in range(2)]
    created = assignments_auto_assign(actor=officer, round_=round_)
    assert len(created) == 6
    for app in apps:
        assert len(live_reviewers(app)) == 3
        assert live_reviewers(app) <= {r.pk for r in reviewers}


def test_auto_assignment_balances_load_fewest_assignments_first(round_, officer):
    reviewers = [pooled_reviewer(round_, officer) for _ in range(3)]
    round_.reviewers_per_application = 1
    round_.save()
    for _ in range(6):
        application_in_review(round_)
    assignments_auto_assign(actor=officer, round_=round_)
    loads = [Assignment.objects.filter(reviewer=r).count() for r in reviewers]
    assert loads == [2, 2, 2]


def test_auto_assignment_respects_capacity(round_, officer):
    small = pooled_reviewer(round_, officer, capacity=1)
    for _ in range(2):
        pooled_reviewer(round_, officer, capacity=5)
    for _ in range(3):
        application_in_review(round_)
    assignments_auto_assign(actor=officer, round_=round_)
    assert Assignment.objects.filter(reviewer=small).count() == 1


def test_auto_assignment_leaves_a_place_empty_when_nobody_has_room(round_, officer):
    pooled_reviewer(round_, officer, capacity=1)
    app = application_in_review(round_)
    assignments_auto_assign(actor=officer, round_=round_)
    assert len(live_reviewers(app)) == 1


def test_auto_assignment_is_idempotent_once_applications_are_full(round_, officer):
    for _ in range(3):
        pooled_reviewer(round_, officer)
    application_in_review(round_)
    assignments_auto_assign(actor=officer, round_=round_)
    assert assignments_auto_assign(actor=officer, round_=round_) == []


def test_auto_assignment_never_assigns_a_member_of_the_applicant(round_, officer):
    reviewers = [pooled_reviewer(round_, officer) for _ in range(4)]
    organisation = OrganisationFactory()
    MembershipFactory(organisation=organisation, user=reviewers[0],
                      role=Membership.Role.VIEWER)
    app = application_in_review(round_, organisation=organisation)
    assignments_auto_assign(actor=officer, round_=round_)
    assert reviewers[0].pk not in live_reviewers(app)
    assert len(live_reviewers(app)) == 3


def conflict_declared(round_, officer, reviewer, organisation):
    """The reviewer declared a conflict with ``organisation`` on one of its applications."""
    assignment = assignment_create(
        actor=officer, application=application_in_review(round_, organisation=organisation),
        reviewer=reviewer)
    declaration_record(actor=reviewer, assignment=assignment, has_conflict=True,
                       reason="I advise the founders.")


def test_auto_assignment_never_assigns_a_reviewer_in_conflict_with_the_organisation(
        round_, officer):
    conflicted = pooled_reviewer(round_, officer)
    organisation = OrganisationFactory()
    conflict_declared(round_, officer, conflicted, organisation)
    next_round = FundingRoundFactory(reviewers_per_application=3)
    pool_member_add(actor=officer, round_=next_round, reviewer=conflicted, expertise="")
    others = [pooled_reviewer(next_round, officer) for _ in range(3)]
    app = application_in_review(next_round, organisation=organisation)
    assignments_auto_assign(actor=officer, round_=next_round)
    assert live_reviewers(app) == {r.pk for r in others}


def test_manual_assignment_refuses_a_member_of_the_applicant(round_, officer):
    reviewer = pooled_reviewer(round_, officer)
    organisation = OrganisationFactory()
    MembershipFactory(organisation=organisation, user=reviewer)
    app = application_in_review(round_, organisation=organisation)
    with pytest.raises(DomainError) as exc:
        assignment_create(actor=officer, application=app, reviewer=reviewer)
    assert exc.value.code == "same_organisation"


def test_manual_assignment_refuses_a_reviewer_who_declared_a_conflict_with_the_organisation(
        round_, officer):
    reviewer = pooled_reviewer(round_, officer)
    organisation = OrganisationFactory()
    conflict_declared(round_, officer, reviewer, organisation)
    next_round = FundingRoundFactory()
    pool_member_add(actor=officer, round_=next_round, reviewer=reviewer, expertise="")
    app = application_in_review(next_round, organisation=organisation)
    with pytest.raises(DomainError) as exc:
        assignment_create(actor=officer, application=app, reviewer=reviewer)
    assert exc.value.code == "conflict"


def test_manual_assignment_refuses_a_reviewer_outside_the_pool(round_, officer):
    outsider = UserFactory(roles=[Role.REVIEWER])
    with pytest.raises(DomainError) as exc:
        assignment_create(actor=officer, application=application_in_review(round_),
                          reviewer=outsider)
    assert exc.value.field == "reviewer"


def test_manual_assignment_refuses_a_reviewer_at_capacity(round_, officer):
    reviewer = pooled_reviewer(round_, officer, capacity=1)
    assignment_create(actor=officer, application=application_in_review(round_),
                      reviewer=reviewer)
    with pytest.raises(DomainError) as exc:
        assignment_create(actor=officer, application=application_in_review(round_),
                          reviewer=reviewer)
    assert exc.value.code == "capacity"


def test_manual_assignment_refuses_the_same_reviewer_twice(round_, officer):
    reviewer = pooled_reviewer(round_, officer)
    app = application_in_review(round_)
    assignment_create(actor=officer, application=app, reviewer=reviewer)
    with pytest.raises(DomainError) as exc:
        assignment_create(actor=officer, application=app, reviewer=reviewer)
    assert exc.value.code == "duplicate"


def test_manual_assignment_is_for_officers_only(round_, officer):
    reviewer = pooled_reviewer(round_, officer)
    with pytest.raises(PermissionDeniedError):
        assignment_create(actor=reviewer, application=application_in_review(round_),
                          reviewer=reviewer)


def test_assignment_notifies_the_reviewer_with_the_due_date_and_is_audited(round_, officer):
    reviewer = pooled_reviewer(round_, officer)
    due = timezone.now() + timedelta(days=7)
    assignment = assignment_create(actor=officer, application=application_in_review(round_),
                                   reviewer=reviewer, due_at=due)
    note = Notification.objects.get(recipient=reviewer, event="reviewer_assigned")
    assert note.context["url"] == f"/reviews/assignments/{assignment.pk}/"
    assert note.context["due_at"]
    assert AuditEvent.objects.filter(action="assignment.create",
                                     object_id=str(assignment.pk)).exists()


def test_no_conflict_declaration_opens_the_assignment(round_, officer):
    reviewer = pooled_reviewer(round_, officer)
    assignment = assignment_create(actor=officer, application=application_in_review(round_),
                                   reviewer=reviewer)
    declaration_record(actor=reviewer, assignment=assignment, has_conflict=False)
    assignment.refresh_from_db()
    assert assignment.status == Assignment.Status.ACTIVE


def test_a_conflict_needs_a_reason(round_, officer):
    reviewer = pooled_reviewer(round_, officer)
    assignment = assignment_create(actor=officer, application=application_in_review(round_),
                                   reviewer=reviewer)
    with pytest.raises(DomainError) as exc:
        declaration_record(actor=reviewer, assignment=assignment, has_conflict=True)
    assert exc.value.field == "reason"


def test_a_conflict_removes_the_assignment_and_assigns_the_least_loaded_replacement(
        round_, officer):
    conflicted, busy, free = (pooled_reviewer(round_, officer) for _ in range(3))
    assignment_create(actor=officer, application=application_in_review(round_), reviewer=busy)
    app = application_in_review(round_)
    assignment = assignment_create(actor=officer, application=app, reviewer=conflicted)
    declaration = declaration_record(actor=conflicted, assignment=assignment,
                                     has_conflict=True, reason="Former employer.")
    assignment.refresh_from_db()
    assert assignment.status == Assignment.Status.CONFLICTED
    assert declaration.replacement.reviewer == free
    assert live_reviewers(app) == {free.pk}
    assert AuditEvent.objects.filter(action="assignment.declare",
                                     object_id=str(assignment.pk)).exists()


def test_a_reviewer_declares_only_on_their_own_assignment(round_, officer):
    reviewer, other = (pooled_reviewer(round_, officer) for _ in range(2))
    assignment = assignment_create(actor=officer, application=application_in_review(round_),
                                   reviewer=reviewer)
    with pytest.raises(PermissionDeniedError):
        declaration_record(actor=other, assignment=assignment, has_conflict=False)


def test_declaring_twice_is_refused(round_, officer):
    reviewer = pooled_reviewer(round_, officer)
    assignment = assignment_create(actor=officer, application=application_in_review(round_),
                                   reviewer=reviewer)
    declaration_record(actor=reviewer, assignment=assignment, has_conflict=False)
    with pytest.raises(DomainError):
        declaration_record(actor=reviewer, assignment=assignment, has_conflict=False)


def test_removing_an_assignment_frees_the_reviewer_and_is_audited(round_, officer):
    reviewer = pooled_reviewer(round_, officer)
    app = application_in_review(round_)
    assignment = assignment_create(actor=officer, application=app, reviewer=reviewer)
    assignment_remove(actor=officer, assignment=assignment, reason="Unavailable")
    assert live_reviewers(app) == set()
    assert AuditEvent.objects.filter(action="assignment.remove").exists()
    assignment_create(actor=officer, application=app, reviewer=reviewer)


def test_declaring_once_the_review_stage_is_over_is_refused(round_, officer):
    reviewer = pooled_reviewer(round_, officer)
    app = application_in_review(round_)
    assignment = assignment_create(actor=officer, application=app, reviewer=reviewer)
    owner = MembershipFactory(organisation=app.organisation).user
    application_transition(actor=owner, application=app, transition_name="withdraw")
    with pytest.raises(DomainError) as exc:
        declaration_record(actor=reviewer, assignment=assignment, has_conflict=False)
    assert exc.value.code == "not_in_review"


def test_between_equally_loaded_reviewers_the_matching_expert_is_chosen(round_, officer):
    round_.reviewers_per_application = 1
    round_.save()
    pooled_reviewer(round_, officer, expertise="fintech")
    expert = pooled_reviewer(round_, officer, expertise="Computer vision, robotics")
    app = application_in_review(round_)
    app.category = "computer_vision"
    app.save(update_fields=["category"])
    assignments_auto_assign(actor=officer, round_=round_)
    assert live_reviewers(app) == {expert.pk}


def test_load_balancing_comes_before_expertise(round_, officer):
    round_.reviewers_per_application = 1
    round_.save()
    generalist = pooled_reviewer(round_, officer, expertise="fintech")
    expert = pooled_reviewer(round_, officer, expertise="nlp")
    assignment_create(actor=officer, application=application_in_review(round_),
                      reviewer=expert)
    app = application_in_review(round_)
    app.category = "nlp"
    app.save(update_fields=["category"])
    assignments_auto_assign(actor=officer, round_=round_)
    assert live_reviewers(app) == {generalist.pk}
