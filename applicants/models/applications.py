"""Applications and their lifecycle records: status (written only through the workflow),
reference sequence, status changes and requests for information."""

import contextlib
import contextvars
import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from applicants.models.organisations import Organisation
from subsidy.platform.money import MONEY
from subsidy.scheme.models import Sector


class ApplicationStatus(models.TextChoices):
    """Internal state names of the lifecycle (DOMAIN.md); applicants see the public names
    of ``applicants.workflow.PUBLIC_STATUS`` instead."""

    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    SCREENING = "screening", _("Screening")
    INELIGIBLE = "ineligible", _("Ineligible")
    INFO_REQUESTED = "info_requested", _("Information requested")
    IN_REVIEW = "in_review", _("In review")
    REVIEWED = "reviewed", _("Reviewed")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    WAITLISTED = "waitlisted", _("Waitlisted")
    OFFERED = "offered", _("Offered")
    ACCEPTED = "accepted", _("Offer accepted")
    DECLINED = "declined", _("Offer declined")
    LAPSED = "lapsed", _("Offer lapsed")
    ACTIVE = "active", _("Active")
    COMPLETED = "completed", _("Completed")
    TERMINATED = "terminated", _("Terminated")
    WITHDRAWN = "withdrawn", _("Withdrawn")


# An organisation may hold one live application per round; these states free the slot.
NOT_LIVE_STATUSES = (
    ApplicationStatus.WITHDRAWN, ApplicationStatus.INELIGIBLE, ApplicationStatus.REJECTED,
    ApplicationStatus.DECLINED, ApplicationStatus.LAPSED,
)


# Only the workflow engine may change an application's status: it opens this gate for the
# duration of one transition. ``save()`` and queryset updates refuse status writes otherwise.
_status_gate: contextvars.ContextVar[bool] = contextvars.ContextVar("application_status_gate",
                                                                   default=False)


_UNLOADED = object()


class StatusWriteRefused(RuntimeError):
    """Raised when code other than ``applicants.workflow`` tries to change a status."""


@contextlib.contextmanager
def status_gate_open():
    """Used by ``applicants.workflow.application_transition`` only."""
    token = _status_gate.set(True)
    try:
        yield
    finally:
        _status_gate.reset(token)


class ApplicationQuerySet(models.QuerySet):
    def update(self, **kwargs):
        if "status" in kwargs and not _status_gate.get():
            raise StatusWriteRefused("Application status changes go through the workflow.")
        return super().update(**kwargs)

    def bulk_update(self, objs, fields, *args, **kwargs):
        if "status" in fields and not _status_gate.get():
            raise StatusWriteRefused("Application status changes go through the workflow.")
        return super().bulk_update(objs, fields, *args, **kwargs)


class Application(models.Model):
    """One organisation's application to one funding round.

    Written by ``applicants.services`` (content) and ``applicants.workflow`` (status); the
    ``version`` counter lets a save detect that someone else saved the draft in between.
    """

    Status = ApplicationStatus

    round = models.ForeignKey("subsidy.FundingRound", on_delete=models.PROTECT,
                              related_name="applications", verbose_name=_("round"))
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT,
                                     related_name="applications",
                                     verbose_name=_("organisation"))
    reference = models.CharField(_("reference"), max_length=40, null=True, blank=True,
                                 unique=True)
    # References are given at submission; the API names a draft by this stable id.
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    status = models.CharField(_("status"), max_length=20, choices=ApplicationStatus.choices,
                              default=ApplicationStatus.DRAFT, db_index=True)
    status_changed_at = models.DateTimeField(default=timezone.now)
    title = models.CharField(_("project title"), max_length=200, blank=True)
    summary = models.TextField(_("project summary"), max_length=5000, blank=True)
    category = models.CharField(_("category"), max_length=32, choices=Sector.choices,
                                blank=True)
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    total_eligible_cost = models.DecimalField(_("total eligible cost (HKD)"),
                                              default=Decimal("0"), **MONEY)
    requested_subsidy = models.DecimalField(_("requested subsidy (HKD)"),
                                            default=Decimal("0"), **MONEY)
    rai_safety = models.TextField(_("safety-native design"), max_length=4000, blank=True)
    rai_human = models.TextField(_("human-oriented systems"), max_length=4000, blank=True)
    rai_transparency = models.TextField(_("transparency"), max_length=4000, blank=True)
    declares_accurate = models.BooleanField(
        _("The information given is true, complete and accurate."), default=False)
    declares_no_double_funding = models.BooleanField(
        _("The project receives no other public funding for the same costs."), default=False)
    declares_compliance = models.BooleanField(
        _("The company will comply with the scheme's terms and Hong Kong law."), default=False)
    privacy_notice_accepted_at = models.DateTimeField(
        _("personal-data notice accepted at"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=ApplicationStatus.values),
                                   name="application_status_known"),
            models.CheckConstraint(
                condition=Q(total_eligible_cost__gte=0) & Q(requested_subsidy__gte=0),
                name="application_amounts_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(start_date__isnull=True) | Q(end_date__isnull=True)
                | Q(end_date__gte=F("start_date")),
                name="application_end_not_before_start",
            ),
            models.UniqueConstraint(
                fields=["organisation", "round"],
                condition=~Q(status__in=NOT_LIVE_STATUSES),
                name="one_live_application_per_organisation_round",
            ),
        ]
        indexes = [
            # The staff queues: one state, oldest change first, a page at a time.
            models.Index(fields=["status", "status_changed_at", "id"],
                         name="application_queue_idx"),
            # The API lists: newest first (scanned backwards), cursor-paginated.
            models.Index(fields=["created_at", "id"], name="application_created_idx"),
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Read through __dict__: a deferred status must not cost a query here.
        self._status_as_loaded = self.__dict__.get("status", _UNLOADED)

    def __str__(self):
        return self.reference or f"{self.title or _('Untitled application')} (#{self.pk})"

    def save(self, *args, **kwargs):
        update_fields = kwargs.get("update_fields")
        writes_status = update_fields is None or "status" in update_fields
        if self._state.adding:
            if self.status != ApplicationStatus.DRAFT and not _status_gate.get():
                raise StatusWriteRefused("A new application starts as a draft.")
        elif (writes_status and "status" in self.__dict__
              and self.__dict__["status"] != self._status_as_loaded and not _status_gate.get()):
            raise StatusWriteRefused("Application status changes go through the workflow.")
        super().save(*args, **kwargs)
        self._status_as_loaded = self.__dict__.get("status", _UNLOADED)

    def refresh_from_db(self, *args, **kwargs):
        super().refresh_from_db(*args, **kwargs)
        self._status_as_loaded = self.__dict__.get("status", _UNLOADED)

    @property
    def is_live(self) -> bool:
        return self.status not in NOT_LIVE_STATUSES


class ApplicationStatusCount(models.Model):
    """How many applications of a round are in one state, kept by the database itself:
    triggers on the applications table (migration ``0010``) add and subtract in the same
    transaction as every insert, change of state or round, and delete, so neither a bulk
    ``UPDATE`` nor ``COPY`` nor the admin can leave it behind. The staff queue's tabs read
    it instead of counting every application. Drafts are the applicant's and not counted.
    ``manage.py application_counts_check`` compares it with a fresh count."""

    round = models.ForeignKey("subsidy.FundingRound", on_delete=models.CASCADE,
                              related_name="+")
    status = models.CharField(max_length=20, choices=ApplicationStatus.choices)
    applications = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("applications in a state")
        verbose_name_plural = _("applications in each state")
        constraints = [
            models.UniqueConstraint(fields=["round", "status"],
                                    name="application_status_count_unique"),
        ]

    def __str__(self):
        return f"{self.round_id} {self.status}: {self.applications}"


class ReferenceSequence(models.Model):
    """The last reference number used in a round; locked while the next one is taken, so
    references are sequential and unique per round whatever the concurrency."""

    round = models.OneToOneField("subsidy.FundingRound", on_delete=models.CASCADE,
                                 primary_key=True, related_name="reference_sequence")
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("reference sequence")
        verbose_name_plural = _("reference sequences")
        constraints = [
            models.CheckConstraint(condition=Q(last_number__lte=99999),
                                   name="reference_sequence_five_digits"),
        ]

    def __str__(self):
        return f"{self.round_id}: {self.last_number}"


class StatusChange(models.Model):
    """One step of an application's lifecycle, written by the workflow engine only; the
    applicant's timeline and the staff history read these."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE,
                                    related_name="status_changes")
    transition = models.CharField(max_length=40)
    from_status = models.CharField(max_length=20, choices=ApplicationStatus.choices)
    to_status = models.CharField(max_length=20, choices=ApplicationStatus.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    note = models.TextField(blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        ordering = ["application", "at", "id"]

    def __str__(self):
        return f"{self.application_id}: {self.from_status} → {self.to_status}"


class InformationRequest(models.Model):
    """A programme officer's question; it re-opens the named sections of a submitted
    application until the applicant resubmits."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE,
                                    related_name="information_requests")
    question = models.TextField(_("question"), max_length=4000)
    sections = models.JSONField(_("sections re-opened"), default=list)
    due_at = models.DateTimeField(_("answer due by"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("request for information")
        verbose_name_plural = _("requests for information")
        ordering = ["application", "-created_at", "-id"]

    def __str__(self):
        return self.question[:60]
