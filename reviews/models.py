"""Reviewer pools, assignments, conflict declarations, reviews with their scores, and the
panel's meetings (agenda, attendance, votes, decisions and minutes).

Written only by ``reviews.services``; read by ``reviews.selectors``. The rules that can
live in the database do: one live assignment per reviewer and application, one draft and one
current submitted version per assignment, scores never negative.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ReviewerPoolMember(models.Model):
    """A reviewer who may be assigned applications of one round, up to ``capacity``."""

    round = models.ForeignKey("subsidy.FundingRound", on_delete=models.CASCADE,
                              related_name="reviewer_pool", verbose_name=_("round"))
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                 related_name="reviewer_pool_memberships",
                                 verbose_name=_("reviewer"))
    expertise = models.JSONField(_("expertise tags"), default=list, blank=True)
    capacity = models.PositiveSmallIntegerField(
        _("capacity"), default=10, validators=[MinValueValidator(1), MaxValueValidator(200)],
        help_text=_("The most applications this reviewer takes in the round."))
    active = models.BooleanField(_("active"), default=True)
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("reviewer pool member")
        verbose_name_plural = _("reviewer pool members")
        ordering = ["round", "reviewer__email"]
        constraints = [
            models.UniqueConstraint(fields=["round", "reviewer"], name="pool_member_once"),
            models.CheckConstraint(condition=Q(capacity__gte=1) & Q(capacity__lte=200),
                                   name="pool_capacity_1_to_200"),
        ]

    def __str__(self):
        return f"{self.reviewer} – {self.round.code}"


class RoundAssessmentSettings(models.Model):
    """How a round's scores are aggregated: normalisation and the disagreement threshold."""

    round = models.OneToOneField("subsidy.FundingRound", on_delete=models.CASCADE,
                                 related_name="assessment_settings")
    normalise_scores = models.BooleanField(
        _("rank by normalised scores"), default=False,
        help_text=_("Standardise each reviewer's totals (z-scores) to offset harsh or "
                    "lenient reviewers."))
    disagreement_threshold = models.DecimalField(
        _("disagreement threshold (points)"), max_digits=5, decimal_places=2,
        default=Decimal("20.00"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
        help_text=_("Flag an application when its reviewers' totals (0–100) differ by more "
                    "than this."))
    reviews_visible_after_close = models.BooleanField(
        _("show reviewers each other's reviews once the review stage closes"), default=True,
        help_text=_("Reviews are blind while the round's review stage is open. Untick to keep "
                    "them blind for good."))
    panel_quorum = models.PositiveSmallIntegerField(
        _("panel quorum"), default=3,
        validators=[MinValueValidator(1), MaxValueValidator(50)],
        help_text=_("How many panel members must be present, and free of any conflict, for "
                    "a panel meeting to decide an application."))

    class Meta:
        verbose_name = _("round assessment settings")
        verbose_name_plural = _("round assessment settings")
        constraints = [
            models.CheckConstraint(
                condition=Q(disagreement_threshold__gte=0) & Q(disagreement_threshold__lte=100),
                name="assessment_threshold_0_to_100"),
            models.CheckConstraint(condition=Q(panel_quorum__gte=1),
                                   name="assessment_quorum_at_least_1"),
        ]

    def __str__(self):
        return str(self.round)


class Assignment(models.Model):
    class Status(models.TextChoices):
        PENDING_DECLARATION = "pending_declaration", _("Awaiting conflict declaration")
        ACTIVE = "active", _("In progress")
        CONFLICTED = "conflicted", _("Conflict declared")
        SUBMITTED = "submitted", _("Review submitted")
        REMOVED = "removed", _("Removed")

    # Assignments that count: they hold a place among the application's reviewers.
    LIVE_STATUSES = (Status.PENDING_DECLARATION, Status.ACTIVE, Status.SUBMITTED)
    OPEN_STATUSES = (Status.PENDING_DECLARATION, Status.ACTIVE)

    application = models.ForeignKey("applicants.Application", on_delete=models.CASCADE,
                                    related_name="review_assignments",
                                    verbose_name=_("application"))
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                 related_name="review_assignments", verbose_name=_("reviewer"))
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    assigned_at = models.DateTimeField(default=timezone.now)
    due_at = models.DateTimeField(_("due at"))
    status = models.CharField(_("status"), max_length=24, choices=Status.choices,
                              default=Status.PENDING_DECLARATION)
    removed_reason = models.CharField(_("reason for removal"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("review assignment")
        verbose_name_plural = _("review assignments")
        ordering = ["due_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "reviewer"],
                condition=Q(status__in=["pending_declaration", "active", "submitted"]),
                name="one_live_assignment_per_reviewer"),
            models.CheckConstraint(
                condition=Q(status__in=["pending_declaration", "active", "conflicted",
                                        "submitted", "removed"]),
                name="assignment_status_known"),
        ]
        indexes = [models.Index(fields=["reviewer", "status"], name="assignment_reviewer_idx")]

    def __str__(self):
        return f"{self.application} → {self.reviewer}"

    @property
    def is_declared(self) -> bool:
        return self.status in (self.Status.ACTIVE, self.Status.SUBMITTED)

    @property
    def is_overdue(self) -> bool:
        return self.status in self.OPEN_STATUSES and self.due_at < timezone.now()


class ConflictDeclaration(models.Model):
    """A reviewer's statement about one application's organisation. A conflict also keeps
    the reviewer away from that organisation's other applications in automatic assignment."""

    assignment = models.OneToOneField(Assignment, on_delete=models.CASCADE,
                                      related_name="declaration")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                 related_name="conflict_declarations")
    organisation = models.ForeignKey("applicants.Organisation", on_delete=models.CASCADE,
                                     related_name="conflict_declarations")
    has_conflict = models.BooleanField(_("I have a conflict of interest"))
    reason = models.TextField(_("nature of the conflict"), max_length=2000, blank=True)
    declared_at = models.DateTimeField(default=timezone.now)
    replacement = models.ForeignKey(Assignment, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+",
                                    verbose_name=_("replacement assignment"))

    class Meta:
        verbose_name = _("conflict declaration")
        verbose_name_plural = _("conflict declarations")
        constraints = [
            models.CheckConstraint(condition=Q(has_conflict=False) | ~Q(reason=""),
                                   name="conflict_has_reason"),
        ]
        indexes = [models.Index(fields=["organisation", "has_conflict"],
                                name="declaration_org_idx")]

    def __str__(self):
        return f"{self.reviewer} / {self.organisation}: {self.has_conflict}"


class Recommendation(models.TextChoices):
    FUND = "fund", _("Fund")
    FUND_WITH_CONDITIONS = "fund_with_conditions", _("Fund with conditions")
    DO_NOT_FUND = "do_not_fund", _("Do not fund")


class Review(models.Model):
    """One version of a reviewer's review. A submitted version is locked; a correction is a
    new version, and ``is_current`` marks the submitted version that counts."""

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="reviews")
    version = models.PositiveSmallIntegerField(default=1)
    recommendation = models.CharField(_("recommendation"), max_length=24,
                                      choices=Recommendation.choices, blank=True)
    overall_comment = models.TextField(_("overall comment"), blank=True)
    correction_reason = models.CharField(_("reason for the correction"), max_length=500,
                                         blank=True)
    weighted_total = models.DecimalField(_("weighted total (0–100)"), max_digits=5,
                                         decimal_places=2, null=True, blank=True)
    is_current = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        ordering = ["assignment", "version"]
        constraints = [
            models.UniqueConstraint(fields=["assignment", "version"], name="review_version_once"),
            models.UniqueConstraint(fields=["assignment"], condition=Q(submitted_at__isnull=True),
                                    name="one_draft_review_per_assignment"),
            models.UniqueConstraint(fields=["assignment"], condition=Q(is_current=True),
                                    name="one_current_review_per_assignment"),
            models.CheckConstraint(condition=Q(is_current=False) | Q(submitted_at__isnull=False),
                                   name="current_review_is_submitted"),
            models.CheckConstraint(
                condition=Q(weighted_total__isnull=True)
                | (Q(weighted_total__gte=0) & Q(weighted_total__lte=100)),
                name="review_total_0_to_100"),
        ]

    def __str__(self):
        return f"{self.assignment} v{self.version}"

    @property
    def is_submitted(self) -> bool:
        return self.submitted_at is not None


class CriterionScore(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="scores")
    criterion = models.CharField(_("criterion"), max_length=40)
    score = models.PositiveSmallIntegerField(_("score"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        verbose_name = _("criterion score")
        verbose_name_plural = _("criterion scores")
        ordering = ["review", "id"]
        constraints = [
            models.UniqueConstraint(fields=["review", "criterion"], name="criterion_scored_once"),
            models.CheckConstraint(condition=Q(score__isnull=True) | Q(score__gte=0),
                                   name="criterion_score_not_negative"),
        ]

    def __str__(self):
        return f"{self.criterion}: {self.score}"


class ReviewCorrectionRequest(models.Model):
    """A reviewer's request to correct a submitted review, with their reason; an officer
    approves it (a new draft version opens) or rejects it with a note."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting an officer")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE,
                                   related_name="correction_requests")
    reason = models.CharField(_("reason for the correction"), max_length=500)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices,
                              default=Status.PENDING)
    requested_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(_("officer's note"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("review correction request")
        verbose_name_plural = _("review correction requests")
        ordering = ["requested_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["assignment"], condition=Q(status="pending"),
                                    name="one_pending_correction_per_assignment"),
            models.CheckConstraint(condition=~Q(reason=""), name="correction_has_reason"),
            models.CheckConstraint(
                condition=Q(status="pending", decided_at__isnull=True)
                | (~Q(status="pending") & Q(decided_at__isnull=False)),
                name="correction_decided_when_not_pending"),
            models.CheckConstraint(condition=~Q(status="rejected") | ~Q(note=""),
                                   name="correction_rejection_has_note"),
        ]

    def __str__(self):
        return f"{self.assignment}: {self.status}"


class PanelDeclaration(models.Model):
    """A panel member's conflict-of-interest statement on one application, made before they
    may decide it. A member who declares a conflict is recused from that decision."""

    application = models.ForeignKey("applicants.Application", on_delete=models.CASCADE,
                                    related_name="panel_declarations")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                               related_name="panel_declarations")
    has_conflict = models.BooleanField(_("I have a conflict of interest"))
    reason = models.TextField(_("nature of the conflict"), max_length=2000, blank=True)
    declared_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("panel conflict declaration")
        verbose_name_plural = _("panel conflict declarations")
        constraints = [
            models.UniqueConstraint(fields=["application", "member"],
                                    name="panel_declaration_once"),
            models.CheckConstraint(condition=Q(has_conflict=False) | ~Q(reason=""),
                                   name="panel_conflict_has_reason"),
        ]

    def __str__(self):
        return f"{self.member} / {self.application}: {self.has_conflict}"


class PanelMeeting(models.Model):
    """A meeting of the panel on a round's decisions: its agenda is the round's ranking when
    the meeting was convened, its quorum the round's setting then. The chair closes it;
    a closed meeting's votes, decisions and minutes are the record and never change."""

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("panel meeting", "Open")
        CLOSED = "closed", pgettext_lazy("panel meeting", "Closed")

    round = models.ForeignKey("subsidy.FundingRound", on_delete=models.PROTECT,
                              related_name="panel_meetings")
    title = models.CharField(_("title"), max_length=200)
    held_on = models.DateField(_("date of the meeting"))
    chair = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                              related_name="chaired_panel_meetings")
    quorum = models.PositiveSmallIntegerField(_("quorum"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    minutes = models.TextField(_("minutes of the meeting"), max_length=20000, blank=True)
    present = models.ManyToManyField(settings.AUTH_USER_MODEL, through="PanelAttendance",
                                     related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("panel meeting")
        verbose_name_plural = _("panel meetings")
        ordering = ["-held_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(quorum__gte=1), name="meeting_quorum_at_least_1"),
            models.CheckConstraint(
                condition=Q(status="open", closed_at__isnull=True)
                | Q(status="closed", closed_at__isnull=False),
                name="meeting_closed_has_time"),
        ]

    def __str__(self):
        return f"{self.round.code} – {self.title}"


class PanelAttendance(models.Model):
    """A member present at a meeting (the chair always is)."""

    meeting = models.ForeignKey(PanelMeeting, on_delete=models.CASCADE,
                                related_name="attendance")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                               related_name="panel_attendance")

    class Meta:
        verbose_name = _("panel attendance")
        verbose_name_plural = _("panel attendance")
        constraints = [models.UniqueConstraint(fields=["meeting", "member"],
                                               name="attendance_once")]

    def __str__(self):
        return f"{self.member} @ {self.meeting}"


class PanelAgendaItem(models.Model):
    """One application on a meeting's agenda, in rank order, with what the ranking said of
    it then (score, requested amount), the amount recommended to the panel, the item's
    minutes, and the decision once recorded through the decision services."""

    class Outcome(models.TextChoices):
        PENDING = "", _("Not decided")
        APPROVED = "approve", _("Approved")
        REJECTED = "reject", _("Rejected")
        WAITLISTED = "waitlist", _("Reserve list")

    meeting = models.ForeignKey(PanelMeeting, on_delete=models.CASCADE, related_name="items")
    application = models.ForeignKey("applicants.Application", on_delete=models.PROTECT,
                                    related_name="panel_agenda_items")
    position = models.PositiveIntegerField()
    rank = models.PositiveIntegerField(null=True, blank=True)
    score = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    requested_amount = models.DecimalField(max_digits=14, decimal_places=2)
    recommended_amount = models.DecimalField(max_digits=14, decimal_places=2)
    minutes = models.TextField(_("minutes of this item"), max_length=8000, blank=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, blank=True,
                               default=Outcome.PENDING)
    decided_amount = models.DecimalField(max_digits=14, decimal_places=2, null=True,
                                         blank=True)
    conditions = models.TextField(max_length=8000, blank=True)
    reason = models.TextField(max_length=4000, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("panel agenda item")
        verbose_name_plural = _("panel agenda items")
        ordering = ["meeting", "position"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "application"],
                                    name="agenda_application_once"),
            models.UniqueConstraint(fields=["meeting", "position"], name="agenda_position_once"),
            models.CheckConstraint(condition=Q(recommended_amount__gte=0)
                                   & Q(requested_amount__gte=0),
                                   name="agenda_amounts_not_negative"),
            models.CheckConstraint(condition=~Q(outcome="approve")
                                   | Q(decided_amount__isnull=False),
                                   name="agenda_approval_has_amount"),
        ]

    def __str__(self):
        return f"{self.meeting} #{self.position}: {self.application}"


class PanelVote(models.Model):
    """A present, unconflicted member's vote on one agenda item; they may change it until the
    item is decided."""

    class Choice(models.TextChoices):
        APPROVE = "approve", _("Approve")
        REJECT = "reject", _("Reject")
        RESERVE = "reserve", _("Reserve list")
        ABSTAIN = "abstain", _("Abstain")

    item = models.ForeignKey(PanelAgendaItem, on_delete=models.CASCADE, related_name="votes")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                               related_name="panel_votes")
    choice = models.CharField(_("vote"), max_length=10, choices=Choice.choices)
    cast_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("panel vote")
        verbose_name_plural = _("panel votes")
        constraints = [models.UniqueConstraint(fields=["item", "member"], name="vote_once")]

    def __str__(self):
        return f"{self.member}: {self.choice} ({self.item})"
