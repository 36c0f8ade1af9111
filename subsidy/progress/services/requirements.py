"""A grant's reporting requirements and its round's outcome indicators.

When a grant becomes active (the application's ``activate`` step, registered in
``subsidy.progress.registration``), it owes one report per milestone, due on the
milestone's date as it stands then, and a final report due the round's number of days
after the project ends. The dates are copied, not followed: nothing moves them later, so a
late report stays late and its reminders keep to the date the company was given.
"""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy

from applicants.models import Milestone
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


def round_indicators_default(*, round_: FundingRound) -> list[OutcomeIndicator]:
    """The round's indicators; a round that has none gets the default set."""
    existing = list(OutcomeIndicator.objects.filter(round=round_))
    if existing:
        return existing
    OutcomeIndicator.objects.bulk_create(
        [OutcomeIndicator(round=round_, code=code, name_en=name_en, name_zh=name_zh,
                          unit=unit, kind=kind, position=position)
         for position, (code, name_en, name_zh, unit, kind) in enumerate(DEFAULT_INDICATORS)],
        ignore_conflicts=True)
    return list(OutcomeIndicator.objects.filter(round=round_))


def final_report_due(grant: Grant, milestones: list[Milestone]):
    """The project's end (or its last milestone, or today when it names neither) plus the
    round's days for the final report."""
    end = (grant.application.end_date
           or max((m.due_date for m in milestones), default=None)
           or timezone.localdate())
    return end + timedelta(days=grant.round.final_report_due_days)


@transaction.atomic
def reporting_requirements_create(*, grant: Grant) -> list[ReportingRequirement]:
    """The grant's requirements, made once: a grant that has them keeps them as they are."""
    grant = (Grant.objects.select_for_update(of=("self",))
             .select_related("application", "round").get(pk=grant.pk))
    existing = list(grant.reporting_requirements.all())
    if existing:
        return existing
    round_indicators_default(round_=grant.round)
    milestones = list(Milestone.objects.filter(application_id=grant.application_id))
    rows = [ReportingRequirement(grant=grant, number=number, kind=RK.MILESTONE,
                                 milestone=milestone, title=milestone.deliverable[:300],
                                 due_date=milestone.due_date)
            for number, milestone in enumerate(milestones, start=1)]
    rows.append(ReportingRequirement(grant=grant, number=len(rows) + 1, kind=RK.FINAL,
                                     title=str(FINAL_TITLE),
                                     due_date=final_report_due(grant, milestones)))
    # Not audited apart: they follow from the grant's start, which is (``grant.activate``).
    return ReportingRequirement.objects.bulk_create(rows)


def grant_reporting_start(ctx) -> None:
    """The ``activate`` step's effect: the grant starting owes its reports. Runs after
    finance's effect has locked the grant and made it active, in the same transaction."""
    grant = Grant.objects.get(application_id=ctx.application.pk)
    reporting_requirements_create(grant=grant)
