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
row from a server-side cursor. XLSX is written by ``subsidy.platform.xlsx``, a row at a
time, to a temporary file. Neither holds the whole download in memory."""

import csv
import io
import tempfile
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from datetime import timezone as dt_timezone
from decimal import Decimal

from django.conf import settings
from django.db import connections, models, transaction
from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone

from subsidy.platform import xlsx
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


def _time_format(offset) -> str:
    """Excel's format of a time: Hong Kong time, with its offset (a timedelta) written
    after it."""
    minutes = int(offset.total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    hours, minutes = divmod(abs(minutes), 60)
    return f'yyyy-mm-dd hh:mm:ss "{sign}{hours:02d}:{minutes:02d}"'


def _zone_offsets(zone) -> set:
    """Every offset from UTC that ``zone`` has had from 1900 to 2100 (a time's format
    names its offset; sampled twice a month, which no summer time falls between)."""
    return {datetime(year, month, day, tzinfo=UTC).astimezone(zone).utcoffset()
            for year in range(1900, 2101) for month in range(1, 13) for day in (1, 16)}


def _sheet_writer(width: int, number_formats: dict[int, str] | None = None):
    """The writer of a sheet's cells: ``number_formats`` maps a column's index to its
    Excel number format, otherwise the value's kind decides (amounts in ``#,##0.00``, text
    as text, dates, and times in the site's time zone with the offset named)."""
    zone = timezone.get_current_timezone()
    formats = number_formats or {}
    time_formats = {}

    def format_of(index, value):
        chosen = formats.get(index)
        if chosen:
            return chosen
        kind = type(value)
        if kind is Decimal:
            return MONEY_FORMAT
        if kind is str:
            return TEXT_FORMAT
        if isinstance(value, datetime):
            if value.tzinfo is None:
                return None
            offset = value.astimezone(zone).utcoffset()
            found = time_formats.get(offset)
            if found is None:
                found = time_formats[offset] = _time_format(offset)
            return found
        if hasattr(value, "isoformat"):
            return DATE_FORMAT
        return None

    def local(value):
        return value.astimezone(zone).replace(tzinfo=None)

    return xlsx.SheetWriter(width, format_of, local, guard_text)


def _workbook(writer, header, chunks, totals, sheet):
    handle = tempfile.TemporaryFile(suffix=".xlsx")
    xlsx.write_workbook(handle, writer, header, chunks, totals, sheet=sheet)
    handle.seek(0)
    return handle


def xlsx_file(header: Sequence, rows: Iterable[Sequence], *, sheet: str,
              number_formats: dict[int, str] | None = None,
              totals: Iterable[Sequence] = ()):
    """An XLSX workbook of one sheet, written to a temporary file and rewound.
    ``number_formats`` as in ``_sheet_writer``; ``totals`` are rows written in bold below
    the data. Written by ``subsidy.platform.xlsx``, one row at a time."""
    writer = _sheet_writer(len(header), number_formats)
    return _workbook(writer, header, xlsx.row_chunks(writer, rows), totals, sheet)


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


def _iso_offset(offset) -> str:
    """An offset from UTC as ``datetime.isoformat`` ends: ``+08:00``."""
    return datetime(2000, 1, 1, tzinfo=dt_timezone(offset)).isoformat()[19:]


def _copy_time(column: str) -> str:
    """SQL writing the time ``column`` as ``csv_cell`` does (``isoformat`` in Hong Kong
    time), from its JSON text with the transaction's time zone set to the site's
    (``copy_csv_rows``): JSON writes a time in ISO 8601 with ``T`` and the offset as
    ``+08:00``, as Python does, but trims the fraction's trailing zeros, which Python keeps
    (six digits). Its two common lengths, with the quotes, are taken as they are: 27, whole
    seconds, and 34, six digits (unless the offset has seconds, ``+07:36:42``); anything
    else is written from the column."""
    local = f"to_json({column})::text"
    general = _copy_time_from_column(column)
    return (f"CASE octet_length({local}) WHEN 27 THEN substr({local}, 2, 25) "
            f"WHEN 34 THEN CASE WHEN substr({local}, 28, 1) = ':' THEN {general} "
            f"ELSE substr({local}, 2, 32) END ELSE {general} END")


def _copy_time_from_column(column: str) -> str:
    # The local time as PostgreSQL writes a timestamp (ISO 8601 with a space), its
    # fraction padded to six digits as Python writes it; then the offset, named for each
    # one the zone has had (``to_char`` for any other: three times as slow).
    # The zone's name is the site's own setting, not user input.
    local = f"({column} AT TIME ZONE '{settings.TIME_ZONE}')"
    text = f"{local}::text"
    seconds = f"(date_part('epoch', {local}) - date_part('epoch', {column}))::int"
    interval = f"({local} - ({column} AT TIME ZONE 'UTC'))"
    named = " ".join(f"WHEN {int(offset.total_seconds())} THEN '{_iso_offset(offset)}'"
                     for offset in sorted(_zone_offsets(timezone.get_current_timezone())))
    return (f"replace(rpad({text}, CASE WHEN length({text}) > 19 THEN 26 ELSE 19 END, "
            f"'0'), ' ', 'T') || CASE {seconds} {named} ELSE "
            f"CASE WHEN {interval} < interval '0' THEN '' ELSE '+' END "
            f"|| to_char({interval}, 'HH24:MI') END")


def _copy_text(column: str) -> str:
    """SQL writing text as ``csv_cell`` does: formula-like text quoted, empty text an empty
    cell (COPY would write ``""``). The first character is read once, as a number
    (``ascii``: 0 for empty text), which costs a third of ``left(…) IN (…)``."""
    quoted = " ".join(f"WHEN {ord(start)} THEN '''' || {column}" for start in FORMULA_STARTS)
    return f"CASE ascii({column}) {quoted} WHEN 0 THEN NULL ELSE {column} END"


def _copy_cell(field, column: str) -> str:
    """The SQL that writes one cell as ``csv_cell`` does (NULL is an empty cell)."""
    if isinstance(field, models.DateTimeField):
        return _copy_time(column)
    if isinstance(field, models.DateField):
        return f"to_char({column}, 'YYYY-MM-DD')"
    if isinstance(field, models.DecimalField):
        return f"round({column}, 2)::text"
    if isinstance(field, models.BooleanField):
        return f"CASE WHEN {column} THEN 'True' ELSE 'False' END"
    if isinstance(field, models.CharField | models.TextField):
        return _copy_text(column)
    return column


def _crlf(chunk: bytes, rows: int) -> bytes:
    """COPY's rows, ``rows`` of them each ended by LF (its only line end), with CRLF line
    ends as in ``csv_chunks``. A line end inside a cell is the cell's own (COPY quotes such
    a cell) and stays as it is: when the chunk holds more LFs than rows, the row ends are
    told apart by the quotes before them (an even number since the row began)."""
    if chunk.count(b"\n") == rows:
        return chunk.replace(b"\n", b"\r\n")
    out, quotes = [], 0
    for part in chunk.split(b"\n")[:-1]:
        quotes += part.count(b'"')
        out.append(part + (b"\n" if quotes % 2 else b"\r\n"))
    return b"".join(out)


def _ordering_over(rows, quote) -> str | None:
    """The ORDER BY of ``rows`` over its own columns (``r.<key>``) when each of its terms
    names a selected column; None otherwise (then the query keeps its own)."""
    query = rows.query
    keys = set(query.values_select) | set(query.annotation_select)
    if not query.order_by or query.is_sliced or query.distinct or query.extra_order_by:
        return None
    terms = []
    for term in query.order_by:
        if not isinstance(term, str) or term.removeprefix("-") not in keys:
            return None
        direction = " DESC" if term.startswith("-") else ""
        terms.append(f"r.{quote(term.removeprefix('-'))}{direction}")
    return ", ".join(terms)


def copy_csv_rows(rows, columns, *, keys: bool = False):
    """``csv_rows`` on PostgreSQL: the rows of the ``values()`` queryset ``rows`` as
    PostgreSQL's COPY writes them, in chunks of about ``CSV_CHUNK``; the same text."""
    connection = connections[rows.db]
    annotations = rows.query.annotation_select
    quote = connection.ops.quote_name
    cells = []
    for key, _label in columns:
        field = (annotations[key].output_field if key in annotations
                 else rows.model._meta.get_field(key))
        cells.append(_copy_cell(field, f"r.{quote(key)}"))
    # Sorted after its cells are formatted, the query is one statement to PostgreSQL,
    # whose parallel workers then format the rows they read before the sort; sorted in a
    # subquery, every cell would be formatted by the one process that merges the rows.
    ordering = _ordering_over(rows, quote)
    query = rows.order_by() if ordering else rows
    sql, params = query.query.sql_with_params()
    # The parameters are bound by the driver's own quoting (compose_sql); the cells are
    # quoted column names of the code's own column lists.
    statement = (f"COPY (SELECT {', '.join(cells)} FROM ("  # noqa: S608
                 f"{connection.ops.compose_sql(sql, params)}) r"
                 f"{f' ORDER BY {ordering}' if ordering else ''}) TO STDOUT (FORMAT csv)")
    yield _csv_header(_header_of(columns, keys=keys))
    # COPY hands over one row at a time (a Python step each, as for any client); they are
    # gathered as they come and turned into a chunk at once. JSON writes times in the
    # session's time zone: the site's for this statement only, undone with it (a
    # rollback: the statement writes nothing) even inside an outer transaction.
    chunk, size = [], 0
    with transaction.atomic(using=rows.db), connection.cursor() as cursor:
        cursor.execute("SELECT set_config('TimeZone', %s, true)", [settings.TIME_ZONE])
        with cursor.cursor.copy(statement) as copy:
            for block in copy:
                chunk.append(block)
                size += len(block)
                if size >= CSV_CHUNK:
                    yield _crlf(b"".join(chunk), len(chunk))
                    chunk, size = [], 0
        transaction.set_rollback(True, using=rows.db)
    yield _crlf(b"".join(chunk), len(chunk))


def _xml_text(column: str, *, escaped: bool) -> str:
    """SQL: text as XML character data, quoted against formulas as ``guard_text`` quotes
    it. ``escaped``: ``& < >``, a tab, line end or backslash as character references (COPY's
    text format would escape the last four), the control characters XML cannot carry left
    out; a row's text is checked once for any of them (``_NEEDS_ESCAPING``)."""
    starts = ", ".join(f"chr({ord(start)})" for start in FORMULA_STARTS)
    text = f"CASE WHEN left({column}, 1) IN ({starts}) THEN '''' || {column} ELSE {column} END"
    if not escaped:
        return text
    for char, entity in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ("\\", "&#92;"),
                         ("\t", "&#9;"), ("\n", "&#10;"), ("\r", "&#13;")):
        text = f"replace({text}, chr({ord(char)}), '{entity}')"
    controls = "||".join(f"chr({code})" for code in [*range(1, 9), 11, 12, *range(14, 32)])
    return f"translate({text}, {controls}, '')"


# A row whose text holds none of these is written without escaping (most rows).
_NEEDS_ESCAPING = r"'[&<>\\[:cntrl:]]'"


def _is_text(field) -> bool:
    return not isinstance(field, models.DateField | models.DecimalField | models.BooleanField
                          | models.IntegerField | models.AutoField | models.FloatField)


def _copy_xlsx_cell(field, column: str, where: str, writer, *, escaped: bool) -> str:
    """SQL writing one cell's XML as ``xlsx.SheetWriter`` writes it (NULL: no cell);
    ``escaped`` as in ``_xml_text``."""
    styles = writer.styles
    start = f"'<c r=\"{where}\" s=\""
    if isinstance(field, models.DateTimeField):
        # Seconds since 1970 in UTC and in Hong Kong time, as float8 (``date_part``), and
        # the serial computed as ``xlsx.excel_serial`` computes it.
        local = f"date_part('epoch', {column} AT TIME ZONE '{settings.TIME_ZONE}')"
        offset = f"({local} - date_part('epoch', {column}))::int"
        zone = timezone.get_current_timezone()
        cases = " ".join(f"WHEN {int(each.total_seconds())} THEN "
                         f"'{styles(_time_format(each))}'"
                         for each in sorted(_zone_offsets(zone)))
        current = styles(_time_format(datetime.now(zone).utcoffset()))
        serial = f"({local} / 86400.0 + {xlsx.EXCEL_DAY_OF_1970}.0)"
        return (f"{start}' || CASE {offset} {cases} ELSE '{current}' END"
                f" || '\"><v>' || {serial}::text || '</v></c>'")
    if isinstance(field, models.DateField):
        return (f"{start}{styles(DATE_FORMAT)}\"><v>' "
                f"|| ({column} - date '1899-12-30')::text || '</v></c>'")
    if isinstance(field, models.DecimalField):
        return f"{start}{styles(MONEY_FORMAT)}\"><v>' || {column}::text || '</v></c>'"
    if isinstance(field, models.BooleanField):
        return (f"{start}0\" t=\"b\"><v>' "
                f"|| CASE WHEN {column} THEN '1' ELSE '0' END || '</v></c>'")
    if isinstance(field, models.IntegerField | models.AutoField | models.FloatField):
        return f"{start}0\"><v>' || {column}::text || '</v></c>'"
    # Empty text is an empty cell in the text format, as ``SheetWriter`` writes it.
    text = _xml_text(f"{column}::text", escaped=escaped)
    return (f"{start}{styles(TEXT_FORMAT)}\"' || CASE WHEN {column}::text = '' THEN '/>' "
            f"ELSE ' t=\"inlineStr\"><is><t xml:space=\"preserve\">' || {text} "
            "|| '</t></is></c>' END")


def copy_xlsx_chunks(rows, columns, writer):
    """The XML of the rows of the ``values()`` queryset ``rows`` as PostgreSQL's COPY
    writes them, each cell formatted in SQL as ``writer`` formats it, in chunks of about
    ``xlsx.CHUNK``; numbered after ``writer.rows``, which counts them."""
    connection = connections[rows.db]
    annotations = rows.query.annotation_select
    quote = connection.ops.quote_name
    plain, escaped, texts = [], [], []
    for index, (key, _label) in enumerate(columns):
        field = (annotations[key].output_field if key in annotations
                 else rows.model._meta.get_field(key))
        where = f"{xlsx.column_letter(index)}' || r.aiss_row || '"
        column = f"r.{quote(key)}"
        for cells, escape in ((plain, False), (escaped, True)):
            cell = _copy_xlsx_cell(field, column, where, writer, escaped=escape)
            cells.append(f"COALESCE({cell}, '')")
        if _is_text(field):
            texts.append(f"{column}::text")
    # One test of the row's text, not one a cell: most rows need no escaping.
    needs = f"concat({', '.join(texts)}) ~ {_NEEDS_ESCAPING}" if texts else "false"
    sql, params = rows.query.sql_with_params()
    # As in ``copy_csv_rows``: bound parameters, the code's own column names and formats.
    statement = (f"COPY (SELECT '<row r=\"' || r.aiss_row || '\">' || CASE WHEN {needs} "  # noqa: S608
                 f"THEN {' || '.join(escaped)} ELSE {' || '.join(plain)} END || '</row>' "
                 f"FROM (SELECT q.*, row_number() OVER () + {writer.rows} AS aiss_row FROM ("
                 f"{connection.ops.compose_sql(sql, params)}) q) r) TO STDOUT")
    # COPY's text format ends each row with a line feed, the only one it writes (the
    # cells' own are character references): dropped, and counted.
    chunk, size, count = [], 0, 0
    with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
        for block in copy:
            block = bytes(block)
            chunk.append(block)
            size += len(block)
            if size >= xlsx.CHUNK:
                joined = b"".join(chunk)
                count += joined.count(b"\n")
                yield joined.replace(b"\n", b"")
                chunk, size = [], 0
    joined = b"".join(chunk)
    writer.rows += count + joined.count(b"\n")
    yield joined.replace(b"\n", b"")


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
    header = [label for _key, label in columns]
    if connections[rows.db].vendor != "postgresql":
        return xlsx_download(xlsx_file(header, _value_rows(rows, columns), sheet=sheet,
                                       totals=totals), filename)
    # The rows' numbers follow the header's: the COPY starts once the header is written.
    writer = _sheet_writer(len(header))
    handle = _workbook(writer, header, copy_xlsx_chunks(rows, columns, writer), totals, sheet)
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
