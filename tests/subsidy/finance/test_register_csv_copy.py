"""On PostgreSQL the register downloads are written by COPY with the cells formatted in
SQL; they must read back exactly as the row-by-row writer's."""

import csv
import io
from datetime import UTC, datetime

import pytest
from django.db import connection

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



def _text(chunks) -> str:
    return "".join(c.decode() if isinstance(c, bytes) else c for c in chunks)


# Times as JSON writes them in every shape: whole seconds, six digits, a fraction with
# trailing zeros (which JSON trims and Python keeps), one digit, before 1904 (an offset
# with seconds, +07:36:42, with a fraction whose text is as long as six digits'), the
# occupation's +09:00, and none.
TIMES = [
    datetime(2027, 3, 1, 16, 30, tzinfo=UTC),
    datetime(2027, 3, 1, 16, 30, 5, 123456, tzinfo=UTC),
    datetime(2027, 3, 1, 16, 30, 5, 120000, tzinfo=UTC),
    datetime(2027, 3, 1, 16, 30, 5, 500000, tzinfo=UTC),
    datetime(1900, 1, 1, 0, 0, 1, 123000, tzinfo=UTC),
    datetime(1900, 1, 1, 0, 0, 1, tzinfo=UTC),
    datetime(1943, 6, 1, 12, 0, tzinfo=UTC),
    None,
]


def test_every_shape_of_time_and_a_line_end_in_a_cell_are_written_as_python_writes_them(
        volume):
    payments = list(Disbursement.objects.order_by("id")[:len(TIMES)])
    for payment, at in zip(payments, TIMES, strict=True):
        Disbursement.objects.filter(pk=payment.pk).update(approved_at=at)
    Disbursement.objects.filter(pk=payments[0].pk).update(bank_reference="line\nend \"q\"")
    rows = disbursement_register()

    copied = _text(copy_csv_rows(rows, DISBURSEMENT_COLUMNS))

    assert copied == _text(csv_rows(rows, DISBURSEMENT_COLUMNS))
    assert "2027-03-02T00:30:05.120000+08:00" in copied
    assert "1900-01-01T07:36:43.123000+07:36:42" in copied
    assert '"line\nend ""q"""\r\n' in copied


def test_the_export_leaves_the_connections_time_zone_as_it_was(volume):
    with connection.cursor() as cursor:
        cursor.execute("SHOW TimeZone")
        before = cursor.fetchone()[0]
        _text(copy_csv_rows(disbursement_register(), DISBURSEMENT_COLUMNS))
        cursor.execute("SHOW TimeZone")
        assert cursor.fetchone()[0] == before
