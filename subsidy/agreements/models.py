"""A grant's agreement and its conditions precedent (DOMAIN.md, "After the award").

The offer letter and grant agreement is a PDF made from the grant's terms; the company's
owner accepts the offer by signing it, and the exact bytes signed are kept here with their
SHA-256, the signer's name and title, the time and the address they signed from. Each of the
panel's conditions becomes a condition precedent of the grant: the company sends evidence,
the programme officer finds it met or returns it, and the first payment waits for all.
"""

import os
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class GrantAgreement(models.Model):
    """A version of a grant's agreement. Version 1 is the offer, signed as it is accepted;
    each approved variation records the next version, which Cyberport issues and the
    company's owner then signs (``signed_at`` empty until then). The document's bytes never
    change once written; only the signature is added, once."""

    grant = models.ForeignKey("subsidy.Grant", on_delete=models.PROTECT,
                              related_name="agreements", verbose_name=_("grant"))
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    document = models.BinaryField(_("document (PDF)"))
    sha256 = models.CharField(_("SHA-256 of the document"), max_length=64)
    # Who at Cyberport recorded a varied version (the variation's decider), and when.
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("recorded by"))
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    # The tranches (by number) this version changed: their payments wait for its signature.
    changed_tranches = models.JSONField(_("tranches changed"), default=list, blank=True)
    signer_name = models.CharField(_("signer's name"), max_length=200, blank=True)
    signer_title = models.CharField(_("signer's title"), max_length=200, blank=True)
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("signed by"))
    signed_at = models.DateTimeField(_("signed at"), null=True, blank=True)
    ip_address = models.GenericIPAddressField(_("signed from (IP address)"), null=True,
                                              blank=True)

    class Meta:
        verbose_name = _("grant agreement")
        verbose_name_plural = _("grant agreements")
        ordering = ["grant", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["grant", "version"],
                                    name="agreement_version_unique"),
            models.CheckConstraint(condition=Q(sha256__regex=r"^[0-9a-f]{64}$"),
                                   name="agreement_sha256_hex"),
            # A signature names its signer, their title and their account.
            models.CheckConstraint(
                condition=Q(signed_at__isnull=True)
                | (~Q(signer_name="") & ~Q(signer_title="") & Q(signed_by__isnull=False)),
                name="agreement_signer_named"),
        ]

    def __str__(self):
        return f"{self.grant_id} v{self.version} ({self.sha256[:12]})"

    @property
    def is_signed(self) -> bool:
        return self.signed_at is not None


def evidence_upload_to(instance, filename: str) -> str:
    extension = os.path.splitext(filename)[1].lower()[:8]
    return f"conditions/{uuid.uuid4().hex[:2]}/{uuid.uuid4().hex}{extension}"


class ConditionPrecedent(models.Model):
    """One of the panel's conditions, tracked until the programme officer finds it met."""

    class Status(models.TextChoices):
        OPEN = "open", _("Evidence needed")
        SUBMITTED = "submitted", _("Evidence sent, awaiting the officer")
        RETURNED = "returned", _("Returned for more evidence")
        MET = "met", _("Met")

    grant = models.ForeignKey("subsidy.Grant", on_delete=models.CASCADE,
                              related_name="conditions_precedent", verbose_name=_("grant"))
    number = models.PositiveSmallIntegerField(_("condition"))
    text = models.TextField(_("condition"), max_length=2000)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices,
                              default=Status.OPEN)
    evidence_text = models.TextField(_("evidence"), blank=True, max_length=4000)
    evidence_file = models.FileField(_("evidence document"), upload_to=evidence_upload_to,
                                     max_length=255, blank=True)
    evidence_name = models.CharField(_("file name"), max_length=255, blank=True)
    evidence_type = models.CharField(_("detected type"), max_length=100, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    submitted_at = models.DateTimeField(_("evidence sent at"), null=True, blank=True)
    officer_comment = models.TextField(_("officer's comments"), blank=True, max_length=4000)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(_("checked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("condition precedent")
        verbose_name_plural = _("conditions precedent")
        ordering = ["grant", "number"]
        constraints = [
            models.UniqueConstraint(fields=["grant", "number"],
                                    name="condition_number_unique"),
            models.CheckConstraint(
                condition=Q(status__in=["open", "submitted", "returned", "met"]),
                name="condition_status_known"),
            models.CheckConstraint(condition=~Q(status="met") | Q(decided_at__isnull=False),
                                   name="condition_met_when_checked"),
        ]

    def __str__(self):
        return f"{self.grant_id}/{self.number}: {self.text[:60]}"
