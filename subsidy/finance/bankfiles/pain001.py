"""The ISO 20022 customer credit transfer initiation (``pain.001.001.03``) of a batch: one
group header with the count and control sum, one payment information block with the
requested execution date and the scheme's debit account in HKD, and one credit transfer per
payment, identified by its end-to-end id. The tests validate it against the schema."""

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from xml.etree import ElementTree

NAMESPACE = "urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"
CURRENCY = "HKD"


@dataclass(frozen=True)
class Transfer:
    end_to_end_id: str
    amount: Decimal
    payee_name: str
    bank_name: str
    account_number: str
    remittance: str


@dataclass(frozen=True)
class Debtor:
    name: str
    account: str
    bic: str


def _text(value: str, limit: int) -> str:
    # The schema's Max70Text/Max140Text: no control characters, at most ``limit`` long.
    return re.sub(r"[\x00-\x1f\x7f]", " ", value or "").strip()[:limit] or "-"


def _account_id(number: str) -> str:
    return re.sub(r"[^0-9A-Za-z]", "", number)[:34]


def _sub(parent, tag: str, text: str | None = None, **attributes):
    element = ElementTree.SubElement(parent, tag, attributes)
    if text is not None:
        element.text = text
    return element


def _account(parent, tag: str, number: str, currency: bool = False):
    account = _sub(parent, tag)
    _sub(_sub(_sub(account, "Id"), "Othr"), "Id", _account_id(number))
    if currency:
        _sub(account, "Ccy", CURRENCY)


def pain001_build(*, message_id: str, created_at: datetime, execution_date: date,
                  debtor: Debtor, transfers: list[Transfer]) -> str:
    """The file as text (UTF-8 XML); the same input always gives the same bytes."""
    total = sum((t.amount for t in transfers), Decimal("0.00"))
    count = str(len(transfers))
    document = ElementTree.Element("Document", {"xmlns": NAMESPACE})
    initiation = _sub(document, "CstmrCdtTrfInitn")
    header = _sub(initiation, "GrpHdr")
    _sub(header, "MsgId", _text(message_id, 35))
    _sub(header, "CreDtTm", created_at.isoformat(timespec="seconds"))
    _sub(header, "NbOfTxs", count)
    _sub(header, "CtrlSum", f"{total:.2f}")
    _sub(_sub(header, "InitgPty"), "Nm", _text(debtor.name, 140))
    block = _sub(initiation, "PmtInf")
    _sub(block, "PmtInfId", _text(message_id, 35))
    _sub(block, "PmtMtd", "TRF")
    _sub(block, "BtchBookg", "true")
    _sub(block, "NbOfTxs", count)
    _sub(block, "CtrlSum", f"{total:.2f}")
    _sub(block, "ReqdExctnDt", execution_date.isoformat())
    _sub(_sub(block, "Dbtr"), "Nm", _text(debtor.name, 140))
    _account(block, "DbtrAcct", debtor.account, currency=True)
    agent = _sub(_sub(block, "DbtrAgt"), "FinInstnId")
    if debtor.bic:
        _sub(agent, "BIC", debtor.bic)
    for transfer in transfers:
        item = _sub(block, "CdtTrfTxInf")
        _sub(_sub(item, "PmtId"), "EndToEndId", _text(transfer.end_to_end_id, 35))
        _sub(_sub(item, "Amt"), "InstdAmt", f"{transfer.amount:.2f}", Ccy=CURRENCY)
        _sub(_sub(_sub(item, "CdtrAgt"), "FinInstnId"), "Nm", _text(transfer.bank_name, 140))
        _sub(_sub(item, "Cdtr"), "Nm", _text(transfer.payee_name, 140))
        _account(item, "CdtrAcct", transfer.account_number)
        _sub(_sub(item, "RmtInf"), "Ustrd", _text(transfer.remittance, 140))
    ElementTree.indent(document)
    body = ElementTree.tostring(document, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"
