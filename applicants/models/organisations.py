"""Applicant organisations with their members, invitations and partner links."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from subsidy.scheme.models import Sector


def validate_br_number(value: str) -> None:
    """A Hong Kong Business Registration number is the 8-digit first part of the BR no."""
    if not (isinstance(value, str) and len(value) == 8 and value.isascii() and value.isdigit()):
        raise ValidationError(
            _("Enter the 8-digit Business Registration number, e.g. 12345678."),
            code="invalid_br_number",
        )


def validate_cr_number(value: str) -> None:
    """A Hong Kong Companies Registry number (CR No.) is 7 or 8 digits."""
    if not (isinstance(value, str) and len(value) in (7, 8) and value.isascii()
            and value.isdigit()):
        raise ValidationError(
            _("Enter the 7- or 8-digit Companies Registry number, e.g. 1234567."),
            code="invalid_cr_number",
        )


class District(models.TextChoices):
    """Hong Kong's 18 districts. The values are the District Council codes of the HKSAR
    Government's interoperability framework (its structured address schema), so open data
    can give them as geographic codes."""

    CENTRAL_AND_WESTERN = "CW", _("Central and Western")
    WAN_CHAI = "WC", _("Wan Chai")
    EASTERN = "EST", _("Eastern")
    SOUTHERN = "STH", _("Southern")
    YAU_TSIM_MONG = "YTM", _("Yau Tsim Mong")
    SHAM_SHUI_PO = "SSP", _("Sham Shui Po")
    KOWLOON_CITY = "KLC", _("Kowloon City")
    WONG_TAI_SIN = "WTS", _("Wong Tai Sin")
    KWUN_TONG = "KT", _("Kwun Tong")
    KWAI_TSING = "KC", _("Kwai Tsing")
    TSUEN_WAN = "TW", _("Tsuen Wan")
    TUEN_MUN = "TM", _("Tuen Mun")
    YUEN_LONG = "YL", _("Yuen Long")
    NORTH = "NTH", _("North")
    TAI_PO = "TP", _("Tai Po")
    SHA_TIN = "ST", _("Sha Tin")
    SAI_KUNG = "SK", _("Sai Kung")
    ISLANDS = "ILD", _("Islands")


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
    # Optional: companies registered before it was asked for have none; open data then
    # falls back to the publisher's own identifier.
    cr_number = models.CharField(
        _("Companies Registry number"), max_length=8, blank=True,
        validators=[validate_cr_number],
        help_text=_("7 or 8 digits (CR No.), as on the Certificate of Incorporation."),
    )
    district = models.CharField(
        _("district"), max_length=3, blank=True, choices=District.choices,
        help_text=_("The district of the company's business address in Hong Kong."),
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
            models.CheckConstraint(
                condition=Q(cr_number="") | Q(cr_number__regex=r"^[0-9]{7,8}$"),
                name="organisation_cr_number_7_or_8_digits"),
            models.UniqueConstraint(
                fields=["cr_number"], condition=~Q(cr_number=""),
                name="organisation_cr_number_unique",
                violation_error_message=_("A company with this Companies Registry number "
                                          "is already registered.")),
            models.CheckConstraint(condition=Q(district__in=["", *District.values]),
                                   name="organisation_district_known"),
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


class LinkRequest(models.Model):
    """A partner's request to link the company with a Business Registration number, kept as
    the partner made it whether or not such a company is registered: the partner's list of
    its own requests must not tell which numbers are registered. When the company exists,
    ``link`` is the pending ``PartnerLink`` its owners answer; an owner's decline is not
    shown to the partner (it would say that the company exists), so a request reads
    "pending" until the link is approved or the partner withdraws it."""

    partner = models.ForeignKey("subsidy.PartnerOrganisation", on_delete=models.PROTECT,
                                related_name="link_requests",
                                verbose_name=_("partner organisation"))
    br_number = models.CharField(_("Business Registration number"), max_length=8,
                                 validators=[validate_br_number])
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    cancelled_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    link = models.ForeignKey(PartnerLink, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="requests", verbose_name=_("partner link"))

    class Meta:
        verbose_name = _("link request")
        verbose_name_plural = _("link requests")
        ordering = ["-requested_at", "-id"]
        constraints = [
            # One open request per partner and number.
            models.UniqueConstraint(fields=["partner", "br_number"],
                                    condition=Q(cancelled_at__isnull=True),
                                    name="one_open_link_request"),
            models.CheckConstraint(
                condition=Q(cancelled_at__isnull=True) | Q(cancelled_at__gte=F("requested_at")),
                name="link_request_withdrawn_after_request"),
        ]

    def __str__(self):
        return f"{self.partner_id} → {self.br_number}"


class OrganisationRegistration(models.Model):
    """A company a partner registered through the API, waiting for the person it named as
    owner. Nothing is created until that person confirms by the link in their email: the
    partner's record of it is the ``LinkRequest``, "pending" as for a company that already
    exists (whose owners are asked instead), so the partner cannot tell the two apart.
    Only a hash of the link's token is kept."""

    request = models.OneToOneField(LinkRequest, on_delete=models.CASCADE,
                                   related_name="registration",
                                   verbose_name=_("link request"))
    # The profile as the partner gave it (JSON: the date as ISO 8601); checked again with
    # the registration rules when the owner confirms.
    profile = models.JSONField(_("company profile"))
    owner_email = models.EmailField(_("owner's email address"))
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    declined_at = models.DateTimeField(_("declined at"), null=True, blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+",
                                    verbose_name=_("answered by"))
    organisation = models.ForeignKey(Organisation, null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+",
                                     verbose_name=_("organisation"))

    class Meta:
        verbose_name = _("company registration by a partner")
        verbose_name_plural = _("company registrations by partners")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(confirmed_at__isnull=True) | Q(declined_at__isnull=True),
                name="registration_confirmed_or_declined"),
        ]

    def __str__(self):
        return f"{self.request} ({self.owner_email})"

    @property
    def is_open(self) -> bool:
        return self.confirmed_at is None and self.declined_at is None
