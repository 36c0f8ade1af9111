"""Register downloads. CSV is streamed row by row from a server-side cursor; XLSX is
written by openpyxl in write-only mode to a temporary file, so neither holds the whole
register in memory."""

import csv
import tempfile
from decimal import Decimal

from django.db.models import F
from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from subsidy.models import Disbursement

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class _Echo:
    def write(self, value):
        return value


def _cell(value):
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return "" if value is None else value


def _safe_text(value):
    # A cell starting with = + - @ would run as a formula in a spreadsheet.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


def csv_rows(rows, columns):
    writer = csv.writer(_Echo())
    yield "\ufeff"  # so Excel reads the file as UTF-8
    yield writer.writerow([str(label) for _key, label in columns])
    for row in rows.iterator(chunk_size=2000):
        yield writer.writerow([_safe_text(_cell(row[key])) for key, _label in columns])


def csv_response(rows, columns, filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(csv_rows(rows, columns), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def xlsx_response(rows, columns, filename: str, sheet: str) -> FileResponse:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    worksheet = workbook.create_sheet(title=sheet[:31])
    worksheet.append([str(label) for _key, label in columns])
    for row in rows.iterator(chunk_size=2000):
        worksheet.append([_xlsx_cell(row[key]) for key, _label in columns])
    handle = tempfile.TemporaryFile(suffix=".xlsx")
    workbook.save(handle)
    handle.seek(0)
    return FileResponse(handle, as_attachment=True, filename=f"{filename}.xlsx",
                        content_type=XLSX_TYPE)


def _xlsx_cell(value):
    if isinstance(value, Decimal):
        return value
    if getattr(value, "tzinfo", None) is not None:
        return timezone.localtime(value).replace(tzinfo=None)
    return _safe_text(value)


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
