"""Spreadsheet downloads, written one way for every page and API that offers them.

CSV: a UTF-8 byte order mark (so Excel reads the file as UTF-8), CRLF line ends, amounts
with two decimals, dates in ISO 8601 and times in Hong Kong time (the site's time zone).
XLSX: the same cells as values: amounts as numbers in ``#,##0.00``, text as text (an
account number keeps its leading zeros), times in Hong Kong time with the offset named in
the cell's format (Excel has no zones); a bold header frozen above an autofilter, and
totals rows (summed in SQL by the caller) in bold below the data. In both, text that a
spreadsheet would run as a formula is quoted.

A large ``values()`` queryset is streamed: on PostgreSQL straight from ``COPY (the query)
TO STDOUT`` with the cells formatted in SQL as ``csv_cell`` formats them; elsewhere row by
row from a server-side cursor. XLSX is written in write-only mode to a temporary file.
Neither holds the whole download in memory."""

import csv
import io
import tempfile
from collections.abc import Iterable, Sequence
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.db import connections, models
from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone

from subsidy.platform.routers import reporting_reads

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv"

# A cell starting with one of these runs as a formula in a spreadsheet (a tab or a carriage
# return is skipped by some before they read the rest).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

# Rows are written into a buffer handed on at about this size: a chunk per row cost the
# server a write (a system call) per row, and most of an export's time.
CSV_CHUNK = 64 * 1024
# Rows fetched per round trip from the server-side cursor.
CURSOR_CHUNK = 2000


def guard_text(value):
    """Text that would run as a formula, quoted with a leading apostrophe; anything else
    unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_cell(value):
    """A cell as CSV text: amounts with two decimals, dates in ISO 8601, times in Hong Kong
    time with their offset, formula-like text quoted. Tested in order of frequency."""
    kind = type(value)
    if kind is str:
        return guard_text(value)
    if kind is int:
        return value
    if value is None:
        return ""
    if kind is Decimal:
        return f"{value:.2f}"
    if isinstance(value, datetime) and value.tzinfo is not None:
        return timezone.localtime(value).isoformat()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return guard_text(value)


def xlsx_cell(value):
    """A cell as an XLSX value: numbers stay numbers, times in Hong Kong time."""
    if isinstance(value, Decimal):
        return value
    if getattr(value, "tzinfo", None) is not None:
        return timezone.localtime(value).replace(tzinfo=None)
    return guard_text(value)


def _csv_header(header: Sequence) -> str:
    buffer = io.StringIO()
    buffer.write("\ufeff")
    csv.writer(buffer, lineterminator="\r\n").writerow([str(label) for label in header])
    return buffer.getvalue()


def csv_chunks(header: Sequence, rows: Iterable[Sequence]):
    """The CSV text of ``header`` and ``rows`` (each a sequence of values), in chunks of
    about ``CSV_CHUNK`` characters: memory stays flat whatever the number of rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write(_csv_header(header))
    for row in rows:
        writer.writerow([csv_cell(value) for value in row])
        if buffer.tell() >= CSV_CHUNK:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


MONEY_FORMAT = "#,##0.00"
TEXT_FORMAT = "@"
DATE_FORMAT = "yyyy-mm-dd"


def _time_format(value: datetime) -> str:
    """Excel's format of a time: Hong Kong time, with its offset written after it."""
    offset = timezone.localtime(value).strftime("%z")
    return f'yyyy-mm-dd hh:mm:ss "{offset[:3]}:{offset[3:]}"'


def _xlsx_format(value) -> str | None:
    if isinstance(value, Decimal):
        return MONEY_FORMAT
    if isinstance(value, str):
        return TEXT_FORMAT
    if isinstance(value, datetime):
        return _time_format(value) if value.tzinfo is not None else None
    if hasattr(value, "isoformat"):
        return DATE_FORMAT
    return None


def _column_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)


def xlsx_file(header: Sequence, rows: Iterable[Sequence], *, sheet: str,
              number_formats: dict[int, str] | None = None,
              totals: Iterable[Sequence] = ()):
    """An XLSX workbook of one sheet, written to a temporary file and rewound.
    ``number_formats`` maps a column's index to its Excel number format (otherwise the
    value's kind decides); ``totals`` are rows written in bold below the data."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    worksheet = workbook.create_sheet(title=sheet[:31])
    worksheet.freeze_panes = "A2"
    bold = Font(bold=True)

    def cells_of(row, *, font=None):
        cells = []
        for index, value in enumerate(row):
            original = value
            cell = WriteOnlyCell(worksheet, value=xlsx_cell(value))
            number_format = formats.get(index) or _xlsx_format(original)
            if number_format:
                cell.number_format = number_format
            if font:
                cell.font = font
            cells.append(cell)
        return cells

    formats = number_formats or {}
    worksheet.append([_header_cell(worksheet, label, bold) for label in header])
    count = 0
    for row in rows:
        worksheet.append(cells_of(row))
        count += 1
    for row in totals:
        worksheet.append(cells_of(row, font=bold))
    worksheet.auto_filter.ref = f"A1:{_column_letter(max(len(header) - 1, 0))}{count + 1}"
    handle = tempfile.TemporaryFile(suffix=".xlsx")
    workbook.save(handle)
    handle.seek(0)
    return handle


def _header_cell(worksheet, label, font):
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(worksheet, value=str(label))
    cell.font = font
    return cell


def csv_download(chunks, filename: str, *, content_type: str = CSV_TYPE):
    """A streamed CSV download of ``chunks`` as ``filename``.csv."""
    response = StreamingHttpResponse(chunks, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def xlsx_download(handle, filename: str) -> FileResponse:
    """A download of the workbook in ``handle`` as ``filename``.xlsx."""
    return FileResponse(handle, as_attachment=True, filename=f"{filename}.xlsx",
                        content_type=XLSX_TYPE)


# A ``values()`` queryset and its columns, ``(key, label)`` pairs, as a download.

def _value_rows(rows, columns):
    keys = [key for key, _label in columns]
    for row in rows.iterator(chunk_size=CURSOR_CHUNK):
        yield [row[key] for key in keys]


def _header_of(columns, *, keys: bool) -> list:
    """The header row: the columns' labels in the reader's language, or their keys, which
    stay the same in every language (for programs: the API's CSV)."""
    return [key if keys else label for key, label in columns]


def csv_rows(rows, columns, *, keys: bool = False):
    """The CSV text of the ``values()`` queryset ``rows``, read from a server-side cursor."""
    return csv_chunks(_header_of(columns, keys=keys), _value_rows(rows, columns))


def _copy_cell(field, column: str) -> str:
    """The SQL that writes one cell as ``csv_cell`` does (NULL is an empty cell)."""
    if isinstance(field, models.DateTimeField):
        # The zone's name is the site's own setting, not user input.
        local = f"({column} AT TIME ZONE '{settings.TIME_ZONE}')"
        offset = f"({local} - ({column} AT TIME ZONE 'UTC'))"
        return (f"to_char({local}, 'YYYY-MM-DD\"T\"HH24:MI:SS') || CASE WHEN "
                f"to_char({local}, 'US') <> '000000' THEN to_char({local}, '.US') ELSE '' END "
                f"|| CASE WHEN {offset} < interval '0' THEN '' ELSE '+' END "
                f"|| to_char({offset}, 'HH24:MI')")
    if isinstance(field, models.DateField):
        return f"to_char({column}, 'YYYY-MM-DD')"
    if isinstance(field, models.DecimalField):
        return f"round({column}, 2)::text"
    if isinstance(field, models.BooleanField):
        return f"CASE WHEN {column} THEN 'True' ELSE 'False' END"
    if isinstance(field, models.CharField | models.TextField):
        starts = ", ".join(f"chr({ord(start)})" for start in FORMULA_STARTS)
        return (f"CASE WHEN left({column}, 1) IN ({starts}) THEN '''' || {column} "
                f"ELSE NULLIF({column}, '') END")
    return column


def copy_csv_rows(rows, columns, *, keys: bool = False):
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
    yield _csv_header(_header_of(columns, keys=keys))
    # COPY hands over one row at a time, ended by LF (its only line end): the LF becomes
    # CRLF as in ``csv_chunks`` (a line end inside a quoted cell is the cell's own), and
    # the rows are gathered into chunks.
    chunk, size = [], 0
    with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
        for block in copy:
            block = bytes(block)
            if block.endswith(b"\n"):
                block = block[:-1] + b"\r\n"
            chunk.append(block)
            size += len(block)
            if size >= CSV_CHUNK:
                yield b"".join(chunk)
                chunk, size = [], 0
    yield b"".join(chunk)


def reporting_rows(rows):
    """``rows`` pinned to the reporting database (``subsidy.platform.routers``): an export
    streams after its view has returned, so the router is asked now."""
    with reporting_reads():
        return rows.using(rows.db)


def csv_response(rows, columns, filename: str, *, keys: bool = False,
                 reporting: bool = False) -> StreamingHttpResponse:
    """A CSV download of a ``values()`` queryset, streamed; ``keys``: the header names the
    columns by their keys instead of their labels. A report (``reporting``) reads from the
    reporting database; a file that must show the latest write, such as a bank file, reads
    from the primary."""
    if reporting:
        rows = reporting_rows(rows)
    content = (copy_csv_rows(rows, columns, keys=keys)
               if connections[rows.db].vendor == "postgresql"
               else csv_rows(rows, columns, keys=keys))
    return csv_download(content, filename)


def xlsx_response(rows, columns, filename: str, sheet: str, *,
                  totals: Iterable[Sequence] = (), reporting: bool = False) -> FileResponse:
    """An XLSX download of a ``values()`` queryset, with ``totals`` rows below it;
    ``reporting`` as in ``csv_response``."""
    if reporting:
        rows = reporting_rows(rows)
    handle = xlsx_file([label for _key, label in columns], _value_rows(rows, columns),
                       sheet=sheet, totals=totals)
    return xlsx_download(handle, filename)


# Rows already in memory (a report kept as it was reported), as the same downloads.

def _list_rows(rows: list[dict], columns):
    keys = [key for key, _label in columns]
    return ([row[key] for key in keys] for row in rows)


def rows_csv_response(rows: list[dict], columns, filename: str) -> StreamingHttpResponse:
    return csv_download(csv_chunks(_header_of(columns, keys=False), _list_rows(rows, columns)),
                        filename)


def rows_xlsx_response(rows: list[dict], columns, filename: str, sheet: str, *,
                       totals: Iterable[Sequence] = ()) -> FileResponse:
    handle = xlsx_file(_header_of(columns, keys=False), _list_rows(rows, columns),
                       sheet=sheet, totals=totals)
    return xlsx_download(handle, filename)
