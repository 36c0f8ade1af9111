"""On PostgreSQL the registers' workbooks have their rows written by COPY, each cell's XML
formatted in SQL; every cell must read back as the row-by-row writer's, value and format."""

import io

import pytest
from openpyxl import load_workbook

from applicants.models import Organisation
from subsidy.devdata.volume import VolumeSpec, generate_volume
from subsidy.finance.models import Disbursement
from subsidy.finance.reports.registers import (
    COMMITMENT_COLUMNS,
    DISBURSEMENT_COLUMNS,
    commitments_register,
    disbursement_register,
    disbursement_totals_rows,
    register_totals,
)
from subsidy.platform.exports import xlsx_file, xlsx_response

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.postgres,  # the rows come by COPY
]

NAMES = ["=HYPERLINK(\"x\")", "Acme\r\n\tLtd \\ & <Sons>\x07", " 陳記 "]


@pytest.fixture
def volume():
    generate_volume(VolumeSpec(applications=60, criterion_scores=False),
                    progress=lambda _line: None)
    organisations = sorted(set(Disbursement.objects.filter(status="paid").values_list(
        "grant__application__organisation", flat=True)))[:len(NAMES)]
    for organisation, name in zip(organisations, NAMES, strict=True):
        Organisation.objects.filter(pk=organisation).update(name_en=name)


def _cells(content: bytes):
    sheet = load_workbook(io.BytesIO(content)).active
    return sheet, [[(cell.value, cell.number_format if cell.value is not None else None,
                     cell.font.bold) for cell in row] for row in sheet.iter_rows()]


def _both(rows, columns, totals=()):
    keys = [key for key, _label in columns]
    python = xlsx_file([label for _key, label in columns],
                       ([row[key] for key in keys] for row in rows.iterator()),
                       sheet="Register", totals=totals)
    copied = xlsx_response(rows, columns, "register", "Register", totals=totals)
    return _cells(python.read()), _cells(b"".join(copied.streaming_content))


def test_disbursement_register_reads_back_the_same(volume):
    rows = disbursement_register()
    totals = disbursement_totals_rows(register_totals(rows))
    (_sheet, python), (sheet, copied) = _both(rows, DISBURSEMENT_COLUMNS, totals)

    assert copied == python
    assert len(copied) == Disbursement.objects.count() + 1 + len(totals)
    assert sheet.auto_filter.ref == f"A1:N{Disbursement.objects.count() + 1}"
    company = [row[2][0] for row in copied]
    assert "'=HYPERLINK(\"x\")" in company and " 陳記 " in company
    assert "Acme\r\n\tLtd \\ & <Sons>" in company
    amount = copied[0].index(("Amount (HKD)", "General", True))
    assert {row[amount][1] for row in copied[1:]} == {"#,##0.00"}
    assert copied[-1][0][:3:2] == ("Total", True)


def test_commitments_register_reads_back_the_same(volume):
    (_sheet, python), (_copied_sheet, copied) = _both(commitments_register(),
                                                      COMMITMENT_COLUMNS)
    assert copied == python
