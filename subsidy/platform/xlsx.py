"""An XLSX workbook of one sheet, its XML written straight into the zip as the rows come.

Every download's workbook is written here (through ``subsidy.platform.exports.xlsx_file``).
A general spreadsheet library spends tens of microseconds on each cell (a cell object,
its style, an XML element serialised); a register of 200,000 payments has almost three
million. This writer formats each cell as one string by the value's kind, so it keeps up
with the database, and it holds one row at a time: memory stays flat however many rows.

The sheet: text as inline strings (never a formula), numbers and amounts as numbers,
dates and times as Excel serial numbers with a date format; a bold header row frozen
above an autofilter over the data, and bold totals rows below it. Styles are allocated as
the cells ask for them and written after the sheet.
"""

import re
import zipfile
from datetime import date, datetime, timedelta
from decimal import Decimal
from xml.sax.saxutils import escape, quoteattr

# Excel's own numbers for the formats it knows: a workbook read back (or opened in Excel)
# shows these strings.
BUILTIN_FORMATS = {"General": 0, "0": 1, "0.00": 2, "#,##0": 3, "#,##0.00": 4, "@": 49}
FIRST_CUSTOM_FORMAT = 164
EXCEL_EPOCH_DATE = date(1899, 12, 30)  # Excel's serial day 0
UNIX_EPOCH = datetime(1970, 1, 1)  # noqa: DTZ001 - a naive local time is what Excel shows
EXCEL_DAY_OF_1970 = (UNIX_EPOCH.date() - EXCEL_EPOCH_DATE).days
SECOND = timedelta(seconds=1)


def excel_serial(value: datetime) -> float:
    """A naive time as Excel's serial number of days; computed in the same float steps as
    PostgreSQL's ``date_part('epoch', …) / 86400.0 + 25569.0``, so both agree to the bit."""
    return (value - UNIX_EPOCH) / SECOND / 86400.0 + EXCEL_DAY_OF_1970

# Characters that XML 1.0 cannot carry at all, and those that must be escaped.
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_SPECIAL = re.compile(r"[&<>\r\x00-\x08\x0b\x0c\x0e-\x1f]")
# A carriage return written as itself would be read back as a line feed.
_ENTITIES = {"\r": "&#13;"}
# A sheet's name may not hold these (Excel refuses the workbook).
_SHEET_NAME_REFUSED = re.compile(r"[\[\]:*?/\\]")

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PACKAGE_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'

CONTENT_TYPES = (
    _DECLARATION
    + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.styles+xml"/></Types>')
PACKAGE_RELS = (
    _DECLARATION + f'<Relationships xmlns="{_PACKAGE_REL}"><Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'officeDocument" Target="xl/workbook.xml"/></Relationships>')
WORKBOOK_RELS = (
    _DECLARATION + f'<Relationships xmlns="{_PACKAGE_REL}">'
    f'<Relationship Id="rId1" Type="{_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{_REL}/styles" Target="styles.xml"/></Relationships>')
SHEET_START = (
    _DECLARATION + f'<worksheet xmlns="{_MAIN}" xmlns:r="{_REL}"><sheetViews>'
    '<sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft"'
    ' state="frozen"/><selection pane="bottomLeft" activeCell="A2" sqref="A2"/>'
    '</sheetView></sheetViews><sheetFormatPr defaultRowHeight="15"/><sheetData>')

# Rows are written to the zip in pieces of about this many characters.
CHUNK = 256 * 1024


def column_letter(index: int) -> str:
    """The letters of the column at ``index`` (0 is A)."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def sheet_name(name: str) -> str:
    return _SHEET_NAME_REFUSED.sub("_", str(name))[:31] or "Sheet1"


def _text(value: str) -> str:
    if _SPECIAL.search(value):
        value = escape(_ILLEGAL.sub("", value), _ENTITIES)
    return f'<is><t xml:space="preserve">{value}</t></is>'


class Styles:
    """The cell formats a sheet uses, each a (number format, bold) pair, numbered as they
    are first asked for; style 0 is Excel's default."""

    def __init__(self):
        self.index = {("General", False): 0}
        self.custom = {}

    def __call__(self, number_format: str | None, bold: bool = False) -> int:
        key = (number_format or "General", bold)
        found = self.index.get(key)
        if found is None:
            found = self.index[key] = len(self.index)
            if key[0] not in BUILTIN_FORMATS and key[0] not in self.custom:
                self.custom[key[0]] = FIRST_CUSTOM_FORMAT + len(self.custom)
        return found

    def xml(self) -> str:
        formats = "".join(f'<numFmt numFmtId="{number}" formatCode={quoteattr(code)}/>'
                          for code, number in self.custom.items())
        cells = []
        for (code, bold), _number in sorted(self.index.items(), key=lambda item: item[1]):
            number = BUILTIN_FORMATS.get(code) or self.custom.get(code, 0)
            cells.append(f'<xf numFmtId="{number}" fontId="{int(bold)}" fillId="0" '
                         f'borderId="0" xfId="0" applyNumberFormat="{int(number > 0)}" '
                         f'applyFont="{int(bold)}"/>')
        font = '<sz val="11"/><name val="Calibri"/><family val="2"/>'
        return (_DECLARATION + f'<styleSheet xmlns="{_MAIN}">'
                + (f'<numFmts count="{len(self.custom)}">{formats}</numFmts>' if formats else "")
                + f'<fonts count="2"><font>{font}</font><font><b/>{font}</font></fonts>'
                '<fills count="2"><fill><patternFill patternType="none"/></fill>'
                '<fill><patternFill patternType="gray125"/></fill></fills>'
                '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/>'
                '</border></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" '
                f'fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="{len(cells)}">'
                + "".join(cells) + '</cellXfs><cellStyles count="1"><cellStyle name="Normal" '
                'xfId="0" builtinId="0"/></cellStyles></styleSheet>')


def _no_format(_index, _value):
    return None


class SheetWriter:
    """Cells of one sheet as XML. ``format_of(index, value)`` names a cell's number format
    (or None); ``local(value)`` turns an aware time into the naive local time Excel shows;
    ``guard(text)`` is the text a spreadsheet shows for ``text``."""

    def __init__(self, width: int, format_of, local, guard):
        self.letters = [column_letter(index) for index in range(width)]
        self.styles = Styles()
        self.format_of, self.local, self.guard = format_of, local, guard
        self.rows = 0

    def row(self, values, *, bold: bool = False, plain: bool = False) -> str:
        """One row's XML; ``plain``: no number formats (the header)."""
        self.rows += 1
        number = self.rows
        cells = []
        append = cells.append
        style_of, guard = self.styles, self.guard
        format_of = _no_format if plain else self.format_of
        for index, value in enumerate(values):
            if value is None:
                continue
            kind = type(value)
            style = style_of(format_of(index, value), bold)
            where = f'{self.letters[index]}{number}" s="{style}'
            if kind is str:
                if value:
                    append(f'<c r="{where}" t="inlineStr">{_text(guard(value))}</c>')
                else:  # an empty cell, in the text format
                    append(f'<c r="{where}"/>')
            elif kind is Decimal or kind is int or kind is float:
                append(f'<c r="{where}"><v>{value}</v></c>')
            elif kind is bool:
                append(f'<c r="{where}" t="b"><v>{int(value)}</v></c>')
            elif isinstance(value, datetime):
                if value.tzinfo is not None:
                    value = self.local(value)
                append(f'<c r="{where}"><v>{excel_serial(value)!r}</v></c>')
            elif isinstance(value, date):
                append(f'<c r="{where}"><v>{(value - EXCEL_EPOCH_DATE).days}</v></c>')
            else:
                append(f'<c r="{where}" t="inlineStr">{_text(guard(str(value)))}</c>')
        return f'<row r="{number}">{"".join(cells)}</row>'


def row_chunks(writer: SheetWriter, rows):
    """The XML of ``rows`` (each a sequence of values) in pieces of about ``CHUNK``."""
    pieces, size = [], 0
    for row in rows:
        piece = writer.row(row)
        pieces.append(piece)
        size += len(piece)
        if size >= CHUNK:
            yield "".join(pieces).encode()
            pieces, size = [], 0
    yield "".join(pieces).encode()


def write_workbook(handle, writer: SheetWriter, header, chunks, totals, *, sheet: str) -> None:
    """Write the workbook into the open binary file ``handle``: the bold ``header``, the
    data rows (``chunks`` of their XML, from ``row_chunks`` or from the database, counted
    in ``writer.rows``) under an autofilter, and ``totals`` in bold below them."""
    name = sheet_name(sheet)
    last = column_letter(max(len(header) - 1, 0))
    with zipfile.ZipFile(handle, "w", compression=zipfile.ZIP_DEFLATED,
                         compresslevel=1) as archive:
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as part:
            part.write((SHEET_START + writer.row([str(label) for label in header], bold=True,
                                                 plain=True)).encode())
            for chunk in chunks:
                part.write(chunk)
            data_end = writer.rows
            part.write(("".join(writer.row(row, bold=True) for row in totals)
                        + f'</sheetData><autoFilter ref="A1:{last}{data_end}"/></worksheet>'
                        ).encode())
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", PACKAGE_RELS)
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        archive.writestr("xl/workbook.xml", (
            _DECLARATION + f'<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><bookViews>'
            '<workbookView/></bookViews><sheets>'
            f'<sheet name={quoteattr(name)} sheetId="1" r:id="rId1"/></sheets><definedNames>'
            '<definedName name="_xlnm._FilterDatabase" localSheetId="0" hidden="1">'
            + escape("'" + name.replace("'", "''") + "'")
            + f"!$A$1:${last}${data_end}</definedName></definedNames></workbook>"))
        archive.writestr("xl/styles.xml", writer.styles.xml())
