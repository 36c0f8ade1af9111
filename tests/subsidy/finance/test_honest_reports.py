"""What the finance reports must not do, seen from the pages and the API where people read
them: add cancelled or unpaid payments to paid ones, add several schemes' envelopes
together, skip empty months, restate a reported month, write UTC or bare LF in a CSV,
hide the status codes or change the API's column names with the language, or hand over
an XLSX that Excel shows as plain General cells."""

import csv
import io
from datetime import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from subsidy.finance.models import Disbursement
from subsidy.finance.services.tranches import grant_activate
from subsidy.scheme.models import Grant
from tests.builders.finance import batched_payment, make_accepted_grant, mark_paid
from tests.factories import FundingRoundFactory, SchemeFactory

pytestmark = pytest.mark.django_db

HK = timezone.get_fixed_timezone(8 * 60)


@pytest.fixture
def round_():
    return FundingRoundFactory(scheme=SchemeFactory(code="aiss"), code="2026R1",
                               envelope=Decimal("100000000.00"))


@pytest.fixture
def paid_and_batched(round_, officer, finance_officer, finance_approver):
    """One payment paid (HK$400,000), one sent to the bank (HK$800,000), same round."""
    payments = []
    for amount in ("1000000.00", "2000000.00"):
        grant = make_accepted_grant(round_=round_, amount=amount)
        grant_activate(actor=officer, grant=grant)
        payment, _batch = batched_payment(grant, officer, finance_officer, finance_approver)
        payments.append(payment)
    mark_paid(payments[0], bank_reference="HSBC-1")
    return payments


def _page(client, user, name, **params):
    client.force_login(user)
    return client.get(reverse(name), params)


def _content(response) -> bytes:
    return (b"".join(response.streaming_content) if response.streaming
            else response.content)


def _csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(_content(response).decode("utf-8-sig"), newline="")))


def test_disbursement_register_total_keeps_unpaid_payments_apart_from_paid_ones(
        client, finance_officer, paid_and_batched):
    page = _page(client, finance_officer, "finance:disbursement_register")

    text = page.content.decode()
    assert "HK$400,000.00 paid" in text
    assert "HK$1,200,000.00" not in text  # paid and unpaid never added together
    by_status = {entry["status"]: entry["total"] for entry in page.context["totals"]["by_status"]}
    assert by_status == {"batched": Decimal("800000.00"), "paid": Decimal("400000.00")}


def test_dashboard_shows_one_scheme_and_burns_down_its_own_envelopes(
        client, finance_officer, round_):
    other = FundingRoundFactory(scheme=SchemeFactory(code="zz-other"),
                                envelope=Decimal("7000000.00"))

    first = _page(client, finance_officer, "finance:dashboard")
    chosen = _page(client, finance_officer, "finance:dashboard", scheme=other.scheme.code)

    assert first.context["s"]["envelopes"] == Decimal("100000000.00")
    assert chosen.context["s"]["envelopes"] == Decimal("7000000.00")
    assert "HK$107,000,000.00" not in first.content.decode()
    assert [r.code for r in chosen.context["s"]["rounds"]] == [other.code]


def test_registers_show_one_scheme(client, finance_officer, paid_and_batched):
    other = make_accepted_grant(round_=FundingRoundFactory(scheme=SchemeFactory(
        code="zz-other")))

    page = _page(client, finance_officer, "finance:commitments_register",
                 scheme="zz-other")

    assert [row["id"] for row in page.context["rows"]] == [other.pk]


def test_dashboard_months_run_without_gaps(client, finance_officer, round_):
    for month in (1, 4):
        grant = make_accepted_grant(round_=round_)
        Grant.objects.filter(pk=grant.pk).update(
            decided_at=datetime(2026, month, 10, 12, tzinfo=HK))

    page = _page(client, finance_officer, "finance:dashboard")

    rows = page.context["by_month"]
    assert [row["month"].month for row in rows] == [1, 2, 3, 4]
    assert rows[1]["committed"] == rows[2]["committed"] == Decimal("0.00")


def test_forecast_chart_shows_every_month_with_a_bar_of_zero(
        client, finance_officer, round_, officer):
    grant = make_accepted_grant(round_=round_, shares=("50", "50"))
    grant_activate(actor=officer, grant=grant)
    grant.tranches.filter(number=2).update(due_date=grant.tranches.get(number=1).due_date
                                           .replace(month=4))
    grant.tranches.filter(number=1).update(due_date=grant.tranches.get(number=1).due_date
                                           .replace(month=1))

    page = _page(client, finance_officer, "finance:dashboard")

    assert [row["month"].month for row in page.context["forecast"]] == [1, 2, 3, 4]
    assert page.content.decode().count('class="chart-bar"') == 4


def test_lapsed_offer_does_not_restate_the_month_it_was_committed(
        client, finance_officer, round_):
    grant = make_accepted_grant(round_=round_, amount="600000.00")
    Grant.objects.filter(pk=grant.pk).update(
        decided_at=datetime(2026, 1, 10, 12, tzinfo=HK))
    january = _page(client, finance_officer, "finance:dashboard").context["by_month"][0]

    Grant.objects.filter(pk=grant.pk).update(
        status=Grant.Status.LAPSED, responded_at=datetime(2026, 3, 1, 9, tzinfo=HK))
    rows = _page(client, finance_officer, "finance:dashboard").context["by_month"]

    assert rows[0] == january
    assert rows[0]["committed"] == Decimal("600000.00")
    assert rows[2]["released"] == Decimal("600000.00") and rows[2]["net"] == Decimal(
        "-600000.00")


def test_register_csv_rows_end_with_crlf_and_times_carry_hong_kong_offset(
        client, finance_officer, paid_and_batched):
    response = _page(client, finance_officer, "finance:disbursement_register", format="csv")

    body = _content(response)
    assert body.count(b"\r\n") == 3 and body.count(b"\n") == 3
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))
    prepared = rows[0].index("Prepared")
    assert all(row[prepared].endswith("+08:00") for row in rows[1:])


def test_register_csv_keeps_the_label_and_the_code_in_their_own_columns(
        client, finance_officer, paid_and_batched):
    rows = _csv(_page(client, finance_officer, "finance:disbursement_register",
                      format="csv"))

    header = rows[0]
    statuses = {(row[header.index("Status")], row[header.index("Status code")])
                for row in rows[1:]}
    assert statuses == {("Paid", "paid"), ("Sent to the bank", "batched")}

    commitments = _csv(_page(client, finance_officer, "finance:commitments_register",
                             format="csv"))
    header = commitments[0]
    assert commitments[1][header.index("Category")] == "Natural language processing"
    assert commitments[1][header.index("Category code")] == "nlp"


def test_register_xlsx_is_formatted_for_a_controller(
        client, finance_officer, paid_and_batched):
    response = _page(client, finance_officer, "finance:disbursement_register",
                     format="xlsx")

    sheet = load_workbook(io.BytesIO(_content(response))).active
    header = [cell.value for cell in sheet[1]]
    amount, prepared = header.index("Amount (HKD)") + 1, header.index("Prepared") + 1
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:{sheet.cell(1, len(header)).column_letter}3"
    assert all(cell.font.bold for cell in sheet[1])
    assert sheet.cell(2, amount).number_format == "#,##0.00"
    assert sheet.cell(2, header.index("Bank reference") + 1).number_format == "@"
    assert sheet.cell(2, prepared).number_format.endswith('"+08:00"')
    totals = {sheet.cell(row, header.index("Status code") + 1).value:
              sheet.cell(row, amount).value for row in (4, 5)}
    assert totals == {"batched": 800000, "paid": 400000}
    assert sheet.cell(4, 1).font.bold and sheet.cell(4, 1).value == "Total"


def test_bank_file_xlsx_keeps_the_account_number_as_text(
        client, finance_officer, paid_and_batched):
    payment = Disbursement.objects.get(status="batched")
    client.force_login(finance_officer)

    response = client.get(reverse("finance:batch", args=[payment.batch_id]),
                          {"format": "xlsx"})

    sheet = load_workbook(io.BytesIO(_content(response))).active
    header = [cell.value for cell in sheet[1]]
    cell = sheet.cell(2, header.index("Account number") + 1)
    assert cell.value == "004-123-456789-001" and cell.number_format == "@"

