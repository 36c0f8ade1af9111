"""The Centre's monthly usage statements, received whole or not at all, and posted.

A statement is one company's month: lines of project (the application's reference), GPU
type, hours and list amount. It is validated whole first: any bad line refuses the whole
statement, each problem with its line number, and nothing is written. A statement already
received (the same file or body, or the same company, month and reference) is refused as a
duplicate, naming the one received (``StatementDuplicate``; the API answers the same
content as an idempotent no-op).

Posting holds the row locks of the statement's grants, then of their allocations (both in
id order, as releasing at closure does): each line draws hours x list rate x the grant's
ratio, capped at what is left of the allocation, and the excess is named; a constraint
trigger refuses anything above the allocation if a write ever bypassed the locks. The 80%
and 100% alerts go once each, to the company's members and the programme officers.
"""

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from subsidy.compute.models import ComputeAllocation, ComputeCharge, UsageStatement
from subsidy.compute.services.alerts import allocation_alerts_send
from subsidy.compute.services.allocations import subsidy_for
from subsidy.compute.services.lines import (
    COLUMNS,
    POSTABLE_STATUSES,
    LineInput,
    Problem,
    csv_lines,
    lines_problems,
)
from subsidy.platform.audit import audit_record
from subsidy.platform.errors import DomainError
from subsidy.scheme.models import Grant

ZERO = Decimal("0.00")


class StatementRejected(DomainError):
    """The statement has bad lines: ``problems`` lists each with its line number (0: the
    statement as a whole)."""

    def __init__(self, problems: list[Problem]):
        super().__init__(_("The statement was rejected: %(count)s problem(s); nothing was "
                           "posted.") % {"count": len(problems)}, code="statement_rejected")
        self.problems = problems


class StatementDuplicate(DomainError):
    def __init__(self, statement: UsageStatement, *, same_content: bool):
        if same_content:
            message = _("This statement was already received on %(at)s as %(reference)s; "
                        "nothing was posted again.")
        else:
            message = _("A different statement %(reference)s for this company and month was "
                        "already received on %(at)s; nothing was posted.")
        super().__init__(message % {
            "reference": statement.reference,
            "at": timezone.localtime(statement.received_at).strftime("%Y-%m-%d %H:%M")},
            code="duplicate_statement")
        self.statement = statement
        self.same_content = same_content


@dataclass
class StatementInput:
    reference: str
    lines: list[LineInput]
    source: str
    sha256: str
    problems: list[Problem] = field(default_factory=list)


def content_sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def statement_from_csv(*, reference: str, content: bytes) -> StatementInput:
    """A statement as a CSV file (``lines.COLUMNS``) with its reference."""
    lines, problems = csv_lines(content)
    return StatementInput(reference=reference, lines=lines, source=UsageStatement.Source.CSV,
                          sha256=content_sha256(content), problems=problems)


def statement_from_api(*, reference: str, lines: list[dict]) -> StatementInput:
    """A statement sent to the API: its reference and its lines, each a mapping of
    ``lines.COLUMNS`` to text. Line numbers count the lines from 1, in the order sent. The
    content's SHA-256 is that of the statement as canonical JSON, so the same statement sent
    again with other spacing or key order is recognised as received."""
    inputs = [LineInput(number, *((row.get(name) or "").strip() for name in COLUMNS))
              for number, row in enumerate(lines, start=1)]
    canonical = json.dumps({"reference": reference, "lines": [
        {name: row.get(name) for name in COLUMNS} for row in lines]},
        sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return StatementInput(reference=reference, lines=inputs, source=UsageStatement.Source.API,
                          sha256=content_sha256(canonical.encode()))


def _duplicate_of(*, sha256: str, organisation_id: int | None, period: date | None,
                  reference: str) -> StatementDuplicate | None:
    same = UsageStatement.objects.filter(file_sha256=sha256).first()
    if same is not None:
        return StatementDuplicate(same, same_content=True)
    if organisation_id and period:
        other = UsageStatement.objects.filter(organisation_id=organisation_id, period=period,
                                              reference=reference).first()
        if other is not None:
            return StatementDuplicate(other, same_content=False)
    return None


def _drawn(allocation_ids) -> dict[int, Decimal]:
    return dict(ComputeCharge.objects.filter(allocation_id__in=allocation_ids).order_by()
                .values_list("allocation_id").annotate(total=Sum("subsidy_amount")))


def statement_receive(*, statement: StatementInput, actor=None, api_key=None,
                      idempotency_key: str = "") -> UsageStatement:
    """Validate the statement whole, then post every line against its grant, or nothing.
    Raises ``StatementRejected`` with each problem's line number, or ``StatementDuplicate``."""
    reference = (statement.reference or "").strip()
    if statement.problems and not statement.lines:
        raise StatementRejected(statement.problems)  # the file could not be read
    checked = lines_problems(reference=reference, lines=statement.lines)
    problems = sorted([*statement.problems, *checked.problems], key=lambda p: p.line)
    if problems:
        raise StatementRejected(problems)
    duplicate = _duplicate_of(sha256=statement.sha256, organisation_id=checked.organisation_id,
                              period=checked.period, reference=reference)
    if duplicate is not None:
        raise duplicate
    try:
        with transaction.atomic():
            return _post(statement=statement, reference=reference, checked=checked,
                         actor=actor, api_key=api_key, idempotency_key=idempotency_key)
    except IntegrityError:
        # The same statement, posted at the same moment by another request.
        duplicate = _duplicate_of(sha256=statement.sha256,
                                  organisation_id=checked.organisation_id,
                                  period=checked.period, reference=reference)
        if duplicate is None:
            raise
        raise duplicate from None


def _post(*, statement: StatementInput, reference: str, checked, actor, api_key,
          idempotency_key: str) -> UsageStatement:
    grant_ids = sorted(set(checked.grants.values()))
    grants = {g.pk: g for g in Grant.objects.select_for_update().filter(pk__in=grant_ids)
              .order_by("pk")}
    allocations = {a.grant_id: a for a in ComputeAllocation.objects.select_for_update()
                   .filter(grant_id__in=grant_ids).order_by("pk")}
    # Re-checked under the locks: a release at closure may have come in between.
    released = [line for line in checked.lines
                if allocations[checked.grants[line.project]].released_at is not None
                or grants[checked.grants[line.project]].status not in POSTABLE_STATUSES]
    if released:
        raise StatementRejected([Problem(line.line, _("The compute allocation of %(project)s "
                                                      "is closed.") % {"project": line.project})
                                 for line in released])
    drawn = _drawn([a.pk for a in allocations.values()])
    before = {a.pk: drawn.get(a.pk, ZERO) for a in allocations.values()}
    received = UsageStatement.objects.create(
        organisation_id=checked.organisation_id, period=checked.period, reference=reference,
        source=statement.source, file_sha256=statement.sha256,
        idempotency_key=idempotency_key[:200], api_key=api_key,
        received_by=actor if getattr(actor, "is_authenticated", False) and not api_key else None)
    charges = []
    for line in checked.lines:
        allocation = allocations[checked.grants[line.project]]
        uncapped = subsidy_for(hours=line.hours, list_rate=allocation.list_rate,
                               ratio_percent=allocation.ratio_percent)
        room = max(allocation.amount - allocation.released_amount
                   - drawn.get(allocation.pk, ZERO), ZERO)
        subsidy = min(uncapped, room)
        drawn[allocation.pk] = drawn.get(allocation.pk, ZERO) + subsidy
        charges.append(ComputeCharge(
            statement=received, line_number=line.line, grant_id=allocation.grant_id,
            allocation=allocation, period=checked.period, gpu_type=line.gpu_type,
            hours=line.hours, list_amount=line.list_amount, subsidy_amount=subsidy,
            company_amount=line.list_amount - subsidy, excess_amount=uncapped - subsidy))
    ComputeCharge.objects.bulk_create(charges)
    audit_record(actor=actor, action="compute.statement_post", obj=received,
                 after={"reference": reference, "period": checked.period,
                        "source": statement.source, "sha256": statement.sha256,
                        "lines": len(charges),
                        "subsidy": sum((c.subsidy_amount for c in charges), ZERO),
                        "excess": sum((c.excess_amount for c in charges), ZERO)})
    allocation_alerts_send(allocations=list(allocations.values()), before=before, after=drawn)
    return received

