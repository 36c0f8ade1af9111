"""Read-side queries of the staff pages: the queues and one application in full. Each runs
a fixed number of queries whatever the number of applications, versions or events."""

from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet, Sum

from applicants.models import (
    Application,
    ApplicationStatus,
    ApplicationStatusCount,
    ApplicationVersion,
    Document,
    InformationRequest,
    StatusChange,
)
from subsidy.platform.models import AuditEvent
from subsidy.scheme.models import Grant

S = ApplicationStatus

# The queues of the staff pages, in the order of the lifecycle; drafts are the applicant's.
QUEUE_STATUSES = [S.SUBMITTED, S.SCREENING, S.INFO_REQUESTED, S.IN_REVIEW, S.REVIEWED,
                  S.WAITLISTED, S.APPROVED, S.OFFERED, S.ACCEPTED, S.ACTIVE, S.COMPLETED,
                  S.REJECTED, S.INELIGIBLE, S.DECLINED, S.LAPSED, S.TERMINATED, S.WITHDRAWN]


@dataclass(frozen=True)
class QueueFilters:
    status: str = ""
    round_code: str = ""
    category: str = ""
    sector: str = ""
    incubatee: str = ""  # "yes", "no" or ""
    q: str = ""


def _filtered(filters: QueueFilters, *, with_status: bool = True) -> QuerySet[Application]:
    applications = Application.objects.exclude(status=S.DRAFT)
    if with_status and filters.status:
        applications = applications.filter(status=filters.status)
    if filters.round_code:
        applications = applications.filter(round__code=filters.round_code)
    if filters.category:
        applications = applications.filter(category=filters.category)
    if filters.sector:
        applications = applications.filter(organisation__sector=filters.sector)
    if filters.incubatee in ("yes", "no"):
        applications = applications.filter(
            organisation__is_cyberport_incubatee=filters.incubatee == "yes")
    text = filters.q.strip()
    if text:
        applications = applications.filter(
            Q(reference__icontains=text) | Q(title__icontains=text)
            | Q(organisation__name_en__icontains=text)
            | Q(organisation__name_zh__icontains=text))
    return applications


def staff_queue(*, filters: QueueFilters) -> QuerySet[Application]:
    """Submitted applications matching the filters, oldest change first in a working queue,
    with their round, company and grant on the same row."""
    return (_filtered(filters).select_related("round", "organisation", "grant")
            .order_by("status_changed_at", "pk"))


def _counted_per_round(filters: QueueFilters) -> bool:
    """Whether the counts kept per round and state answer these filters (a state and a
    round at most); any other filter is counted over the applications."""
    return not (filters.category or filters.sector or filters.incubatee in ("yes", "no")
                or filters.q.strip())


def staff_queue_counts(*, filters: QueueFilters) -> dict[str, int]:
    """How many applications each queue holds under the other filters, in one query: read
    from the counts kept per round and state (``ApplicationStatusCount``) when only a
    round is chosen, so that it does not grow with the applications."""
    if _counted_per_round(filters):
        kept = ApplicationStatusCount.objects.all()
        if filters.round_code:
            kept = kept.filter(round__code=filters.round_code)
        rows = kept.order_by().values("status").annotate(n=Sum("applications"))
    else:
        rows = (_filtered(filters, with_status=False).order_by().values("status")
                .annotate(n=Count("pk")))
    return {row["status"]: row["n"] for row in rows if row["n"]}


def staff_queue_length(*, filters: QueueFilters, counts: dict[str, int]) -> int | None:
    """The number of applications ``staff_queue`` lists, when ``counts`` (the tabs') already
    hold it; None when it must be counted."""
    if not _counted_per_round(filters):
        return None
    if filters.status:
        return counts.get(filters.status, 0)
    return sum(counts.values())


def staff_application(*, application_id: int) -> Application:
    """One submitted application with everything its staff page shows, in a fixed number of
    queries; ``Application.DoesNotExist`` for a draft or an unknown id."""
    return (Application.objects.exclude(status=S.DRAFT)
            .select_related("round", "round__scheme", "organisation", "grant")
            .prefetch_related(
                "budget_lines", "milestones", "team_members",
                Prefetch("documents", queryset=Document.objects.order_by("document_type",
                                                                         "uploaded_at")),
                Prefetch("versions", queryset=ApplicationVersion.objects.defer("snapshot")
                         .order_by("number")),
                Prefetch("status_changes", queryset=StatusChange.objects.select_related("actor")
                         .order_by("at", "id")),
                Prefetch("information_requests",
                         queryset=InformationRequest.objects.order_by("-created_at")),
            )
            .get(pk=application_id))


def staff_application_audit(*, application: Application) -> QuerySet[AuditEvent]:
    """The audit trail of the application and of its grant, oldest first."""
    if Application.grant.is_cached(application):  # read with it (``staff_application``)
        grant = getattr(application, "grant", None)
        grant_ids = [str(grant.pk)] if grant else []
    else:
        grant_ids = [str(pk) for pk in Grant.objects.filter(application_id=application.pk)
                     .values_list("pk", flat=True)]
    return (AuditEvent.objects.filter(
        Q(object_type=Application._meta.label_lower, object_id=str(application.pk))
        | Q(object_type=Grant._meta.label_lower, object_id__in=grant_ids))
        .order_by("at", "id"))


def decision_candidates(*, round_code: str = "") -> QuerySet[Application]:
    """Applications awaiting a panel decision (reviewed, or on the reserve list)."""
    applications = (Application.objects.filter(status__in=[S.REVIEWED, S.WAITLISTED])
                    .select_related("round", "organisation").order_by("round__code", "reference"))
    if round_code:
        applications = applications.filter(round__code=round_code)
    return applications
