"""Applicant organisations and their members."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from subsidy.models import Sector


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
