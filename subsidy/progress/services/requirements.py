"""A grant's reporting requirements and its round's outcome indicators.

When a grant becomes active (the application's ``activate`` step, registered in
``subsidy.progress.registration``), it owes one report per milestone, due on the
milestone's date as it stands then, and a final report due the round's number of days
after the project ends. The dates are copied, not followed: nothing moves them later, so a
late report stays late and its reminders keep to the date the company was given.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy

from applicants.models import Milestone
from subsidy.platform.audit import audit_record
from subsidy.progress.models import OutcomeIndicator, ReportingRequirement
from subsidy.scheme.models import FundingRound, Grant

RK = ReportingRequirement.Kind

# The outcomes a round measures unless its officers set others (DOMAIN.md).
DEFAULT_INDICATORS = (
    ("models-trained", "Models trained", "已訓練模型", "models", OutcomeIndicator.Kind.COUNT),
    ("people-hired", "People hired", "聘用人數", "people", OutcomeIndicator.Kind.COUNT),
    ("revenue", "Revenue", "收入", "HKD", OutcomeIndicator.Kind.AMOUNT),
    ("customers", "Customers", "客戶", "customers", OutcomeIndicator.Kind.COUNT),
    ("papers", "Papers published", "發表論文", "papers", OutcomeIndicator.Kind.COUNT),
    ("aisc-hours", "AISC hours used", "已使用AISC時數", "GPU-hours",
     OutcomeIndicator.Kind.HOURS),
)
FINAL_TITLE = gettext_lazy("Final report")


def default_indicator_fields() -> list[dict]:
    """The default set as field values, in order (for the service and the data migration)."""
    return [{"code": code, "name_en": name_en, "name_zh": name_zh, "unit": unit, "kind": kind,
             "position": position}
            for position, (code, name_en, name_zh, unit, kind) in enumerate(DEFAULT_INDICATORS)]


def round_indicators_default(*, round_: FundingRound) -> list[OutcomeIndicator]:
    """The round's indicators; a round that has none gets the default set."""
    existing = list(OutcomeIndicator.objects.filter(round=round_))
    if existing:
        return existing
    OutcomeIndicator.objects.bulk_create(
        [OutcomeIndicator(round=round_, **fields) for fields in default_indicator_fields()],
        ignore_conflicts=True)
    return list(OutcomeIndicator.objects.filter(round=round_))


def final_report_due(*, project_end: date | None, milestone_dates: list[date],
                     final_days: int, today: date) -> date:
    """The project's end (or its last milestone, or today when it names neither) plus the
    round's days for the final report."""
    end = project_end or max(milestone_dates, default=None) or today
    return end + timedelta(days=final_days)


@dataclass(frozen=True)
class PlannedRequirement:
    number: int
    kind: str
    milestone_id: int | None
    title: str
    due_date: date


def requirements_missing(*, milestones: list[tuple[int, str, date]], project_end: date | None,
                         final_days: int, existing: list[tuple[int, str, int | None]],
                         today: date) -> list[PlannedRequirement]:
    """What a grant owes and does not have yet: a report for each milestone (``(id,
    deliverable, due date)``, in order) that has none, due on the milestone's date as it
    stands, and the final report if it is missing; numbered after the highest existing
    (``(number, kind, milestone id)``). What exists is never repeated nor moved.

    Plain values in and out, so the data migration that gives earlier grants their
    requirements (``0023_reporting_settings``) plans with the same rule."""
    numbers = [number for number, _kind, _milestone in existing]
    covered = {milestone_id for _number, _kind, milestone_id in existing if milestone_id}
    has_final = any(kind == RK.FINAL for _number, kind, _milestone in existing)
    next_number = max(numbers, default=0) + 1
    planned = []
    for milestone_id, deliverable, due_date in milestones:
        if milestone_id in covered:
            continue
        planned.append(PlannedRequirement(next_number, RK.MILESTONE, milestone_id,
                                          deliverable[:300], due_date))
        next_number += 1
    if not has_final:
        planned.append(PlannedRequirement(
            next_number, RK.FINAL, None, str(FINAL_TITLE),
            final_report_due(project_end=project_end,
                             milestone_dates=[due for _id, _d, due in milestones],
                             final_days=final_days, today=today)))
    return planned


def _missing_for(grant: Grant, existing: list[ReportingRequirement]):
    milestones = Milestone.objects.filter(application_id=grant.application_id)
    return requirements_missing(
        milestones=[(m.pk, m.deliverable, m.due_date) for m in milestones],
        project_end=grant.application.end_date, final_days=grant.round.final_report_due_days,
        existing=[(r.number, r.kind, r.milestone_id) for r in existing],
        today=timezone.localdate())


def _locked(grant: Grant) -> Grant:
    return (Grant.objects.select_for_update(of=("self",))
            .select_related("application", "round").get(pk=grant.pk))


def _rows(grant: Grant, planned: list[PlannedRequirement]) -> list[ReportingRequirement]:
    return [ReportingRequirement(grant=grant, number=p.number, kind=p.kind,
                                 milestone_id=p.milestone_id, title=p.title,
                                 due_date=p.due_date) for p in planned]


@transaction.atomic
def reporting_requirements_create(*, grant: Grant) -> list[ReportingRequirement]:
    """The grant's requirements, made once: a grant that has them keeps them as they are."""
    grant = _locked(grant)
    existing = list(grant.reporting_requirements.all())
    if existing:
        return existing
    round_indicators_default(round_=grant.round)
    # Not audited apart: they follow from the grant's start, which is (``grant.activate``).
    return ReportingRequirement.objects.bulk_create(_rows(grant, _missing_for(grant, [])))


@transaction.atomic
def reporting_requirements_backfill_grant(*, grant: Grant) -> list[ReportingRequirement]:
    """Give an active grant the requirements it lacks (one that started before reporting
    existed has none): each milestone without a report owed and the final report. Existing
    requirements keep their numbers and due dates; running it again adds nothing. Audited
    as ``grant.reporting_backfill`` when something was added."""
    grant = _locked(grant)
    if grant.status != Grant.Status.ACTIVE:
        return []
    planned = _missing_for(grant, list(grant.reporting_requirements.all()))
    if not planned:
        return []
    round_indicators_default(round_=grant.round)
    made = ReportingRequirement.objects.bulk_create(_rows(grant, planned))
    audit_record(actor=None, action="grant.reporting_backfill", obj=grant,
                 after={"requirements": [{"number": r.number, "kind": r.kind,
                                          "due_date": r.due_date} for r in made]})
    return made


def reporting_requirements_backfill() -> dict[int, int]:
    """Every active grant given what it lacks, each in its own transaction; returns the
    number of requirements added per grant that needed any."""
    added = {}
    for grant in Grant.objects.filter(status=Grant.Status.ACTIVE).order_by("pk"):
        made = reporting_requirements_backfill_grant(grant=grant)
        if made:
            added[grant.pk] = len(made)
    return added


def grant_reporting_start(ctx) -> None:
    """The ``activate`` step's effect: the grant starting owes its reports. Runs after
    finance's effect has locked the grant and made it active, in the same transaction."""
    grant = Grant.objects.get(application_id=ctx.application.pk)
    reporting_requirements_create(grant=grant)
