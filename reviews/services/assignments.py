"""Assigning reviewers to applications and their conflict-of-interest declarations.

Every assignment of a round is made under a lock on the round row, so two officers (or an
officer and a replacement after a conflict) never push a reviewer past their capacity.
"""

from collections import defaultdict
from datetime import timedelta

from django.db import transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from applicants.models import Application, ApplicationStatus, Membership
from reviews.models import Assignment, ConflictDeclaration, ReviewerPoolMember
from reviews.services.scoring import review_stage_complete_if_done
from subsidy.notifications.services.outbox import notify, organisation_names
from subsidy.platform.audit import audit_record
from subsidy.platform.errors import DomainError, PermissionDeniedError
from subsidy.platform.models import User
from subsidy.platform.permissions import Action, can, require
from subsidy.platform.roles import Role
from subsidy.platform.selectors import users_with_role
from subsidy.scheme.models import FundingRound

DEFAULT_REVIEW_DAYS = 14
LIVE = Assignment.LIVE_STATUSES


def _lock_round(round_id: int) -> FundingRound:
    return FundingRound.objects.select_for_update().get(pk=round_id)


def round_loads(round_id: int) -> dict[int, int]:
    """Live assignments per reviewer in the round: the load that capacity limits."""
    rows = (Assignment.objects.filter(application__round_id=round_id, status__in=LIVE)
            .values("reviewer_id").annotate(n=Count("id")).values_list("reviewer_id", "n"))
    return defaultdict(int, rows)


def pool_active(round_id: int) -> list[ReviewerPoolMember]:
    return list(ReviewerPoolMember.objects.filter(
        round_id=round_id, active=True,
        reviewer__in=users_with_role(Role.REVIEWER)).order_by("reviewer_id"))


def reviewers_excluded(applications: list[Application]) -> dict[int, set[int]]:
    """For each application, the reviewers who may never be given it: members of the
    applicant organisation, reviewers who declared a conflict with that organisation, and
    reviewers already on (or conflicted off) the application. Three queries in all."""
    org_ids = {a.organisation_id for a in applications}
    by_org: dict[int, set[int]] = defaultdict(set)
    for org_id, user_id in Membership.objects.filter(
            organisation_id__in=org_ids).values_list("organisation_id", "user_id"):
        by_org[org_id].add(user_id)
    for org_id, user_id in ConflictDeclaration.objects.filter(
            organisation_id__in=org_ids, has_conflict=True).values_list(
            "organisation_id", "reviewer_id"):
        by_org[org_id].add(user_id)
    by_app: dict[int, set[int]] = defaultdict(set)
    for app_id, user_id in Assignment.objects.filter(
            application__in=[a.pk for a in applications],
            status__in=[*LIVE, Assignment.Status.CONFLICTED]).values_list(
            "application_id", "reviewer_id"):
        by_app[app_id].add(user_id)
    return {a.pk: by_org[a.organisation_id] | by_app[a.pk] for a in applications}


def _knows(member: ReviewerPoolMember, category: str) -> bool:
    """Whether the member's expertise tags name the application's category (``nlp``,
    ``computer vision`` or ``computer_vision``)."""
    return bool(category) and any(tag.replace(" ", "_") == category
                                  for tag in member.expertise)


def balancing_choice(pool, loads, excluded: set[int], need: int,
                     category: str = "") -> list[ReviewerPoolMember]:
    """The balancing rule: eligible reviewers with room left, fewest live assignments
    first; between equally loaded reviewers, one whose expertise matches the application's
    category, then the longest-standing account (for a stable choice)."""
    candidates = [m for m in pool
                  if m.reviewer_id not in excluded and loads[m.reviewer_id] < m.capacity]
    candidates.sort(key=lambda m: (loads[m.reviewer_id], not _knows(m, category),
                                   m.reviewer_id))
    return candidates[:max(need, 0)]


def _notify_assigned(assignment: Assignment) -> None:
    reviewer = assignment.reviewer
    app = assignment.application
    with translation.override(reviewer.language):
        due = timezone.localtime(assignment.due_at).strftime("%Y-%m-%d %H:%M")
        notify(recipient=reviewer, event="reviewer_assigned", context={
            "application_id": app.pk, "reference": app.reference or "", "title": app.title,
            **organisation_names(app.organisation), "round": app.round.code,
            "url": reverse("reviews:assignment", args=[assignment.pk]), "due_at": due,
        })


def _create(*, actor, application: Application, reviewer: User, due_at,
            reason: str) -> Assignment:
    assignment = Assignment.objects.create(
        application=application, reviewer=reviewer,
        assigned_by=actor if getattr(actor, "is_authenticated", False) else None,
        due_at=due_at or timezone.now() + timedelta(days=DEFAULT_REVIEW_DAYS))
    assignment.application = application
    assignment.reviewer = reviewer
    audit_record(actor=actor, action="assignment.create", obj=assignment, after={
        "application": application.pk, "reviewer": reviewer.email,
        "due_at": assignment.due_at, "how": reason})
    _notify_assigned(assignment)
    return assignment


def _require_in_review(application: Application) -> None:
    if application.status != ApplicationStatus.IN_REVIEW:
        raise DomainError(_("Reviewers can be assigned only while the application is in "
                            "review."), code="not_in_review")


def assignment_create(*, actor, application: Application, reviewer: User,
                      due_at=None) -> Assignment:
    """Assign one reviewer by hand. The same exclusions hold as for automatic assignment:
    the reviewer is in the round's active pool with room left, is not a member of the
    applicant organisation, has not declared a conflict with it, and is not already on it."""
    require(actor, Action.ASSIGN_REVIEWERS)
    if due_at is not None and due_at <= timezone.now():
        raise DomainError(_("The due date must be in the future."), field="due_at")
    with transaction.atomic():
        _lock_round(application.round_id)
        application = Application.objects.select_related("round", "organisation").get(
            pk=application.pk)
        _require_in_review(application)
        member = next((m for m in pool_active(application.round_id)
                       if m.reviewer_id == reviewer.pk), None)
        if member is None:
            raise DomainError(_("This reviewer is not in the round's active pool."),
                              field="reviewer")
        if Membership.objects.filter(organisation_id=application.organisation_id,
                                     user=reviewer).exists():
            raise DomainError(_("This reviewer belongs to the applicant organisation."),
                              field="reviewer", code="same_organisation")
        if ConflictDeclaration.objects.filter(organisation_id=application.organisation_id,
                                              reviewer=reviewer, has_conflict=True).exists():
            raise DomainError(_("This reviewer declared a conflict with the applicant "
                                "organisation."), field="reviewer", code="conflict")
        if application.review_assignments.filter(reviewer=reviewer, status__in=LIVE).exists():
            raise DomainError(_("This reviewer is already assigned to the application."),
                              field="reviewer", code="duplicate")
        if round_loads(application.round_id)[reviewer.pk] >= member.capacity:
            raise DomainError(_("This reviewer has no capacity left in the round."),
                              field="reviewer", code="capacity")
        return _create(actor=actor, application=application, reviewer=reviewer, due_at=due_at,
                       reason="manual")


def assignment_remove(*, actor, assignment: Assignment, reason: str = "") -> Assignment:
    """Take a reviewer off an application before their review is in."""
    require(actor, Action.ASSIGN_REVIEWERS)
    with transaction.atomic():
        locked = Assignment.objects.select_for_update().get(pk=assignment.pk)
        if locked.status not in Assignment.OPEN_STATUSES:
            raise DomainError(_("Only an assignment whose review is not yet in can be "
                                "removed."), code="not_removable")
        before = locked.status
        locked.status = Assignment.Status.REMOVED
        locked.removed_reason = reason.strip()[:500]
        locked.save(update_fields=["status", "removed_reason"])
        audit_record(actor=actor, action="assignment.remove", obj=locked,
                     before={"status": before},
                     after={"status": locked.status, "reason": locked.removed_reason})
        review_stage_complete_if_done(
            Application.objects.select_related("round", "organisation").get(
                pk=locked.application_id))
    return locked


def assignments_auto_assign(*, actor, round_: FundingRound, due_at=None) -> list[Assignment]:
    """Fill every application of the round that is in review up to the round's reviewers
    per application, giving each place to the eligible pool member with the fewest live
    assignments who still has capacity. Never assigns a member of the applicant
    organisation or a reviewer who declared a conflict with it. Applications are served
    oldest submission first; a place stays empty when nobody eligible has room."""
    require(actor, Action.ASSIGN_REVIEWERS)
    created: list[Assignment] = []
    with transaction.atomic():
        round_ = _lock_round(round_.pk)
        applications = list(
            Application.objects.filter(round=round_, status=ApplicationStatus.IN_REVIEW)
            .select_related("round", "organisation")
            .annotate(live=Count("review_assignments",
                                 filter=Q(review_assignments__status__in=LIVE)))
            .order_by("submitted_at", "pk"))
        if not applications:
            return created
        pool = pool_active(round_.pk)
        reviewers = {u.pk: u for u in User.objects.filter(pk__in=[m.reviewer_id for m in pool])}
        loads = round_loads(round_.pk)
        excluded = reviewers_excluded(applications)
        for application in applications:
            need = round_.reviewers_per_application - application.live
            for member in balancing_choice(pool, loads, excluded[application.pk], need,
                                           application.category):
                created.append(_create(actor=actor, application=application,
                                       reviewer=reviewers[member.reviewer_id], due_at=due_at,
                                       reason="automatic"))
                loads[member.reviewer_id] += 1
                excluded[application.pk].add(member.reviewer_id)
    return created


def replacement_propose(*, application: Application) -> User | None:
    """The reviewer the balancing rule would pick next for ``application``, or None."""
    pool = pool_active(application.round_id)
    excluded = reviewers_excluded([application])[application.pk]
    chosen = balancing_choice(pool, round_loads(application.round_id), excluded, 1,
                              application.category)
    return User.objects.get(pk=chosen[0].reviewer_id) if chosen else None


def declaration_record(*, actor, assignment: Assignment, has_conflict: bool,
                       reason: str = "") -> ConflictDeclaration:
    """The reviewer declares, before seeing the application, whether they have a conflict
    of interest with the applicant. No conflict opens the application to them. A conflict
    ends the assignment, is recorded against the organisation (so automatic assignment
    never offers them its applications again), and the next reviewer by the balancing
    rule is assigned in their place when the application is short of reviewers."""
    if not can(actor, Action.REVIEW_ASSIGNMENT, assignment):
        raise PermissionDeniedError(_("This assignment is not yours."))
    reason = (reason or "").strip()
    if has_conflict and not reason:
        raise DomainError(_("Describe the conflict of interest."), field="reason")
    if len(reason) > 2000:
        raise DomainError(_("Keep this to 2,000 characters or fewer."), field="reason")
    with transaction.atomic():
        _lock_round(assignment.application.round_id)
        locked = (Assignment.objects.select_for_update(of=("self",))
                  .select_related("application__organisation", "application__round")
                  .get(pk=assignment.pk))
        if locked.status != Assignment.Status.PENDING_DECLARATION:
            raise DomainError(_("You have already declared for this application."),
                              code="already_declared")
        application = locked.application
        _require_in_review(application)
        declaration = ConflictDeclaration.objects.create(
            assignment=locked, reviewer=actor, organisation=application.organisation,
            has_conflict=bool(has_conflict), reason=reason)
        locked.status = (Assignment.Status.CONFLICTED if has_conflict
                         else Assignment.Status.ACTIVE)
        locked.save(update_fields=["status"])
        audit_record(actor=actor, action="assignment.declare", obj=locked,
                     before={"status": Assignment.Status.PENDING_DECLARATION},
                     after={"status": locked.status, "has_conflict": bool(has_conflict),
                            "reason": reason})
        if has_conflict and application.status == ApplicationStatus.IN_REVIEW:
            live = application.review_assignments.filter(status__in=LIVE).count()
            if live < application.round.reviewers_per_application:
                replacement = replacement_propose(application=application)
                if replacement is not None:
                    declaration.replacement = _create(
                        actor=None, application=application, reviewer=replacement,
                        due_at=None, reason="replacement")
                    declaration.save(update_fields=["replacement"])
            review_stage_complete_if_done(application)
    assignment.status = locked.status
    return declaration
