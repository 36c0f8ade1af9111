"""A usage statement's lines, read from a CSV file or the API's body, and checked whole.

Every line is checked, and every problem is kept with its line number (the CSV's own line
numbers: the header is line 1), so the Centre can correct the file in one go."""

import csv
import io
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils import timezone
from django.utils.translation import gettext as _

from subsidy.compute.models import ComputeAllocation
from subsidy.scheme.models import Grant

COLUMNS = ("project", "period", "gpu_type", "hours", "list_amount")
MAX_LINES = 5000
MAX_BYTES = 2 * 1024 * 1024
MAX_VALUE = Decimal("9999999999.99")
CENT = Decimal("0.01")
POSTABLE_STATUSES = (Grant.Status.ACCEPTED, Grant.Status.ACTIVE)


@dataclass(frozen=True)
class Problem:
    line: int  # 0: the statement as a whole
    message: str
    # The value at fault, when one is: one of ``COLUMNS``, or ``reference`` or ``lines`` for
    # the statement as a whole (the API names the field in its body).
    column: str = ""

    def __str__(self):
        if self.line:
            return _("Line %(line)s: %(message)s") % {"line": self.line, "message": self.message}
        return str(self.message)


@dataclass(frozen=True)
class LineInput:
    """One line as received: text, not yet checked."""

    line: int
    project: str
    period: str
    gpu_type: str
    hours: str
    list_amount: str


@dataclass(frozen=True)
class CheckedLine:
    line: int
    project: str
    gpu_type: str
    hours: Decimal
    list_amount: Decimal


@dataclass
class CheckedStatement:
    organisation_id: int | None = None
    period: date | None = None
    grants: dict[str, int] = field(default_factory=dict)
    lines: list[CheckedLine] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def csv_lines(content: bytes) -> tuple[list[LineInput], list[Problem]]:
    """The lines of a CSV statement (header: ``COLUMNS``, in any order; blank lines
    skipped), or the problems that stop it being read."""
    if len(content) > MAX_BYTES:
        return [], [Problem(0, _("The file is larger than 2 MB."))]
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return [], [Problem(0, _("The file is not UTF-8 text. Save it as CSV UTF-8."))]
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [name.strip() for name in (reader.fieldnames or [])]
    missing = [name for name in COLUMNS if name not in header]
    if missing:
        return [], [Problem(1, _("The header lacks the column(s): %(columns)s. Expected: "
                                 "%(expected)s.") % {"columns": ", ".join(missing),
                                                     "expected": ",".join(COLUMNS)})]
    reader.fieldnames = header
    lines, problems = [], []
    try:
        for row in reader:
            values = [(row.get(name) or "").strip() for name in COLUMNS]
            if not any(values):
                continue
            if len(lines) >= MAX_LINES:
                return [], [Problem(0, _("A statement has at most %(max)s lines.")
                                    % {"max": MAX_LINES})]
            if None in row:
                problems.append(Problem(reader.line_num, _("The line has more values than "
                                                           "the header has columns.")))
            lines.append(LineInput(reader.line_num, *values))
    except csv.Error as exc:
        return [], [Problem(reader.line_num, _("The CSV cannot be read: %(error)s")
                            % {"error": exc})]
    return lines, problems


def _decimal(text: str) -> Decimal | None:
    try:
        value = Decimal(text.replace(",", ""))
    except (InvalidOperation, ValueError):
        return None
    if not value.is_finite() or value != value.quantize(CENT) or abs(value) > MAX_VALUE:
        return None
    return value


def _period(text: str) -> date | None:
    try:
        year, month = (int(part) for part in text.split("-"))
        return date(year, month, 1)
    except (ValueError, TypeError):
        return None


def _grants_by_project(projects) -> dict[str, Grant]:
    grants = (Grant.objects.filter(application__reference__in=list(projects))
              .select_related("application"))
    allocations = {a.grant_id: a for a in ComputeAllocation.objects.filter(
        grant__application__reference__in=list(projects))}
    found = {}
    for grant in grants:
        grant.allocation = allocations.get(grant.pk)
        found[grant.application.reference] = grant
    return found


def _line_problems(line: LineInput, grant: Grant | None
                   ) -> tuple[list[tuple[str, str]], CheckedLine | None]:
    """The line's problems as (column, message), or the checked line."""
    messages = []
    if not line.project:
        messages.append(("project", _("the project is missing.")))
    elif grant is None:
        messages.append(("project", _("no grant has the project reference %(project)s.")
                         % {"project": line.project}))
    elif grant.allocation is None:
        messages.append(("project", _("%(project)s has no compute allocation.")
                         % {"project": line.project}))
    elif grant.allocation.released_at is not None or grant.status not in POSTABLE_STATUSES:
        messages.append(("project", _("the compute allocation of %(project)s is closed.")
                         % {"project": line.project}))
    if not line.gpu_type:
        messages.append(("gpu_type", _("the GPU type is missing.")))
    elif len(line.gpu_type) > 40:
        messages.append(("gpu_type", _("the GPU type is longer than 40 characters.")))
    hours, amount = _decimal(line.hours), _decimal(line.list_amount)
    if hours is None or hours <= 0:
        messages.append(("hours", _("the hours “%(value)s” are not a positive number with "
                                    "at most 2 decimals.") % {"value": line.hours}))
    if amount is None or amount < 0:
        messages.append(("list_amount", _("the list amount “%(value)s” is not an amount in "
                                          "HK$ with at most 2 decimals.")
                         % {"value": line.list_amount}))
    if messages or grant is None:
        return messages, None
    expected = (hours * grant.allocation.list_rate).quantize(CENT, rounding=ROUND_HALF_UP)
    if amount != expected:
        return [("list_amount", _("the list amount %(amount)s is not the hours × the list "
                                  "rate %(rate)s = %(expected)s.")
                 % {"amount": amount, "rate": grant.allocation.list_rate,
                    "expected": expected})], None
    return [], CheckedLine(line.line, line.project, line.gpu_type, hours, amount)


def lines_problems(*, reference: str, lines: list[LineInput]) -> CheckedStatement:
    """Check every line: a known project with an open allocation, one company and one month
    for the whole statement, a positive number of hours and the list amount they cost."""
    checked = CheckedStatement()
    if not reference:
        checked.problems.append(Problem(0, _("Give the statement's reference."), "reference"))
    elif len(reference) > 60:
        checked.problems.append(Problem(0, _("The statement's reference is longer than 60 "
                                             "characters."), "reference"))
    if not lines:
        checked.problems.append(Problem(0, _("The statement has no lines."), "lines"))
        return checked
    grants = _grants_by_project({line.project for line in lines if line.project})
    this_month = timezone.localdate().replace(day=1)
    for line in lines:
        grant = grants.get(line.project)
        messages, good = _line_problems(line, grant)
        period = _period(line.period)
        if period is None:
            messages.append(("period", _("the period “%(value)s” is not a month as YYYY-MM.")
                             % {"value": line.period}))
        elif period > this_month:
            messages.append(("period", _("the period %(value)s is in the future.")
                             % {"value": line.period}))
        elif checked.period is None:
            checked.period = period
        elif period != checked.period:
            messages.append(("period", _("the period %(value)s is not the statement's month "
                                         "(%(month)s).")
                             % {"value": line.period, "month": f"{checked.period:%Y-%m}"}))
        if grant is not None:
            company = grant.application.organisation_id
            if checked.organisation_id is None:
                checked.organisation_id = company
            elif company != checked.organisation_id:
                messages.append(("project", _("%(project)s belongs to another company: a "
                                              "statement is one company's.")
                                 % {"project": line.project}))
            checked.grants[line.project] = grant.pk
        checked.problems.extend(Problem(line.line, message, column)
                                for column, message in messages)
        if good is not None and not messages:
            checked.lines.append(good)
    return checked
