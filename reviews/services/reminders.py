"""Scheduled reminders of the assessment: reviews due and overdue, offers about to lapse.
Each is written at most once per person and subject (assignment, grant): under a row lock
on the subject, the job looks for a notification of the same event to the same person that
names the subject, and sends only if there is none."""

from datetime import datetime, timedelta

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from subsidy.notifications.models import Notification
from subsidy.notifications.selectors import notification_already_sent
from subsidy.notifications.services.outbox import local_time_text, notify, organisation_names
from subsidy.platform.money import money
from subsidy.scheme.models import Grant

REVIEW_DUE_NOTICE = timedelta(days=2)


OFFER_EXPIRY_NOTICE = timedelta(days=3)


def _review_reminder(assignment, *, event: str) -> bool:
    """Remind the reviewer of one assignment, once per event. The caller holds the
    assignment's row lock."""
    if notification_already_sent(recipient=assignment.reviewer, event=event, key="assignment_id",
                     value=assignment.pk):
        return False
    application = assignment.application
    notify(recipient=assignment.reviewer, event=event, context={
        "assignment_id": assignment.pk, "application_id": application.pk,
        "reference": application.reference or "", "title": application.title,
        **organisation_names(application.organisation), "round": application.round.code,
        "url": reverse("reviews:assignment", args=[assignment.pk]),
        "due_at": local_time_text(assignment.due_at),
    })
    return True


def review_reminders_send(*, now: datetime | None = None) -> int:
    """Remind reviewers of reviews not yet submitted: once when the review is due within
    two days ("review due in 2 days"), and once when it is past due ("review overdue").
    Conflicted, removed and submitted assignments get nothing. Returns how many reminders
    were written."""
    from reviews.models import Assignment

    now = now or timezone.now()
    open_assignments = Assignment.objects.filter(
        status__in=Assignment.OPEN_STATUSES, reviewer__is_active=True)
    kinds = (
        ("review_due_soon", open_assignments.filter(
            due_at__gt=now, due_at__lte=now + REVIEW_DUE_NOTICE)),
        ("review_overdue", open_assignments.filter(due_at__lte=now)),
    )
    written = 0
    for event, assignments in kinds:
        for pk in assignments.order_by("due_at", "pk").values_list("pk", flat=True):
            with transaction.atomic():
                assignment = (Assignment.objects.select_for_update(of=("self",))
                              .select_related("reviewer", "application__organisation",
                                              "application__round")
                              .filter(pk=pk, status__in=Assignment.OPEN_STATUSES).first())
                if assignment is not None and _review_reminder(assignment, event=event):
                    written += 1
    return written


def offer_expiry_reminders_send(*, now: datetime | None = None) -> int:
    """Three days before an unanswered offer lapses, tell every active member of the
    applicant organisation, once per person and grant. Returns how many were written."""
    from applicants.models import Membership

    now = now or timezone.now()
    expiring = Grant.objects.filter(status=Grant.Status.OFFERED, offer_expires_at__gt=now,
                                    offer_expires_at__lte=now + OFFER_EXPIRY_NOTICE)
    written = 0
    for pk in expiring.order_by("offer_expires_at", "pk").values_list("pk", flat=True):
        with transaction.atomic():
            grant = (Grant.objects.select_for_update(of=("self",))
                     .select_related("application__organisation", "round")
                     .filter(pk=pk, status=Grant.Status.OFFERED).first())
            if grant is None:
                continue
            application = grant.application
            reminded = set(Notification.objects.filter(
                event="offer_expiring", context__grant_id=grant.pk,
                recipient__isnull=False).values_list("recipient_id", flat=True))
            members = (Membership.objects
                       .filter(organisation_id=application.organisation_id,
                               user__is_active=True)
                       .exclude(user_id__in=reminded).select_related("user").order_by("pk"))
            for membership in members:
                notify(recipient=membership.user, event="offer_expiring", context={
                    "grant_id": grant.pk, "application_id": application.pk,
                    "reference": application.reference or "", "title": application.title,
                    **organisation_names(application.organisation),
                    "round": grant.round.code, "amount": money(grant.approved_amount),
                    "expires_at": local_time_text(grant.offer_expires_at),
                    "url": reverse("applicants:application", args=[application.pk]),
                })
                written += 1
    return written
