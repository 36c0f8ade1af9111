"""The bank file of a released batch is ISO 20022 pain.001.001.03, valid against its
schema (bundled in ``schemas/``), with the count, control sum, execution date, debit
account and HKD a bank needs."""

import hashlib
from decimal import Decimal
from pathlib import Path
from xml.etree import ElementTree

import pytest
import xmlschema
from django.utils import timezone

from subsidy.finance.models import BankAccount
from subsidy.finance.services.payments import payment_batch_create, payment_batch_release
from subsidy.finance.services.tranches import grant_activate
from tests.builders.finance import approved_payment, make_accepted_grant, releaser

pytestmark = pytest.mark.django_db

SCHEMA = xmlschema.XMLSchema(Path(__file__).parent / "schemas" / "pain.001.001.03.xsd")
NS = {"p": "urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"}


@pytest.fixture
def released(officer, finance_officer, finance_approver, settings):
    settings.FINANCE_DEBTOR_ACCOUNT = "004-999-888777-001"
    payments = []
    for amount, name in [("400000.00", "Kowloon & Sons <AI> Ltd"), ("1000000.00", "九龍AI")]:
        grant = make_accepted_grant(amount=str(Decimal(amount) / Decimal("0.4")))
        BankAccount.objects.filter(organisation=grant.application.organisation).update(
            account_name=name)
        grant_activate(actor=officer, grant=grant)
        payments.append(approved_payment(grant, officer, finance_officer, finance_approver))
    batch = payment_batch_create(actor=finance_officer, payment_ids=[p.pk for p in payments])
    execution = timezone.localdate()
    return payment_batch_release(actor=releaser(), batch=batch, execution_date=execution)


def test_the_bank_file_is_valid_pain_001_001_03(released):
    SCHEMA.validate(released.file_xml.encode())


def test_the_bank_file_carries_count_control_sum_date_debit_account_and_hkd(released):
    root = ElementTree.fromstring(released.file_xml.encode())
    header = root.find("p:CstmrCdtTrfInitn/p:GrpHdr", NS)
    block = root.find("p:CstmrCdtTrfInitn/p:PmtInf", NS)
    amounts = block.findall("p:CdtTrfTxInf/p:Amt/p:InstdAmt", NS)

    assert header.findtext("p:MsgId", namespaces=NS) == released.reference
    assert header.findtext("p:NbOfTxs", namespaces=NS) == "2"
    assert header.findtext("p:CtrlSum", namespaces=NS) == "1400000.00"
    assert block.findtext("p:CtrlSum", namespaces=NS) == "1400000.00"
    assert block.findtext("p:ReqdExctnDt", namespaces=NS) == released.execution_date.isoformat()
    assert block.findtext("p:DbtrAcct/p:Id/p:Othr/p:Id", namespaces=NS) == "004999888777001"
    assert block.findtext("p:DbtrAcct/p:Ccy", namespaces=NS) == "HKD"
    assert {a.get("Ccy") for a in amounts} == {"HKD"}
    assert sorted(a.text for a in amounts) == ["1000000.00", "400000.00"]
    names = [n.text for n in block.findall("p:CdtTrfTxInf/p:Cdtr/p:Nm", NS)]
    assert names == ["Kowloon & Sons <AI> Ltd", "九龍AI"]
    e2e = block.findall("p:CdtTrfTxInf/p:PmtId/p:EndToEndId", NS)
    assert [e.text for e in e2e] == [p.end_to_end_id
                                     for p in released.disbursements.order_by("pk")]


def test_the_file_hash_is_of_the_file_as_kept(released):
    assert hashlib.sha256(released.file_xml.encode()).hexdigest() == released.file_sha256
