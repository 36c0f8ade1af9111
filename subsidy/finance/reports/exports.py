"""Register downloads. CSV is streamed: on PostgreSQL straight from ``COPY (the register's
query) TO STDOUT``, with the cells formatted in SQL; elsewhere row by row from a cursor.
XLSX is written by openpyxl in write-only mode to a temporary file. Neither holds the whole
register in memory."""

import csv
import io
import tempfile
from decimal import Decimal

from django.db import connections, models
from django.db.models import F
from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from subsidy.finance.models import Disbursement

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# Rows are written into a buffer handed on at about this size: a chunk per row cost the
# server a write (a system call) per row, and most of an export's time.
CSV_CHUNK = 64 * 1024
FORMULA_STARTS = ("=", "+", "-", "@")


def _csv_value(value):
    """A cell as text: amounts with two decimals, dates in ISO 8601, and text that would
    run as a formula in a spreadsheet quoted. Tested in order of frequency."""
    kind = type(value)
    if kind is str:
        return "'" + value if value.startswith(FORMULA_STARTS) else value
    if kind is int:
        return value
    if value is None:
        return ""
    if kind is Decimal:
        return f"{value:.2f}"
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return _safe_text(value)


def _safe_text(value):
    # A cell starting with = + - @ would run as a formula in a spreadsheet.
    if isinstance(value, str) and value[:1] in FORMULA_STARTS:
        return "'" + value
    return value


def csv_rows(rows, columns):
    """The CSV text of ``rows`` in chunks of about ``CSV_CHUNK`` characters, read from a
    server-side cursor: memory stays flat whatever the number of rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    keys = [key for key, _label in columns]
    buffer.write(_csv_header(columns))
    for row in rows.iterator(chunk_size=2000):
        writer.writerow([_csv_value(row[key]) for key in keys])
        if buffer.tell() >= CSV_CHUNK:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def _csv_header(columns) -> str:
    buffer = io.StringIO()
    buffer.write("\ufeff")  # so Excel reads the file as UTF-8
    csv.writer(buffer, lineterminator="\r\n").writerow([str(label) for _key, label in columns])
    return buffer.getvalue()


def _copy_cell(field, column: str) -> str:
    """The SQL that writes one cell as ``_csv_value`` does (NULL is an empty cell)."""
    if isinstance(field, models.DateTimeField):
        utc = f"({column} AT TIME ZONE 'UTC')"
        return (f"to_char({utc}, 'YYYY-MM-DD\"T\"HH24:MI:SS') || CASE WHEN "
                f"to_char({utc}, 'US') <> '000000' THEN to_char({utc}, '.US') ELSE '' END "
                "|| '+00:00'")
    if isinstance(field, models.DateField):
        return f"to_char({column}, 'YYYY-MM-DD')"
    if isinstance(field, models.DecimalField):
        return f"round({column}, 2)::text"
    if isinstance(field, models.BooleanField):
        return f"CASE WHEN {column} THEN 'True' ELSE 'False' END"
    if isinstance(field, models.CharField | models.TextField):
        return (f"CASE WHEN left({column}, 1) IN ('=', '+', '-', '@') THEN '''' || {column} "
                f"ELSE NULLIF({column}, '') END")
    return column


def copy_csv_rows(rows, columns):
    """``csv_rows`` on PostgreSQL: the rows of the ``values()`` queryset ``rows`` as
    PostgreSQL's COPY writes them, in the blocks it sends; the same cells, read back."""
    connection = connections[rows.db]
    annotations = rows.query.annotation_select
    quote = connection.ops.quote_name
    cells = []
    for key, _label in columns:
        field = (annotations[key].output_field if key in annotations
                 else rows.model._meta.get_field(key))
        cells.append(_copy_cell(field, f"r.{quote(key)}"))
    sql, params = rows.query.sql_with_params()
    # The parameters are bound by the driver's own quoting (compose_sql); the cells are
    # quoted column names of the code's own column lists.
    statement = (f"COPY (SELECT {', '.join(cells)} FROM ("  # noqa: S608
                 f"{connection.ops.compose_sql(sql, params)}) r) TO STDOUT (FORMAT csv)")
    yield _csv_header(columns)
    # COPY hands over one row at a time: gathered into chunks as in ``csv_rows``.
    chunk, size = [], 0
    with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
        for block in copy:
            chunk.append(block)
            size += len(block)
            if size >= CSV_CHUNK:
                yield b"".join(chunk)
                chunk, size = [], 0
    yield b"".join(chunk)


def csv_response(rows, columns, filename: str) -> StreamingHttpResponse:
    """A CSV download of a ``values()`` queryset, streamed."""
    content = (copy_csv_rows(rows, columns) if connections[rows.db].vendor == "postgresql"
               else csv_rows(rows, columns))
    response = StreamingHttpResponse(content, content_type="text/csv")
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
