"""Bank statements read back from the bank: ISO 20022 ``camt.053`` (any version of the
``BkToCstmrStmt`` message) and a CSV layout for banks that send spreadsheets. Reading is
all or nothing: a statement with one bad entry or line is refused whole, with every bad
entry or line named, and nothing is applied.

The CSV layout has a header row and these columns (``reason`` only for a failure):
``end_to_end_id,bank_reference,amount,value_date,status,reason``, where ``status`` is
``paid``, ``failed`` or ``returned`` and ``value_date`` is YYYY-MM-DD.
"""

import csv
import io
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException
from django.utils.translation import gettext as _

CSV_COLUMNS = ["end_to_end_id", "bank_reference", "amount", "value_date", "status", "reason"]
KINDS = ("paid", "failed", "returned")


@dataclass(frozen=True)
class StatementLine:
    line: int  # the CSV line number, or the entry's position in the camt.053 file
    end_to_end_id: str
    bank_reference: str
    amount: Decimal
    value_date: date | None
    kind: str  # paid, failed or returned
    reason: str


@dataclass(frozen=True)
class Statement:
    statement_id: str
    lines: list[StatementLine]


class StatementError(ValueError):
    """The statement cannot be read; ``problems`` names each bad line or entry."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


def _amount(text: str | None) -> Decimal | None:
    try:
        value = Decimal((text or "").strip())
    except InvalidOperation:
        return None
    if not value.is_finite() or value <= 0 or value != value.quantize(Decimal("0.01")):
        return None
    return value


def _date(text: str | None) -> date | None:
    try:
        return date.fromisoformat((text or "").strip()[:10])
    except ValueError:
        return None


def statement_csv_read(content: bytes) -> Statement:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise StatementError([_("The file is not UTF-8 text.")]) from None
    rows = list(csv.reader(io.StringIO(text, newline="")))
    if not rows or [c.strip().lower() for c in rows[0]] != CSV_COLUMNS:
        raise StatementError([_("Line 1: the header must be %(columns)s.")
                              % {"columns": ",".join(CSV_COLUMNS)}])
    lines, problems = [], []
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(CSV_COLUMNS):
            problems.append(_("Line %(n)s: %(count)s columns instead of %(expected)s.")
                            % {"n": number, "count": len(row), "expected": len(CSV_COLUMNS)})
            continue
        e2e, reference, amount_text, date_text, status, reason = (c.strip() for c in row)
        amount, value_date = _amount(amount_text), _date(date_text)
        status = status.lower()
        bad = []
        if not e2e and not reference:
            bad.append(_("no end-to-end id or bank reference"))
        if amount is None:
            bad.append(_("amount “%(value)s” is not a positive amount in cents")
                       % {"value": amount_text})
        if value_date is None:
            bad.append(_("value date “%(value)s” is not a date (YYYY-MM-DD)")
                       % {"value": date_text})
        if status not in KINDS:
            bad.append(_("status “%(value)s” is not paid, failed or returned")
                       % {"value": status})
        elif status == "paid" and not reference:
            bad.append(_("a paid line needs the bank reference"))
        elif status != "paid" and not reason:
            bad.append(_("a failed or returned line needs the reason"))
        if bad:
            problems.append(_("Line %(n)s: %(problems)s.")
                            % {"n": number, "problems": "; ".join(bad)})
            continue
        lines.append(StatementLine(number, e2e[:35], reference[:60], amount, value_date,
                                   status, reason[:2000]))
    if problems:
        raise StatementError(problems)
    return Statement(statement_id="", lines=lines)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _find(element, path: str):
    """The first element along ``path`` (local names separated by /), whatever the
    namespace of the camt.053 version."""
    for name in path.split("/"):
        if element is None:
            return None
        element = next((child for child in element if _local(child.tag) == name), None)
    return element


def _findtext(element, path: str) -> str:
    found = _find(element, path)
    return (found.text or "").strip() if found is not None else ""


def statement_camt053_read(content: bytes) -> Statement:
    try:
        root = ElementTree.fromstring(content, forbid_dtd=True)
    except (ElementTree.ParseError, DefusedXmlException) as error:
        raise StatementError([_("The file is not well-formed XML: %(error)s.")
                              % {"error": error}]) from None
    statement = _find(root, "BkToCstmrStmt/Stmt")
    if _local(root.tag) != "Document" or statement is None:
        raise StatementError([_("The file is not an ISO 20022 camt.053 statement "
                                "(no BkToCstmrStmt/Stmt).")])
    lines, problems = [], []
    entries = [child for child in statement if _local(child.tag) == "Ntry"]
    for number, entry in enumerate(entries, start=1):
        if _findtext(entry, "Sts") not in ("BOOK", "") and _findtext(entry, "Sts/Cd") != "BOOK":
            continue  # pending or information only: not settled yet
        returned = _find(entry, "NtryDtls/TxDtls/RtrInf") is not None
        direction = _findtext(entry, "CdtDbtInd")
        if direction == "CRDT" and not returned:
            continue  # money coming in that is not a returned payment: not ours
        amount_element = _find(entry, "Amt")
        amount = _amount(amount_element.text if amount_element is not None else "")
        currency = amount_element.get("Ccy") if amount_element is not None else ""
        value_date = _date(_findtext(entry, "ValDt/Dt") or _findtext(entry, "ValDt/DtTm")
                           or _findtext(entry, "BookgDt/Dt"))
        e2e = _findtext(entry, "NtryDtls/TxDtls/Refs/EndToEndId")
        reference = (_findtext(entry, "NtryDtls/TxDtls/Refs/AcctSvcrRef")
                     or _findtext(entry, "AcctSvcrRef"))
        bad = []
        if amount is None:
            bad.append(_("no valid amount"))
        if currency != "HKD":
            bad.append(_("currency “%(value)s”, not HKD") % {"value": currency})
        if value_date is None:
            bad.append(_("no value or booking date"))
        if direction not in ("DBIT", "CRDT"):
            bad.append(_("no credit or debit indicator"))
        if not e2e and not reference:
            bad.append(_("no end-to-end id or bank reference"))
        reason = ""
        if returned:
            reason = " ".join(filter(None, [
                _findtext(entry, "NtryDtls/TxDtls/RtrInf/Rsn/Cd"),
                _findtext(entry, "NtryDtls/TxDtls/RtrInf/AddtlInf")])) or _("Returned")
        if bad:
            problems.append(_("Entry %(n)s: %(problems)s.")
                            % {"n": number, "problems": "; ".join(bad)})
            continue
        kind = "returned" if returned else "paid"
        lines.append(StatementLine(number, e2e[:35], reference[:60], amount, value_date,
                                   kind, reason[:2000]))
    if problems:
        raise StatementError(problems)
    return Statement(statement_id=_findtext(statement, "Id")[:60], lines=lines)
