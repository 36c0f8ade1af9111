"""The scheduled jobs that celery beat runs (``config.settings.CELERY_BEAT_SCHEDULE``).

Each job looks at the clock and the data, never at when it last ran, so running it twice, or
late, or on two workers at once changes nothing twice and sends nothing twice:

* a round opens or closes through ``subsidy.services.rounds`` under the round's row lock,
  and only from the state the job expects;
* a reminder is written at most once per person and subject (round, assignment, grant):
  under a row lock on the subject, the job looks for a notification of the same event to
  the same person that names the subject in its context, and sends only if there is none.
"""

from datetime import datetime, timedelta

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from subsidy.models import FundingRound, Grant, Notification, User
from subsidy.services import rounds
from subsidy.services.notifications import notify, organisation_names

ROUND_CLOSING_NOTICE = timedelta(days=3)
REVIEW_DUE_NOTICE = timedelta(days=2)
OFFER_EXPIRY_NOTICE = timedelta(days=3)


def _local(moment: datetime) -> str:
    """A time as the templates show it: Hong Kong time, the same in every language."""
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def _already_sent(*, recipient: User, event: str, key: str, value: int) -> bool:
    return Notification.objects.filter(recipient=recipient, event=event,
                                       **{f"context__{key}": value}).exists()


# --- Rounds ------------------------------------------------------------------------------

def _rounds_move(due, *, expected: str, move) -> list[str]:
    """Apply ``move`` (``round_open`` or ``round_close``) as the system to each due round
    still in the ``expected`` state once its row is locked: a person or another run may
    have moved it in the meantime. Returns the codes of the rounds moved."""
    moved = []
    for round_ in due:
        with transaction.atomic():
            locked = FundingRound.objects.select_for_update().get(pk=round_.pk)
            if locked.status != expected:
                continue
            move(actor=None, round_=locked)
        moved.append(round_.code)
    return moved


def rounds_open_due(*, now: datetime | None = None) -> list[str]:
    """Open every planned round whose opening time has come and whose closing time has not
    (a round planned with both in the past waits for a person to move its dates). Returns
    the codes of the rounds opened."""
    now = now or timezone.now()
    due = FundingRound.objects.filter(status=FundingRound.Status.PLANNED, opens_at__lte=now,
                                      closes_at__gt=now).order_by("opens_at", "pk")
    return _rounds_move(due, expected=FundingRound.Status.PLANNED, move=rounds.round_open)


def rounds_close_due(*, now: datetime | None = None) -> list[str]:
    """Close every open round whose closing time has passed. Returns the codes closed."""
    now = now or timezone.now()
    due = FundingRound.objects.filter(status=FundingRound.Status.OPEN,
                                      closes_at__lte=now).order_by("closes_at", "pk")
    return _rounds_move(due, expected=FundingRound.Status.OPEN, move=rounds.round_close)


def round_closing_reminders_send(*, now: datetime | None = None) -> int:
    """Three days before an open round closes, tell every active member of each organisation
    that still has a draft in it: one message per person and round, naming their first
    draft, even if they belong to several organisations with drafts. Returns how many
    reminders were written."""
    from applicants.models import Application, ApplicationStatus, Membership

    now = now or timezone.now()
    closing = FundingRound.objects.filter(status=FundingRound.Status.OPEN, closes_at__gt=now,
                                          closes_at__lte=now + ROUND_CLOSING_NOTICE)
    written = 0
    for round_ in closing.order_by("closes_at", "pk"):
        with transaction.atomic():
            locked = FundingRound.objects.select_for_update().get(pk=round_.pk)
            drafts = (Application.objects
                      .filter(round=locked, status=ApplicationStatus.DRAFT)
                      .select_related("organisation").order_by("pk"))
            first_draft_of = {}
            for draft in drafts:
                first_draft_of.setdefault(draft.organisation_id, draft)
            members = (Membership.objects
                       .filter(organisation_id__in=first_draft_of, user__is_active=True)
                       .select_related("user").order_by("user_id", "organisation_id"))
            reminded = set(Notification.objects.filter(
                event="round_closing_soon", context__round_id=locked.pk,
                recipient__isnull=False).values_list("recipient_id", flat=True))
            for membership in members:
                if membership.user_id in reminded:
                    continue
                reminded.add(membership.user_id)
                draft = first_draft_of[membership.organisation_id]
                notify(recipient=membership.user, event="round_closing_soon", context={
                    "round_id": locked.pk, "round": locked.code,
                    "closes_at": _local(locked.closes_at), "application_id": draft.pk,
                    "title": draft.title, **organisation_names(draft.organisation),
                    "url": f"/applicant/applications/{draft.pk}/",
                })
                written += 1
    return written


# --- Reviews -----------------------------------------------------------------------------

def _review_reminder(assignment, *, event: str) -> bool:
    """Remind the reviewer of one assignment, once per event. The caller holds the
    assignment's row lock."""
    if _already_sent(recipient=assignment.reviewer, event=event, key="assignment_id",
                     value=assignment.pk):
        return False
    application = assignment.application
    notify(recipient=assignment.reviewer, event=event, context={
        "assignment_id": assignment.pk, "application_id": application.pk,
        "reference": application.reference or "", "title": application.title,
        **organisation_names(application.organisation), "round": application.round.code,
        "url": reverse("reviews:assignment", args=[assignment.pk]),
        "due_at": _local(assignment.due_at),
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


# --- Offers ------------------------------------------------------------------------------

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
                    "round": grant.round.code, "amount": f"HK${grant.approved_amount:,.2f}",
                    "expires_at": _local(grant.offer_expires_at),
                    "url": f"/applicant/applications/{application.pk}/",
                })
                written += 1
    return written
