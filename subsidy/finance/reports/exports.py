"""The bank's file of a payment batch, and the register downloads. How a download is
written (cells, formula guard, BOM, COPY on PostgreSQL) is ``subsidy.platform.exports``."""

from django.db.models import F
from django.utils.translation import gettext_lazy as _

from subsidy.finance.models import Disbursement
from subsidy.platform.exports import csv_response, xlsx_response

__all__ = ["BATCH_COLUMNS", "batch_rows", "csv_response", "xlsx_response"]

BATCH_COLUMNS = (
    ("id", _("Payment")), ("payee_name", _("Payee")), ("bank_name", _("Bank")),
    ("account_number", _("Account number")), ("amount", _("Amount (HKD)")),
    ("reference", _("Application")), ("tranche_number", _("Tranche")),
)


def batch_rows(batch):
    """The bank's file: one line per payment of the batch, with the payee's account."""
    return (Disbursement.objects.filter(batch=batch).order_by("pk")
            .values("id", "payee_name", "bank_name", "account_number", "amount",
                    reference=F("grant__application__reference"),
                    tranche_number=F("tranche__number")))
