"""On PostgreSQL the register downloads are written by COPY with the cells formatted in
SQL; they must read back exactly as the row-by-row writer's."""

import csv
import io

import pytest

from applicants.models import Organisation
from subsidy.devdata.volume import VolumeSpec, generate_volume
from subsidy.finance.models import Disbursement
from subsidy.finance.reports.registers import (
    COMMITMENT_COLUMNS,
    DISBURSEMENT_COLUMNS,
    commitments_register,
    disbursement_register,
)
from subsidy.platform.exports import copy_csv_rows, csv_rows

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.postgres,  # the rows come by COPY
]


def _read(chunks) -> list[list[str]]:
    text = "".join(c.decode() if isinstance(c, bytes) else c for c in chunks)
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:], newline="")))


@pytest.fixture
def volume():
    generate_volume(VolumeSpec(applications=60, criterion_scores=False),
                    progress=lambda _line: None)
    paid = Disbursement.objects.filter(status="paid").select_related(
        "grant__application__organisation").first()
    organisation = paid.grant.application.organisation
    Organisation.objects.filter(pk=organisation.pk).update(name_en="=HYPERLINK(\"x\")")
    other = Disbursement.objects.filter(status="paid").exclude(
        grant__application__organisation=organisation).select_related(
        "grant__application__organisation").first()
    Organisation.objects.filter(pk=other.grant.application.organisation_id).update(
        name_en=CARRIAGE_RETURN_NAME)


# A carriage return inside a cell must not end the row (and so start a new row with a
# formula the leading-quote guard never saw).
CARRIAGE_RETURN_NAME = "Acme Ltd\r=cmd|' /C calc'!A0"


def test_disbursement_register_reads_back_the_same(volume):
    rows = disbursement_register()
    python = _read(csv_rows(rows, DISBURSEMENT_COLUMNS))
    copied = _read(copy_csv_rows(rows, DISBURSEMENT_COLUMNS))

    assert copied == python
    assert len(copied) == Disbursement.objects.count() + 1
    assert any(row[2].startswith("'=HYPERLINK") for row in copied)
    assert any(row[2] == CARRIAGE_RETURN_NAME for row in copied)
    status = copied[0].index("Status code")
    assert {row[status] for row in copied[1:]} >= {"paid", "prepared", "cancelled"}


def test_commitments_register_reads_back_the_same(volume):
    rows = commitments_register()
    assert _read(copy_csv_rows(rows, COMMITMENT_COLUMNS)) == _read(
        csv_rows(rows, COMMITMENT_COLUMNS))

