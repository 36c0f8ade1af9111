"""Bank statements (camt.053 and CSV) imported from the statements page settle the
payments they name; what does not match is listed as an exception; a malformed statement
changes nothing and names its bad lines."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from subsidy.finance.bankfiles.records import BankStatement, BankStatementEntry
from subsidy.finance.models import Disbursement
from subsidy.finance.services.tranches import grant_activate
from tests.builders.finance import batched_payment, make_accepted_grant, settler

pytestmark = pytest.mark.django_db

S = Disbursement.Status
HEADER = "end_to_end_id,bank_reference,amount,value_date,status,reason\r\n"


def camt053(entries: list[dict], statement_id="STMT-2026-12-03") -> bytes:
    """A camt.053.001.02 statement with one entry per dict (e2e, ref, amount, date,
    direction, return_code)."""
    body = []
    for e in entries:
        returned = (f"<RtrInf><Rsn><Cd>{e['return_code']}</Cd></Rsn>"
                    f"<AddtlInf>Account closed</AddtlInf></RtrInf>"
                    if e.get("return_code") else "")
        body.append(
            f"<Ntry><Amt Ccy=\"{e.get('currency', 'HKD')}\">{e['amount']}</Amt>"
            f"<CdtDbtInd>{e.get('direction', 'DBIT')}</CdtDbtInd><Sts>BOOK</Sts>"
            f"<BookgDt><Dt>{e['date']}</Dt></BookgDt><ValDt><Dt>{e['date']}</Dt></ValDt>"
            f"<BkTxCd/><NtryDtls><TxDtls><Refs><AcctSvcrRef>{e['ref']}</AcctSvcrRef>"
            f"<EndToEndId>{e['e2e']}</EndToEndId></Refs>{returned}</TxDtls></NtryDtls></Ntry>")
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt>'
        '<GrpHdr><MsgId>M1</MsgId><CreDtTm>2026-12-03T18:00:00+08:00</CreDtTm></GrpHdr>'
        f'<Stmt><Id>{statement_id}</Id><Acct><Id><Othr><Id>004999888777001</Id></Othr></Id>'
        f'</Acct>{"".join(body)}</Stmt></BkToCstmrStmt></Document>').encode()


@pytest.fixture
def two_payments(officer, finance_officer, finance_approver):
    payments = []
    for _ in range(2):
        grant = make_accepted_grant()
        grant_activate(actor=officer, grant=grant)
        payments.append(batched_payment(grant, officer, finance_officer,
                                        finance_approver)[0])
    return payments


def _import(client, content: bytes, name="statement.xml"):
    client.force_login(settler())
    return client.post(reverse("finance:statements"),
                       {"file": SimpleUploadedFile(name, content)}, follow=True)


def test_a_camt053_statement_marks_payments_paid_and_failed(client, two_payments):
    paid, failed = two_payments
    today = timezone.localdate().isoformat()

    response = _import(client, camt053([
        {"e2e": paid.end_to_end_id, "ref": "HSBC-777", "amount": "400000.00", "date": today},
        {"e2e": failed.end_to_end_id, "ref": "HSBC-778", "amount": "400000.00",
         "date": today, "direction": "CRDT", "return_code": "AC04"},
    ]))

    assert response.status_code == 200
    paid.refresh_from_db()
    failed.refresh_from_db()
    assert (paid.status, paid.bank_reference, paid.value_date) == (
        S.PAID, "HSBC-777", timezone.localdate())
    assert failed.status == S.FAILED and "AC04" in failed.failure_reason
    statement = BankStatement.objects.get()
    assert paid.outcomes.get().statement == statement
    assert set(statement.entries.values_list("result", flat=True)) == {"matched"}


def test_entries_that_match_no_payment_go_to_the_exceptions_list(client, two_payments):
    payment = two_payments[0]
    today = timezone.localdate().isoformat()
    _import(client, camt053([
        {"e2e": "AISS-PAY-9999999999", "ref": "HSBC-1", "amount": "5.00", "date": today},
        {"e2e": payment.end_to_end_id, "ref": "HSBC-2", "amount": "399999.99",
         "date": today},
    ]))

    page = client.get(reverse("finance:statement_exceptions")).content.decode()

    assert "AISS-PAY-9999999999" in page and "No such payment" in page
    assert "Amount differs" in page
    assert Disbursement.objects.get(pk=payment.pk).status == S.BATCHED


def test_a_csv_statement_settles_payments_by_end_to_end_id(client, two_payments):
    paid, failed = two_payments
    today = timezone.localdate().isoformat()
    content = (HEADER + f"{paid.end_to_end_id},BOC-1,400000.00,{today},paid,\r\n"
               f"{failed.end_to_end_id},,400000.00,{today},failed,Name mismatch\r\n")

    _import(client, content.encode(), name="statement.csv")

    assert Disbursement.objects.get(pk=paid.pk).status == S.PAID
    assert Disbursement.objects.get(pk=failed.pk).status == S.FAILED


def test_a_malformed_statement_changes_nothing_and_names_its_bad_lines(client, two_payments):
    paid = two_payments[0]
    today = timezone.localdate().isoformat()
    content = (HEADER + f"{paid.end_to_end_id},BOC-1,400000.00,{today},paid,\r\n"
               f"{paid.end_to_end_id},BOC-2,four hundred,{today},paid,\r\n"
               f",,1.00,yesterday,lost,\r\n")

    response = _import(client, content.encode(), name="statement.csv")

    page = response.content.decode()
    assert response.status_code == 400
    assert "Line 3" in page and "four hundred" in page
    assert "Line 4" in page and "yesterday" in page and "lost" in page
    assert "Line 2" not in page
    assert Disbursement.objects.get(pk=paid.pk).status == S.BATCHED
    assert not BankStatement.objects.exists()


def test_a_camt053_entry_without_an_amount_refuses_the_statement(client, two_payments):
    today = timezone.localdate().isoformat()

    response = _import(client, camt053([
        {"e2e": two_payments[0].end_to_end_id, "ref": "R1", "amount": "400000.00",
         "date": today},
        {"e2e": two_payments[1].end_to_end_id, "ref": "R2", "amount": "", "date": today,
         "currency": "USD"},
    ]))

    page = response.content.decode()
    assert "Entry 2" in page and "USD" in page
    assert not Disbursement.objects.filter(status=S.PAID).exists()


def test_xml_with_entity_expansion_is_refused(client, two_payments):
    bomb = (b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaa">]>'
            b"<Document>&a;</Document>")

    response = _import(client, bomb)

    assert response.status_code == 400
    assert not BankStatement.objects.exists()


def test_the_same_statement_cannot_be_imported_twice(client, two_payments):
    today = timezone.localdate().isoformat()
    content = camt053([{"e2e": two_payments[0].end_to_end_id, "ref": "R1",
                        "amount": "400000.00", "date": today}])
    _import(client, content)

    response = _import(client, content)

    assert "imported already" in response.content.decode()
    assert BankStatement.objects.count() == 1


def test_a_second_statement_naming_a_paid_payment_records_it_as_already_paid(
        client, two_payments):
    payment = two_payments[0]
    today = timezone.localdate().isoformat()
    line = {"e2e": payment.end_to_end_id, "ref": "R1", "amount": "400000.00", "date": today}
    _import(client, camt053([line], statement_id="A"))

    _import(client, camt053([line], statement_id="B"))

    assert list(BankStatementEntry.objects.order_by("statement_id")
                .values_list("result", flat=True)) == ["matched", "already"]
    assert payment.outcomes.count() == 1


@pytest.mark.parametrize("name", ["finance:statements", "finance:statement_exceptions"])
def test_statement_pages_ask_the_same_number_of_queries_for_few_or_many_rows(
        client, two_payments, name, django_assert_num_queries):
    today = timezone.localdate().isoformat()

    def statements(count, start):
        for n in range(start, start + count):
            _import(client, camt053([{"e2e": f"AISS-PAY-{n:010d}9", "ref": f"X{n}",
                                      "amount": "1.00", "date": today}],
                                    statement_id=f"S{n}"))

    statements(2, 0)
    with django_assert_num_queries(QUERIES[name]):
        assert client.get(reverse(name)).status_code == 200
    statements(8, 2)
    with django_assert_num_queries(QUERIES[name]):
        assert client.get(reverse(name)).status_code == 200


QUERIES = {"finance:statements": 5, "finance:statement_exceptions": 5}
