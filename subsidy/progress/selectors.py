"""Reads of grants' reporting: what other packages ask (is the final report accepted, how
healthy is a grant's reporting) and what the reporting pages show."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Exists, Min, OuterRef, Prefetch, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from subsidy.progress.models import (
    IndicatorValue,
    OutcomeIndicator,
    ProgressReport,
    ReportingRequirement,
)
from subsidy.scheme.models import Grant
from subsidy.scheme.workload import OLDEST_SHOWN, WaitingItem, WorkQueue

R = ProgressReport.Status


@dataclass(frozen=True)
class ReportHealth:
    """A grant's reporting at a glance: reports past their due date and not sent (or sent
    back), reports waiting for the officer, and the next due date still open."""

    overdue: int = 0
    awaiting_review: int = 0
    next_due: date | None = None


def _open_report() -> Q:
    """A requirement still owed: no report yet, or its report returned."""
    return Q(report__isnull=True) | Q(report__status=R.RETURNED)


def final_report_accepted(grant: Grant) -> bool:
    """Whether the grant's final report has been accepted (closure's checklist asks)."""
    return ReportingRequirement.objects.filter(
        grant_id=grant.pk, kind=ReportingRequirement.Kind.FINAL,
        report__status=R.ACCEPTED).exists()


def grant_report_health(grant_ids, *, today: date | None = None) -> dict[int, ReportHealth]:
    """``ReportHealth`` for each of ``grant_ids`` (a grant with no requirements gets the
    empty one), in one query whatever the number of grants."""
    today = today or timezone.localdate()
    grant_ids = list(grant_ids)
    rows = (ReportingRequirement.objects.filter(grant_id__in=grant_ids)
            .values("grant_id")
            .annotate(overdue=Count("pk", filter=_open_report() & Q(due_date__lt=today)),
                      awaiting=Count("pk", filter=Q(report__status=R.SUBMITTED)),
                      next_due=Min("due_date", filter=_open_report() & Q(due_date__gte=today)))
            .order_by())
    health = {grant_id: ReportHealth() for grant_id in grant_ids}
    for row in rows:
        health[row["grant_id"]] = ReportHealth(overdue=row["overdue"],
                                               awaiting_review=row["awaiting"],
                                               next_due=row["next_due"])
    return health


def round_indicators(round_id: int) -> list[OutcomeIndicator]:
    """The indicators a report of the round is asked for (retired ones are not)."""
    return list(OutcomeIndicator.objects.in_use().filter(round_id=round_id))


def round_indicators_all(round_id: int) -> list[OutcomeIndicator]:
    """Every indicator of the round, retired or not, each with whether values were reported
    for it (the round's reporting page)."""
    return list(OutcomeIndicator.objects.filter(round_id=round_id)
                .annotate(reported=Exists(IndicatorValue.objects.filter(indicator=OuterRef("pk")))))


def grant_requirements(grant: Grant) -> list[ReportingRequirement]:
    """The grant's requirements in order, each with its report (if any), its values and
    evidence: four queries whatever their number."""
    return list(ReportingRequirement.objects.filter(grant_id=grant.pk)
                .select_related("report")
                .prefetch_related(
                    Prefetch("report__values",
                             queryset=IndicatorValue.objects.select_related("indicator")),
                    "report__evidence"))


def requirement_with_grant(*, requirement_id: int) -> ReportingRequirement | None:
    return (ReportingRequirement.objects
            .select_related("grant__application__organisation", "grant__round", "report")
            .filter(pk=requirement_id).first())


def report_with_requirement(*, report_id: int) -> ProgressReport | None:
    return (ProgressReport.objects
            .select_related("requirement__grant__application__organisation",
                            "requirement__grant__round", "submitted_by", "decided_by")
            .prefetch_related(Prefetch("values",
                                       queryset=IndicatorValue.objects.select_related(
                                           "indicator")),
                              "evidence")
            .filter(pk=report_id).first())


def reports_to_review():
    """Reports waiting for the programme officer, oldest first."""
    return (ProgressReport.objects.filter(status=R.SUBMITTED)
            .select_related("requirement__grant__application__organisation")
            .order_by("submitted_at", "id"))


def reports_for_claim(*, milestone_id: int | None, grant_id: int):
    """The reports a claim on the tranche of ``milestone_id`` may point to: sent or
    accepted reports of that milestone's requirement (finance's claim form asks)."""
    if milestone_id is None:
        return ProgressReport.objects.none()
    return (ProgressReport.objects
            .filter(requirement__grant_id=grant_id, requirement__milestone_id=milestone_id,
                    status__in=[R.SUBMITTED, R.ACCEPTED])
            .select_related("requirement"))


def reports_to_review_queue() -> WorkQueue:
    """The officer's dashboard queue of reports awaiting review, oldest first."""
    rows = ProgressReport.objects.filter(status=R.SUBMITTED)
    oldest = (rows.select_related("requirement__grant__application")
              .only("submitted_at", "requirement__number", "requirement__title",
                    "requirement__grant__application__reference",
                    "requirement__grant__application__title")
              .order_by("submitted_at", "id")[:OLDEST_SHOWN])
    return WorkQueue(
        code="reports_to_review", label=_("Progress reports to review"), count=rows.count(),
        url=reverse("progress:queue"),
        items=[WaitingItem(
            label=f"{r.requirement.grant.application.reference} · "
                  f"{r.requirement.grant.application.title}",
            detail=r.requirement.title,
            since=r.submitted_at,
            url=reverse("progress:requirement", args=[r.requirement_id]))
            for r in oldest])
