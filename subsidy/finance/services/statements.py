"""Bank statements: finance imports the bank's statement (ISO 20022 camt.053 or the CSV
layout) and each entry settles the payment it names, by end-to-end id or else by bank
reference: paid, or failed/returned. What does not match a payment the bank could settle
(no such payment, a different amount, already settled, or refused by a rule) is kept as an
exception for finance to resolve by hand.

One import is one transaction. A statement that cannot be read changes nothing and names
its bad lines; the same file cannot be imported twice (its SHA-256 is unique). Rows are
locked in the order of ``locks``: every grant the statement touches first, in key order,
then per payment its tranche and itself, so two imports naming the same payment take turns
and the second records it as already settled.
"""

import hashlib
import re

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from subsidy.finance.bankfiles.records import BankStatement, BankStatementEntry
from subsidy.finance.bankfiles.statements import (
    StatementError,
    statement_camt053_read,
    statement_csv_read,
)
from subsidy.finance.models import Disbursement
from subsidy.finance.services.locks import grants_lock
from subsidy.finance.services.payments import payment_settle_failed, payment_settle_paid
from subsidy.platform.audit import audit_record
from subsidy.platform.errors import DomainError
from subsidy.platform.permissions import Action, require

R = BankStatementEntry.Result
S = Disbursement.Status
_E2E = re.compile(r"^AISS-PAY-(\d{10})$")


class StatementRefusedError(DomainError):
    """The statement cannot be read; ``problems`` names each bad line or entry."""

    def __init__(self, problems: list[str]):
        super().__init__(_("The statement was not imported: %(problems)s")
                         % {"problems": " ".join(problems)}, code="statement_malformed",
                         field="file")
        self.problems = problems


def _payment_for(line) -> Disbursement | None:
    match = _E2E.match(line.end_to_end_id)
    if match:
        return Disbursement.objects.filter(pk=int(match.group(1))).first()
    if line.bank_reference:
        return Disbursement.objects.filter(bank_reference=line.bank_reference).first()
    return None


def _settle(*, actor, statement, line, payment) -> tuple[str, str]:
    """Apply one line to its payment; the result and, for an exception, why."""
    if payment is None:
        return R.UNMATCHED, _("No payment has this end-to-end id or bank reference.")
    if line.amount != payment.amount:
        return R.MISMATCH, _("The payment is %(amount)s.") % {"amount": payment.amount}
    payment.refresh_from_db(fields=["status"])
    settled = {"paid": S.PAID, "failed": S.FAILED, "returned": S.FAILED}[line.kind]
    if payment.status == settled:
        return R.ALREADY, _("The payment is “%(status)s” already.") % {
            "status": payment.get_status_display()}
    try:
        # A savepoint: a refused line leaves the rest of the statement to be applied.
        with transaction.atomic():
            if line.kind == "paid":
                payment_settle_paid(actor=actor, payment=payment,
                                    bank_reference=line.bank_reference,
                                    value_date=line.value_date, statement=statement)
            else:
                payment_settle_failed(actor=actor, payment=payment, reason=line.reason,
                                      statement=statement)
    except DomainError as error:
        already = error.code in ("already_paid",)
        return (R.ALREADY if already else R.REFUSED), str(error.message)[:300]
    return R.MATCHED, ""


@transaction.atomic
def bank_statement_import(*, actor, file_name: str, content: bytes) -> BankStatement:
    """Import a statement and settle the payments it names. Refused whole, changing
    nothing, when the file cannot be read or was imported before."""
    require(actor, Action.PREPARE_PAYMENT)
    stripped = content.lstrip()
    is_xml = stripped.startswith(b"<") or stripped.startswith(b"\xef\xbb\xbf<")
    try:
        parsed = statement_camt053_read(content) if is_xml else statement_csv_read(content)
    except StatementError as error:
        raise StatementRefusedError(error.problems) from None
    digest = hashlib.sha256(content).hexdigest()
    if BankStatement.objects.filter(file_sha256=digest).exists():
        raise DomainError(_("This statement was imported already."),
                          code="statement_duplicate", field="file")
    try:
        # Two imports of one file at once: the second waits on the unique hash, then fails.
        with transaction.atomic():
            statement = BankStatement.objects.create(
                file_name=(file_name or "statement")[:255], file_sha256=digest,
                format=BankStatement.Format.CAMT053 if is_xml else BankStatement.Format.CSV,
                statement_id=parsed.statement_id, imported_by=actor)
    except IntegrityError:
        raise DomainError(_("This statement was imported already."),
                          code="statement_duplicate", field="file") from None
    matches = [(line, _payment_for(line)) for line in parsed.lines]
    grants_lock(grant_ids=[p.grant_id for _line, p in matches if p is not None])
    entries = []
    for line, payment in sorted(matches, key=lambda m: (m[1].pk if m[1] else 0, m[0].line)):
        result, message = _settle(actor=actor, statement=statement, line=line,
                                  payment=payment)
        entries.append(BankStatementEntry(
            statement=statement, line=line.line, end_to_end_id=line.end_to_end_id,
            bank_reference=line.bank_reference, amount=line.amount,
            value_date=line.value_date, kind=line.kind, reason=line.reason,
            payment=payment, result=result, message=message))
    BankStatementEntry.objects.bulk_create(sorted(entries, key=lambda e: e.line))
    counts = {result: sum(1 for e in entries if e.result == result) for result in R.values}
    audit_record(actor=actor, action="bank_statement.import", obj=statement,
                 after={"file_sha256": digest, "statement_id": parsed.statement_id,
                        "lines": len(entries), **counts})
    return statement
