"""The bank statements finance imports (``subsidy.finance.services.statements``): each
file once, by its SHA-256, with every entry and what it matched, so that what did not match
stays on the exceptions list. Loaded for Django by ``subsidy/models.py`` with the other
finance records."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from subsidy.finance.models import Disbursement, PaymentOutcome
from subsidy.platform.money import MONEY


class BankStatement(models.Model):
    """A bank statement imported by finance (ISO 20022 camt.053 or the CSV layout), kept
    with its hash so that the same file is never applied twice. Each of its entries is
    kept with what it matched, so what did not match stays on the exceptions list."""

    class Format(models.TextChoices):
        CAMT053 = "camt053", _("ISO 20022 camt.053")
        CSV = "csv", _("CSV")

    file_name = models.CharField(_("file name"), max_length=255)
    format = models.CharField(_("format"), max_length=10, choices=Format.choices)
    file_sha256 = models.CharField(_("SHA-256"), max_length=64, unique=True)
    statement_id = models.CharField(_("statement identifier"), max_length=60, blank=True)
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+", verbose_name=_("imported by"))
    imported_at = models.DateTimeField(_("imported at"), default=timezone.now)

    class Meta:
        verbose_name = _("bank statement")
        verbose_name_plural = _("bank statements")
        ordering = ["-imported_at", "-id"]

    def __str__(self):
        return self.statement_id or self.file_name


class BankStatementEntry(models.Model):
    """One debit entry of an imported statement and what became of it."""

    class Result(models.TextChoices):
        MATCHED = "matched", _("Matched")
        UNMATCHED = "unmatched", _("No such payment")
        MISMATCH = "mismatch", _("Amount differs")
        ALREADY = "already", _("Already recorded")
        REFUSED = "refused", _("Refused")

    statement = models.ForeignKey(BankStatement, on_delete=models.CASCADE,
                                  related_name="entries", verbose_name=_("bank statement"))
    line = models.PositiveIntegerField(_("line or entry"))
    end_to_end_id = models.CharField(_("end-to-end id"), max_length=35, blank=True)
    bank_reference = models.CharField(_("bank reference"), max_length=60, blank=True)
    amount = models.DecimalField(_("amount (HKD)"), **MONEY)
    value_date = models.DateField(_("value date"), null=True, blank=True)
    kind = models.CharField(_("outcome"), max_length=10, choices=PaymentOutcome.Kind.choices)
    reason = models.TextField(_("reason"), blank=True, max_length=2000)
    payment = models.ForeignKey(Disbursement, null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+",
                                verbose_name=_("payment"))
    result = models.CharField(_("result"), max_length=10, choices=Result.choices)
    message = models.CharField(_("why"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("bank statement entry")
        verbose_name_plural = _("bank statement entries")
        ordering = ["statement", "line"]
        indexes = [models.Index(fields=["result"], name="statement_entry_result_idx")]

    def __str__(self):
        return f"{self.statement_id}:{self.line}"
