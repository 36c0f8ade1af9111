import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from subsidy.finance.models import Disbursement
from subsidy.finance.reports import registers
from subsidy.finance.services.tranches import grant_activate
from tests.builders.finance import batched_payment, make_accepted_grant
from tests.factories import FundingRoundFactory

pytestmark = pytest.mark.django_db


def _batched(count, officer, finance_officer, finance_approver):
    round_ = FundingRoundFactory()
    for _ in range(count):
        grant = make_accepted_grant(round_=round_)
        grant_activate(actor=officer, grant=grant)
        batched_payment(grant, officer, finance_officer, finance_approver)


@pytest.fixture
def three_payments(officer, finance_officer, finance_approver):
    _batched(3, officer, finance_officer, finance_approver)


def _get(client, user, url, **params):
    client.force_login(user)
    return client.get(url, params)


def test_disbursement_register_shows_the_status_label_not_the_code(
        client, finance_officer, three_payments):
    page = _get(client, finance_officer, reverse("finance:disbursement_register"))

    assert "<td>Sent to the bank</td>" in page.text
    assert "<td>batched</td>" not in page.text


def test_disbursement_register_status_label_is_translated(
        client, finance_officer, three_payments):
    finance_officer.language = "zh-hant"
    finance_officer.save()

    with translation.override("zh-hant"):
        label = str(Disbursement.Status.BATCHED.label)

    page = _get(client, finance_officer, reverse("finance:disbursement_register"))

    assert label != "Sent to the bank"
    assert f"<td>{label}</td>" in page.text


def test_commitments_register_shows_the_status_label_not_the_code(
        client, finance_officer, three_payments):
    page = _get(client, finance_officer, reverse("finance:commitments_register"))

    assert "<td>Active</td>" in page.text
    assert "<td>active</td>" not in page.text


def test_register_pages_show_fifty_rows_a_page():
    assert registers.REGISTER_PAGE_SIZE == 50


@pytest.mark.parametrize("name", ["finance:disbursement_register",
                                  "finance:commitments_register"])
def test_register_page_is_paginated_with_previous_and_next_links(
        client, finance_officer, three_payments, monkeypatch, name):
    monkeypatch.setattr(registers, "REGISTER_PAGE_SIZE", 2)
    url = reverse(name)

    first = _get(client, finance_officer, url)
    second = _get(client, finance_officer, url, page=2)

    assert len(first.context["rows"]) == 2
    assert 'rel="next"' in first.text and 'rel="prev"' not in first.text
    assert len(second.context["rows"]) == 1
    assert 'rel="prev"' in second.text and 'rel="next"' not in second.text


def test_disbursement_register_page_links_keep_the_filter(
        client, finance_officer, three_payments, monkeypatch):
    monkeypatch.setattr(registers, "REGISTER_PAGE_SIZE", 2)

    page = _get(client, finance_officer, reverse("finance:disbursement_register"),
                status="batched")

    assert "?status=batched&amp;page=2" in page.text


def test_register_download_keeps_every_row(client, finance_officer, three_payments,
                                           monkeypatch):
    monkeypatch.setattr(registers, "REGISTER_PAGE_SIZE", 2)

    response = _get(client, finance_officer, reverse("finance:disbursement_register"),
                    format="csv")

    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode()
                                       if response.streaming else response.content.decode())))
    assert len(rows) == 1 + 3


def test_register_csv_download_does_not_sum_the_totals_it_does_not_show(
        client, finance_officer, three_payments):
    # The CSV has no totals rows; their grouped query over every row is the workbook's.
    client.force_login(finance_officer)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("finance:disbursement_register"), {"format": "csv"})
        b"".join(response.streaming_content)

    assert not [query["sql"] for query in queries if "SUM(" in query["sql"].upper()]
