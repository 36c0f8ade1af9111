"""The workbook writer (``subsidy.platform.xlsx``, behind every XLSX download): each value
read back by a spreadsheet library as the value it was, in the format it was given."""

import io
from datetime import UTC, date, datetime
from decimal import Decimal

from openpyxl import load_workbook

from subsidy.platform.exports import xlsx_file

HEADER = ["Payment", "Company", "Amount (HKD)", "Approved", "Value date", "Paid"]


def _sheet(rows, **options):
    handle = xlsx_file(HEADER, rows, sheet=options.pop("sheet", "Disbursements"), **options)
    return load_workbook(io.BytesIO(handle.read())).active


def test_each_kind_of_value_reads_back_as_itself_with_its_format():
    approved = datetime(2027, 3, 1, 16, 30, 15, tzinfo=UTC)
    sheet = _sheet([[7, "Acme Ltd", Decimal("1234567.89"), approved, date(2027, 3, 4), True]])

    cells = sheet[2]
    assert [cell.value for cell in cells] == [
        7, "Acme Ltd", 1234567.89, datetime(2027, 3, 2, 0, 30, 15), datetime(2027, 3, 4), True]
    assert [cell.number_format for cell in cells] == [
        "General", "@", "#,##0.00", 'yyyy-mm-dd hh:mm:ss "+08:00"', "yyyy-mm-dd", "General"]
    assert not any(cell.font.bold for cell in cells)
    assert all(cell.font.bold for cell in sheet[1])
    assert [cell.value for cell in sheet[1]] == HEADER


def test_text_stays_text_whatever_it_holds():
    names = ["=SUM(A1:A9)", "\t=1+1", "004-123", "A & B <Ltd>", " padded ", "bell\x07 rings",
             "陳大文有限公司"]
    sheet = _sheet([[index, name] for index, name in enumerate(names)])

    assert [sheet.cell(row, 2).value for row in range(2, 2 + len(names))] == [
        "'=SUM(A1:A9)", "'\t=1+1", "004-123", "A & B <Ltd>", " padded ", "bell rings",
        "陳大文有限公司"]
    assert all(sheet.cell(row, 2).data_type == "s" for row in range(2, 2 + len(names)))


def test_empty_cells_leave_their_column_to_the_next_value():
    sheet = _sheet([[1, None, None, None, None, False]])
    assert [cell.value for cell in sheet[2]] == [1, None, None, None, None, False]


def test_header_frozen_filter_over_the_data_and_totals_in_bold_below():
    rows = [[1, "A", Decimal("10.00")], [2, "B", Decimal("20.50")]]
    sheet = _sheet(rows, totals=[["Total", None, Decimal("30.50")]],
                   number_formats={2: "0.00"}, sheet="Round: 2027/1 [a]")

    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:F3"
    assert sheet.title == "Round_ 2027_1 _a_"
    assert sheet.cell(4, 1).value == "Total" and sheet.cell(4, 1).font.bold
    assert sheet.cell(4, 3).value == 30.5 and sheet.cell(4, 3).number_format == "0.00"
    assert sheet.max_row == 4


def test_a_workbook_with_no_rows_has_its_header():
    sheet = _sheet([])
    assert [cell.value for cell in sheet[1]] == HEADER and sheet.max_row == 1

