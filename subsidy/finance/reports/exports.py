"""The bank's file of a payment batch, and the register downloads. How a download is
written (cells, formula guard, BOM, COPY on PostgreSQL) is ``subsidy.platform.exports``."""

from django.db.models import CharField, F, Value
from django.db.models.functions import Cast, Concat, LPad
from django.utils.translation import gettext_lazy as _

from subsidy.finance.models import Disbursement
from subsidy.platform.exports import csv_response, xlsx_response

__all__ = ["BATCH_COLUMNS", "batch_rows", "csv_response", "xlsx_response"]

BATCH_COLUMNS = (
    ("id", _("Payment")), ("end_to_end_id", _("End-to-end id")), ("payee_name", _("Payee")),
    ("bank_name", _("Bank")), ("account_number", _("Account number")),
    ("amount", _("Amount")), ("currency", _("Currency")),
    ("execution_date", _("Requested execution date")), ("debit_account", _("Debit account")),
    ("reference", _("Application")), ("tranche_number", _("Tranche")),
    ("status", _("Status")), ("bank_reference", _("Bank reference")),
)


def batch_rows(batch):
    """The batch for people (the bank's own file is the pain.001 XML): one line per
    payment as sent, with the payee's account and what the bank did with it."""
    return (Disbursement.objects.filter(batch=batch).order_by("pk")
            .values("id", "payee_name", "bank_name", "account_number", "amount", "status",
                    "bank_reference",
                    end_to_end_id=Concat(Value("AISS-PAY-"), LPad(
                        Cast("id", CharField()), 10, Value("0")), output_field=CharField()),
                    currency=Value("HKD", output_field=CharField()),
                    execution_date=F("batch__execution_date"),
                    debit_account=F("batch__debit_account"),
                    reference=F("grant__application__reference"),
                    tranche_number=F("tranche__number")))
