"""What an application contains: budget lines, milestones, team, documents and the frozen
versions made at each submission."""

import os
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from applicants.models.applications import Application
from subsidy.platform.money import MONEY
from subsidy.scheme.models import DocumentType


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
    class ScanStatus(models.TextChoices):
        # No scanner is configured (VIRUS_SCANNER): usable, and staff are told.
        NOT_SCANNED = "not_scanned", _("not scanned")
        # Waiting for the scanner's answer: nobody may read or submit it yet.
        SCANNING = "scanning", _("being checked for viruses")
        CLEAN = "clean", _("checked, no virus found")
        # A virus was found: the stored file is deleted, the row tells the uploader why.
        INFECTED = "infected", _("refused: a virus was found")

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
    scan_status = models.CharField(_("virus check"), max_length=16, choices=ScanStatus.choices,
                                   default=ScanStatus.NOT_SCANNED)
    scan_signature = models.CharField(_("virus found"), max_length=200, blank=True)
    scanned_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["application", "document_type", "uploaded_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(size__gt=0), name="document_size_positive"),
        ]
        indexes = [
            # The rescan job's query: the few documents still waiting for the scanner.
            models.Index(fields=["uploaded_at"], condition=Q(scan_status="scanning"),
                         name="document_scanning_idx"),
        ]

    def __str__(self):
        return self.original_name

    @property
    def readable(self) -> bool:
        """Whether the file may be downloaded, reviewed or submitted: checked clean, or kept
        without a scanner; never while scanning, never when refused."""
        return self.scan_status in (self.ScanStatus.CLEAN, self.ScanStatus.NOT_SCANNED)


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
