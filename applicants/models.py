"""Applicant organisations and their members, and their applications with everything
that belongs to one: budget, milestones, team, documents and submitted versions."""

import contextlib
import contextvars
import os
import uuid
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from subsidy.models import DocumentType, Sector


def validate_br_number(value: str) -> None:
    """A Hong Kong Business Registration number is the 8-digit first part of the BR no."""
    if not (isinstance(value, str) and len(value) == 8 and value.isascii() and value.isdigit()):
        raise ValidationError(
            _("Enter the 8-digit Business Registration number, e.g. 12345678."),
            code="invalid_br_number",
        )


class Organisation(models.Model):
    class Size(models.TextChoices):
        MICRO = "1-9", _("1–9 employees")
        SMALL = "10-49", _("10–49 employees")
        MEDIUM = "50-99", _("50–99 employees")
        LARGE = "100+", _("100 or more employees")

    name_en = models.CharField(_("legal name (English)"), max_length=200)
    name_zh = models.CharField(_("legal name (Chinese)"), max_length=200, blank=True)
    br_number = models.CharField(
        _("Business Registration number"), max_length=8, unique=True,
        validators=[validate_br_number],
        help_text=_("8 digits, as on the Business Registration certificate."),
    )
    incorporation_date = models.DateField(_("date of incorporation"))
    size = models.CharField(_("company size"), max_length=8, choices=Size.choices)
    sector = models.CharField(_("sector"), max_length=32, choices=Sector.choices)
    is_cyberport_incubatee = models.BooleanField(_("Cyberport incubatee"), default=False)
    website = models.URLField(_("website"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, through="Membership",
                                     related_name="organisations")

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name_en"]
        constraints = [
            models.CheckConstraint(condition=Q(br_number__regex=r"^[0-9]{8}$"),
                                   name="organisation_br_number_8_digits"),
        ]

    def __str__(self):
        return self.name

    @property
    def name(self):
        return self.name_zh if get_language() == "zh-hant" and self.name_zh else self.name_en


class Membership(models.Model):
    class Role(models.TextChoices):
        OWNER = "owner", _("Owner")
        EDITOR = "editor", _("Editor")
        VIEWER = "viewer", _("Viewer")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE,
                                     related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="memberships")
    role = models.CharField(_("member role"), max_length=10, choices=Role.choices)
    joined_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "user"],
                                    name="unique_organisation_member"),
            models.CheckConstraint(condition=Q(role__in=["owner", "editor", "viewer"]),
                                   name="membership_role_known"),
        ]

    def __str__(self):
        return f"{self.user} – {self.organisation} ({self.get_role_display()})"


class Invitation(models.Model):
    """An invitation by email to join an organisation; only a hash of the token is kept, so
    the link in the email is the one way to accept it."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE,
                                     related_name="invitations")
    email = models.EmailField(_("email address"))
    role = models.CharField(_("member role"), max_length=10, choices=Membership.Role.choices)
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(role__in=["owner", "editor", "viewer"]),
                                   name="invitation_role_known"),
        ]

    def __str__(self):
        return f"{self.email} → {self.organisation} ({self.role})"


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


MONEY = {"max_digits": 14, "decimal_places": 2}


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


class BudgetLine(models.Model):
    class Category(models.TextChoices):
        COMPUTE = "compute", _("Computing at the AI Supercomputing Centre (GPU-hours)")
        PERSONNEL = "personnel", _("Personnel")
        EQUIPMENT = "equipment", _("Equipment")
        DATA_CLOUD = "data_cloud", _("Data and cloud services")
        OTHER = "other", _("Other")

    application = models.ForeignKey(Application, on_delete=models.CASCADE,
                                    related_name="budget_lines")
    position = models.PositiveSmallIntegerField(default=0)
    category = models.CharField(_("category"), max_length=16, choices=Category.choices)
    description = models.CharField(_("description"), max_length=200)
    quantity = models.DecimalField(_("quantity"), max_digits=12, decimal_places=2)
    unit_cost = models.DecimalField(_("unit cost (HKD)"), **MONEY)
    gpu_hours = models.DecimalField(_("GPU-hours"), max_digits=12, decimal_places=2,
                                    null=True, blank=True)
    justification = models.TextField(_("justification"), max_length=2000, blank=True)
    amount = models.DecimalField(_("amount (HKD)"), **MONEY)

    class Meta:
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")
        ordering = ["application", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gte=0) & Q(unit_cost__gte=0) & Q(amount__gte=0)
                & (Q(gpu_hours__isnull=True) | Q(gpu_hours__gte=0)),
                name="budget_line_amounts_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(category__in=["compute", "personnel", "equipment", "data_cloud",
                                          "other"]),
                name="budget_line_category_known",
            ),
        ]

    def __str__(self):
        return f"{self.get_category_display()}: {self.description}"


class Milestone(models.Model):
    application = models.ForeignKey(Application, on_delete=models.CASCADE,
                                    related_name="milestones")
    position = models.PositiveSmallIntegerField(default=0)
    deliverable = models.CharField(_("deliverable"), max_length=300)
    due_date = models.DateField(_("due date"))
    share_percent = models.DecimalField(_("share of funding (%)"), max_digits=5,
                                        decimal_places=2)

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["application", "position", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(share_percent__gte=0) & Q(share_percent__lte=100),
                                   name="milestone_share_0_to_100"),
        ]

    def __str__(self):
        return self.deliverable


class TeamMember(models.Model):
    """A person on the project team. Identity document numbers (HKID) are never collected."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE,
                                    related_name="team_members")
    position = models.PositiveSmallIntegerField(default=0)
    name = models.CharField(_("name"), max_length=150)
    role = models.CharField(_("role in the project"), max_length=150)
    expertise = models.TextField(_("expertise"), max_length=1000, blank=True)

    class Meta:
        verbose_name = _("team member")
        verbose_name_plural = _("team members")
        ordering = ["application", "position", "id"]

    def __str__(self):
        return self.name


def document_upload_to(instance, filename):
    # A random path: the stored name reveals nothing and cannot be guessed from the upload;
    # only the extension of the detected type is kept.
    extension = os.path.splitext(filename)[1].lower()[:8]
    return f"applications/{uuid.uuid4().hex[:2]}/{uuid.uuid4().hex}{extension}"


class Document(models.Model):
    application = models.ForeignKey(Application, on_delete=models.CASCADE,
                                    related_name="documents")
    document_type = models.CharField(_("document type"), max_length=32,
                                     choices=DocumentType.choices)
    file = models.FileField(_("file"), upload_to=document_upload_to, max_length=255)
    original_name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(max_length=64)
    mime_type = models.CharField(_("detected type"), max_length=100)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True,
                                    on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["application", "document_type", "uploaded_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(size__gt=0), name="document_size_positive"),
        ]

    def __str__(self):
        return self.original_name


class ApplicationVersion(models.Model):
    """What was submitted, frozen: one row per submission or resubmission, never changed."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE,
                                    related_name="versions")
    number = models.PositiveIntegerField()
    snapshot = models.JSONField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("submitted version")
        verbose_name_plural = _("submitted versions")
        ordering = ["application", "number"]
        constraints = [
            models.UniqueConstraint(fields=["application", "number"],
                                    name="unique_application_version_number"),
            models.CheckConstraint(condition=Q(number__gte=1), name="version_number_positive"),
        ]

    def __str__(self):
        return f"{self.application} v{self.number}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError("Submitted versions cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Submitted versions cannot be deleted.")


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


class PartnerLink(models.Model):
    """A partner organisation's right to act for one organisation through the API.

    An organisation the partner registered through the API is linked from the start; an
    existing one only once an owner approves the partner's request. Either side's owner may
    revoke it later. Requested, linked and revoked are stamped with time and person; a
    request that was declined is revoked without ever having been linked."""

    class Origin(models.TextChoices):
        API = "api", _("Registered by the partner")
        CONSENT = "consent", _("Approved by the company")

    partner = models.ForeignKey("subsidy.PartnerOrganisation", on_delete=models.PROTECT,
                                related_name="organisation_links",
                                verbose_name=_("partner organisation"))
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE,
                                     related_name="partner_links",
                                     verbose_name=_("organisation"))
    created_via = models.CharField(_("created via"), max_length=10, choices=Origin.choices)
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    linked_at = models.DateTimeField(_("linked at"), null=True, blank=True)
    linked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+",
                                  verbose_name=_("linked by"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+",
                                   verbose_name=_("revoked by"))

    class Meta:
        verbose_name = _("partner link")
        verbose_name_plural = _("partner links")
        ordering = ["-requested_at", "-id"]
        constraints = [
            # One open link or request per partner and organisation.
            models.UniqueConstraint(fields=["partner", "organisation"],
                                    condition=Q(revoked_at__isnull=True),
                                    name="one_open_partner_link"),
            models.CheckConstraint(condition=Q(created_via__in=["api", "consent"]),
                                   name="partner_link_origin_known"),
            models.CheckConstraint(
                condition=Q(linked_at__isnull=True) | Q(linked_at__gte=F("requested_at")),
                name="partner_link_linked_after_request"),
            models.CheckConstraint(
                condition=Q(revoked_at__isnull=True) | Q(revoked_at__gte=F("requested_at")),
                name="partner_link_revoked_after_request"),
        ]
        indexes = [models.Index(fields=["partner", "organisation"],
                                condition=Q(linked_at__isnull=False, revoked_at__isnull=True),
                                name="partner_link_active_idx")]

    def __str__(self):
        return f"{self.partner_id} → {self.organisation}"

    @property
    def is_active(self) -> bool:
        return self.linked_at is not None and self.revoked_at is None

    @property
    def is_pending(self) -> bool:
        return self.linked_at is None and self.revoked_at is None
