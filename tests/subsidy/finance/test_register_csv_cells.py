"""The row-by-row CSV writer (every database but PostgreSQL, which uses COPY) keeps each
value in its own cell, whatever characters it holds."""

import csv
import io
from datetime import UTC, datetime

from subsidy.platform.exports import csv_rows

COLUMNS = [("id", "ID"), ("organisation", "Organisation")]


class _Rows(list):
    """A register's rows as the writer reads them."""

    def iterator(self, chunk_size):
        return iter(self)


def _read(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline="")))


def test_a_carriage_return_stays_inside_its_cell():
    # Unquoted, a spreadsheet would end the row at the carriage return and read the rest,
    # a formula the leading-quote guard never saw, as the first cell of a new row.
    name = "Acme Ltd\r=cmd|' /C calc'!A0"
    text = "".join(csv_rows(_Rows([{"id": 1, "organisation": name},
                                   {"id": 2, "organisation": "Beta"}]), COLUMNS))
    assert _read(text) == [["ID", "Organisation"], ["1", name], ["2", "Beta"]]


def test_a_formula_at_the_start_of_a_cell_is_quoted_as_text():
    text = "".join(csv_rows(_Rows([{"id": 1, "organisation": "=SUM(A1:A9)"}]), COLUMNS))
    assert _read(text)[1] == ["1", "'=SUM(A1:A9)"]


def test_a_tab_or_carriage_return_before_a_formula_is_quoted_as_text():
    text = "".join(csv_rows(_Rows([{"id": 1, "organisation": "\t=1+1"},
                                   {"id": 2, "organisation": "\r=1+1"}]), COLUMNS))
    assert [row[1] for row in _read(text)[1:]] == ["'\t=1+1", "'\r=1+1"]


def test_times_are_written_in_hong_kong_time():
    columns = [("id", "ID"), ("approved_at", "Approved")]
    at = datetime(2027, 3, 1, 16, 30, tzinfo=UTC)
    text = "".join(csv_rows(_Rows([{"id": 1, "approved_at": at}]), columns))
    assert _read(text)[1] == ["1", "2027-03-02T00:30:00+08:00"]
