"""The programme office's queues for the officer's dashboard (``subsidy.scheme.workload``):
applications waiting for screening, for reviewers, for their reviews, for the applicant's
answer or for the panel, each oldest first. Two queries per queue, whatever the numbers."""

from django.db.models import Count, F, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from applicants.models import Application, ApplicationStatus, InformationRequest
from reviews.models import Assignment
from subsidy.scheme.workload import OLDEST_SHOWN, WaitingItem, WorkQueue

S = ApplicationStatus


def _queue_url(status: str) -> str:
    return f"{reverse('staff:queue')}?status={status}"


def _application_label(application: Application) -> str:
    return f"{application.reference} · {application.title}"


def _applications_queue(*, code: str, label: str, rows: QuerySet[Application], url_name: str,
                        list_url: str) -> WorkQueue:
    oldest = rows.select_related(None).only("id", "reference", "title", "status_changed_at")
    return WorkQueue(
        code=code, label=label, count=rows.count(), url=list_url,
        items=[WaitingItem(label=_application_label(a), since=a.status_changed_at,
                           url=reverse(url_name, args=[a.pk]))
               for a in oldest.order_by("status_changed_at", "pk")[:OLDEST_SHOWN]])


def _in_review_with_reviews() -> QuerySet[Application]:
    live = Q(review_assignments__status__in=Assignment.LIVE_STATUSES)
    return (Application.objects.filter(status=S.IN_REVIEW)
            .annotate(live=Count("review_assignments", filter=live),
                      submitted=Count("review_assignments",
                                      filter=Q(review_assignments__status=Assignment.Status.SUBMITTED)))
            )


def screening_not_started() -> WorkQueue:
    return _applications_queue(
        code="screening_not_started", label=_("Submitted, screening not started"),
        rows=Application.objects.filter(status=S.SUBMITTED), url_name="staff:screening",
        list_url=_queue_url(S.SUBMITTED))


def screening_open() -> WorkQueue:
    return _applications_queue(
        code="screening_open", label=_("In screening, not concluded"),
        rows=Application.objects.filter(status=S.SCREENING), url_name="staff:screening",
        list_url=reverse("staff:screening_bulk"))


def reviewers_missing() -> WorkQueue:
    """In review with fewer live assignments than the round's reviewers per application."""
    return _applications_queue(
        code="reviewers_missing", label=_("In review, reviewers still to assign"),
        rows=_in_review_with_reviews().filter(live__lt=F("round__reviewers_per_application")),
        url_name="reviews:application_assignments", list_url=_queue_url(S.IN_REVIEW))


def reviews_overdue() -> WorkQueue:
    """Assignments past their due date with no review in, oldest due date first."""
    rows = Assignment.objects.filter(status__in=Assignment.OPEN_STATUSES,
                                     due_at__lt=timezone.now())
    oldest = (rows.select_related("application", "reviewer")
              .only("due_at", "application__id", "application__reference",
                    "application__title", "reviewer__full_name",
                    "reviewer__email")
              .order_by("due_at", "pk")[:OLDEST_SHOWN])
    return WorkQueue(
        code="reviews_overdue", label=_("Reviews overdue"), count=rows.count(),
        url=_queue_url(S.IN_REVIEW), overdue=True,
        items=[WaitingItem(label=_application_label(a.application), since=a.due_at,
                           detail=a.reviewer.get_full_name() or a.reviewer.email,
                           url=reverse("reviews:application_assignments",
                                       args=[a.application.pk]))
               for a in oldest])


def review_stage_to_complete() -> WorkQueue:
    """In review with every live assignment's review in, at least the round's number."""
    return _applications_queue(
        code="review_stage_to_complete", label=_("Reviews in, review stage to complete"),
        rows=_in_review_with_reviews().filter(
            submitted__gte=F("round__reviewers_per_application"), submitted=F("live")),
        url_name="staff:application", list_url=_queue_url(S.IN_REVIEW))


def information_awaited() -> WorkQueue:
    """Requests for information the applicant has not answered, oldest first."""
    rows = InformationRequest.objects.filter(answered_at__isnull=True,
                                             application__status=S.INFO_REQUESTED)
    oldest = (rows.select_related("application")
              .only("created_at", "due_at", "application__id", "application__reference",
                    "application__title")
              .order_by("created_at", "pk")[:OLDEST_SHOWN])
    return WorkQueue(
        code="information_awaited", label=_("Requests for information awaiting an answer"),
        count=rows.count(), url=_queue_url(S.INFO_REQUESTED),
        items=[WaitingItem(
            label=_application_label(r.application), since=r.created_at,
            detail=(_("answer due %(date)s") % {
                "date": timezone.localtime(r.due_at).strftime("%Y-%m-%d")}
                if r.due_at else ""),
            url=reverse("staff:application", args=[r.application.pk]))
            for r in oldest])


def decisions_pending() -> WorkQueue:
    return _applications_queue(
        code="decisions_pending", label=_("Reviewed, awaiting the panel's decision"),
        rows=Application.objects.filter(status=S.REVIEWED), url_name="staff:application",
        list_url=_queue_url(S.REVIEWED))


# The order of the dashboard: the lifecycle's. Finance adds claims after these.
SOURCES = [screening_not_started, screening_open, reviewers_missing, reviews_overdue,
           review_stage_to_complete, information_awaited, decisions_pending]
