"""Reviews: drafts, submission, corrections approved by an officer, and the end of the
review stage.

A review is scored against the round's rubric: one score on the round's scale and a comment
per criterion, a recommendation and an overall comment. Its weighted total is
Σ score / scale × weight, so 0–100 whatever the scale.
"""

from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from applicants.errors import ProblemsError
from applicants.models import Application, ApplicationStatus
from applicants.workflow import application_transition, public_status
from reviews.models import (
    Assignment,
    CriterionScore,
    Recommendation,
    Review,
    ReviewCorrectionRequest,
)
from subsidy.notifications.services.outbox import notify, organisation_names
from subsidy.platform.audit import audit_record
from subsidy.platform.errors import DomainError, PermissionDeniedError
from subsidy.platform.permissions import Action, can
from subsidy.platform.roles import Role
from subsidy.platform.selectors import users_with_role

COMMENT_MAX = 2000
OVERALL_MAX = 5000
REASON_MAX = 500
# Corrections stay possible until the panel decides.
CORRECTABLE = (ApplicationStatus.IN_REVIEW, ApplicationStatus.REVIEWED)


def weighted_total(rubric: list[dict], scores: dict[str, int | None], scale: int) -> Decimal:
    """Σ score / scale × weight over the rubric's criteria, rounded to 2 places."""
    total = sum((Decimal(scores[c["code"]]) / Decimal(scale) * Decimal(c["weight"])
                 for c in rubric), Decimal("0"))
    return total.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _problems(round_, scores: dict, recommendation: str, overall_comment: str,
              *, complete: bool) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    scale = round_.score_scale_max
    codes = [c["code"] for c in round_.rubric]
    unknown = set(scores) - set(codes)
    if unknown:
        problems.append((None, _("Unknown criteria: %(codes)s.")
                         % {"codes": ", ".join(sorted(unknown))}))
    for code in codes:
        entry = scores.get(code) or {}
        score, comment = entry.get("score"), entry.get("comment") or ""
        if score is None:
            if complete:
                problems.append((f"score_{code}", _("Give a score for this criterion.")))
        elif not isinstance(score, int) or isinstance(score, bool) or not 1 <= score <= scale:
            problems.append((f"score_{code}", _("Give a whole number from 1 to %(max)d.")
                             % {"max": scale}))
        if len(comment) > COMMENT_MAX:
            problems.append((f"comment_{code}", _("Keep this to 2,000 characters or fewer.")))
    if recommendation and recommendation not in Recommendation.values:
        problems.append(("recommendation", _("Choose a recommendation from the list.")))
    elif complete and not recommendation:
        problems.append(("recommendation", _("Choose a recommendation.")))
    if len(overall_comment) > OVERALL_MAX:
        problems.append(("overall_comment", _("Keep this to 5,000 characters or fewer.")))
    elif complete and not overall_comment.strip():
        problems.append(("overall_comment", _("Write an overall comment.")))
    return problems


def _lock_own(actor, assignment: Assignment) -> Assignment:
    if not can(actor, Action.REVIEW_ASSIGNMENT, assignment):
        raise PermissionDeniedError(_("This assignment is not yours."))
    return (Assignment.objects.select_for_update(of=("self",))
            .select_related("application__round", "application__organisation")
            .get(pk=assignment.pk))


def review_save(*, actor, assignment: Assignment, scores: dict[str, dict],
                recommendation: str = "", overall_comment: str = "",
                submit: bool = False) -> Review:
    """Save the reviewer's draft, or submit it. ``scores`` maps each criterion code of the
    round's rubric to ``{"score": int | None, "comment": str}``. A draft may be partial but
    never holds a score outside the round's scale; submission needs every criterion scored,
    a recommendation and an overall comment, and locks that version. A submitted review is
    changed only through a correction an officer approved (``review_correction_request``)."""
    overall_comment = (overall_comment or "").strip()
    scores = {code: {"score": (entry or {}).get("score"),
                     "comment": ((entry or {}).get("comment") or "").strip()}
              for code, entry in scores.items()}
    with transaction.atomic():
        locked = _lock_own(actor, assignment)
        application = locked.application
        draft = locked.reviews.filter(submitted_at__isnull=True).first()
        if locked.status == Assignment.Status.ACTIVE:
            if application.status != ApplicationStatus.IN_REVIEW:
                raise DomainError(_("The review stage of this application is over."),
                                  code="not_in_review")
        elif locked.status == Assignment.Status.SUBMITTED and draft is not None:
            if application.status not in CORRECTABLE:
                raise DomainError(_("The panel has decided; reviews can no longer change."),
                                  code="decided")
        elif locked.status == Assignment.Status.SUBMITTED:
            raise DomainError(_("Your review is submitted and locked. Ask for a correction "
                                "to change it."), code="locked")
        else:
            raise DomainError(_("Declare your conflict of interest first."),
                              code="not_declared")
        problems = _problems(application.round, scores, recommendation, overall_comment,
                             complete=submit)
        if problems:
            raise ProblemsError(problems, code="invalid_review")
        if draft is None:
            draft = Review.objects.create(assignment=locked, version=1)
        draft.recommendation = recommendation or ""
        draft.overall_comment = overall_comment
        draft.save(update_fields=["recommendation", "overall_comment", "updated_at"])
        draft.scores.all().delete()
        CriterionScore.objects.bulk_create([
            CriterionScore(review=draft, criterion=c["code"],
                           score=scores.get(c["code"], {}).get("score"),
                           comment=scores.get(c["code"], {}).get("comment", ""))
            for c in application.round.rubric])
        if submit:
            _submit(actor, locked, draft, {c: s["score"] for c, s in scores.items()})
    return draft


def _submit(actor, assignment: Assignment, review: Review, scores: dict) -> None:
    round_ = assignment.application.round
    previous = assignment.reviews.filter(is_current=True).first()
    if previous is not None:
        previous.is_current = False
        previous.save(update_fields=["is_current", "updated_at"])
    review.weighted_total = weighted_total(round_.rubric, scores, round_.score_scale_max)
    review.submitted_at = timezone.now()
    review.is_current = True
    review.save(update_fields=["weighted_total", "submitted_at", "is_current", "updated_at"])
    assignment.status = Assignment.Status.SUBMITTED
    assignment.save(update_fields=["status"])
    after = {"version": review.version, "weighted_total": review.weighted_total,
             "recommendation": review.recommendation, "scores": scores}
    if previous is None:
        audit_record(actor=actor, action="review.submit", obj=review, after=after)
        review_stage_complete_if_done(assignment.application)
    else:
        audit_record(actor=actor, action="review.correct", obj=review,
                     before={"version": previous.version,
                             "weighted_total": previous.weighted_total,
                             "recommendation": previous.recommendation,
                             "scores": {s.criterion: s.score for s in previous.scores.all()}},
                     after={**after, "reason": review.correction_reason})


def review_correction_request(*, actor, assignment: Assignment,
                              reason: str) -> ReviewCorrectionRequest:
    """Ask to correct a submitted review, saying why. Nothing changes until a programme
    officer approves (``review_correction_decide``): a submitted score never moves on the
    reviewer's word alone."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Say why the review needs a correction."), field="reason")
    if len(reason) > REASON_MAX:
        raise DomainError(_("Keep this to 500 characters or fewer."), field="reason")
    with transaction.atomic():
        locked = _lock_own(actor, assignment)
        _check_correctable(locked)
        if locked.correction_requests.filter(
                status=ReviewCorrectionRequest.Status.PENDING).exists():
            raise DomainError(_("Your correction request is already with an officer."),
                              code="correction_requested")
        request = ReviewCorrectionRequest.objects.create(assignment=locked, reason=reason)
        audit_record(actor=actor, action="review.correction_request", obj=request,
                     after={"assignment": locked.pk, "reason": reason})
    return request


def _check_correctable(assignment: Assignment) -> None:
    if assignment.status != Assignment.Status.SUBMITTED:
        raise DomainError(_("Only a submitted review can be corrected."), code="not_submitted")
    if assignment.application.status not in CORRECTABLE:
        raise DomainError(_("The panel has decided; reviews can no longer change."),
                          code="decided")
    if assignment.reviews.filter(submitted_at__isnull=True).exists():
        raise DomainError(_("A correction is already open."), code="correction_open")


def review_correction_decide(*, actor, request: ReviewCorrectionRequest, approve: bool,
                             note: str = "") -> ReviewCorrectionRequest:
    """An officer (never the reviewer asking) approves a pending correction request, which
    opens a new draft version copied from the current one (the submitted version stays as
    it was and counts until the correction is submitted), or rejects it with a note."""
    note = (note or "").strip()
    if not approve and not note:
        raise DomainError(_("Say why the correction is rejected; the reviewer sees it."),
                          field="note")
    if len(note) > REASON_MAX:
        raise DomainError(_("Keep this to 500 characters or fewer."), field="note")
    with transaction.atomic():
        locked_assignment = (Assignment.objects.select_for_update(of=("self",))
                             .select_related("application").get(pk=request.assignment_id))
        locked = ReviewCorrectionRequest.objects.select_for_update().get(pk=request.pk)
        locked.assignment = locked_assignment
        if not can(actor, Action.DECIDE_REVIEW_CORRECTION, locked):
            raise PermissionDeniedError(_("Only a programme officer other than the reviewer "
                                          "decides a correction."))
        if locked.status != ReviewCorrectionRequest.Status.PENDING:
            raise DomainError(_("This request has already been decided."), code="decided")
        if approve:
            _check_correctable(locked_assignment)
            current = locked_assignment.reviews.get(is_current=True)
            draft = Review.objects.create(
                assignment=locked_assignment, version=current.version + 1,
                recommendation=current.recommendation, overall_comment=current.overall_comment,
                correction_reason=locked.reason)
            CriterionScore.objects.bulk_create([
                CriterionScore(review=draft, criterion=s.criterion, score=s.score,
                               comment=s.comment) for s in current.scores.all()])
        locked.status = (ReviewCorrectionRequest.Status.APPROVED if approve
                         else ReviewCorrectionRequest.Status.REJECTED)
        locked.decided_by = actor
        locked.decided_at = timezone.now()
        locked.note = note
        locked.save(update_fields=["status", "decided_by", "decided_at", "note"])
        audit_record(actor=actor,
                     action="review.correction_approve" if approve
                     else "review.correction_reject",
                     obj=locked, before={"status": ReviewCorrectionRequest.Status.PENDING},
                     after={"status": locked.status, "note": note, "reason": locked.reason})
    return locked


def review_correction_discard(*, actor, assignment: Assignment) -> None:
    """Drop an open correction; the submitted version stays current."""
    with transaction.atomic():
        locked = _lock_own(actor, assignment)
        draft = locked.reviews.filter(submitted_at__isnull=True).first()
        if locked.status != Assignment.Status.SUBMITTED or draft is None:
            raise DomainError(_("There is no correction to discard."), code="no_correction")
        audit_record(actor=actor, action="review.correction_discard", obj=draft,
                     before={"version": draft.version})
        draft.delete()


def review_stage_complete_if_done(application: Application) -> None:
    """When the application has its required number of submitted reviews and nobody is
    still reviewing it, the review stage ends: in_review → reviewed (by the system), and
    the programme officers hear that all reviews are in. Called when a review is submitted
    and when an open assignment ends (removed, or conflicted without a replacement)."""
    if application.status != ApplicationStatus.IN_REVIEW:
        return
    counts = {row["status"]: row["n"] for row in application.review_assignments.values(
        "status").annotate(n=Count("id"))}
    open_ = sum(counts.get(s, 0) for s in Assignment.OPEN_STATUSES)
    submitted = counts.get(Assignment.Status.SUBMITTED, 0)
    if open_ or submitted < application.round.reviewers_per_application:
        return
    application_transition(actor=None, application=application,
                           transition_name="complete_review")
    for officer in users_with_role(Role.PROGRAMME_OFFICER):
        with translation.override(officer.language):
            notify(recipient=officer, event="reviews_complete", context={
                "application_id": application.pk, "reference": application.reference or "",
                "title": application.title, **organisation_names(application.organisation),
                "round": application.round.code,
                "public_status": public_status(ApplicationStatus.REVIEWED),
                "url": reverse("staff:application", args=[application.pk]),
            })
