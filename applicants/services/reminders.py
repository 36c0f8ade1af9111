"""The reminders to drafts before their round closes, scheduled jobs. The round-closing
reminder is written at most once per person and round; the draft reminder once per draft,
window and person. Under the round's row lock, each job looks for a notification of the same
event to the same person that names the round (and the draft and window), and sends only if
there is none."""

from datetime import datetime, timedelta

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from subsidy.notifications.models import Notification
from subsidy.notifications.services.outbox import local_time_text, notify, organisation_names
from subsidy.scheme.models import FundingRound

ROUND_CLOSING_NOTICE = timedelta(days=3)


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
                    "closes_at": local_time_text(locked.closes_at), "application_id": draft.pk,
                    "title": draft.title, **organisation_names(draft.organisation),
                    "url": reverse("applicants:application", args=[draft.pk]),
                })
                written += 1
    return written


# Reminders to each draft not submitted, in windows before its round closes, widest first:
# a draft gets one reminder per window it is found in, to each of its editing members.
DRAFT_REMINDER_WINDOWS = (("14d", timedelta(days=14)), ("1d", timedelta(days=1)))


def draft_reminder_window(time_left: timedelta) -> str | None:
    """The narrowest window that ``time_left`` before the deadline falls in, or None."""
    code = None
    for window, span in DRAFT_REMINDER_WINDOWS:
        if timedelta(0) < time_left <= span:
            code = window
    return code


def draft_reminders_send(*, now: datetime | None = None) -> int:
    """Remind the owners and editors of every draft not submitted in an open round that
    closes within a window (``DRAFT_REMINDER_WINDOWS``): one reminder per draft, window and
    person. Under the round's row lock the job reads which reminders were written already
    (the notification names the draft and the window), so running it again, late or twice,
    writes nothing more; a window passed while the job did not run is not made up for.
    Returns how many reminders were written."""
    from applicants.models import Application, ApplicationStatus, Membership

    now = now or timezone.now()
    widest = max(span for _window, span in DRAFT_REMINDER_WINDOWS)
    closing = FundingRound.objects.filter(status=FundingRound.Status.OPEN, closes_at__gt=now,
                                          closes_at__lte=now + widest)
    written = 0
    for round_ in closing.order_by("closes_at", "pk"):
        window = draft_reminder_window(round_.closes_at - now)
        with transaction.atomic():
            locked = FundingRound.objects.select_for_update().get(pk=round_.pk)
            drafts = {draft.pk: draft for draft in Application.objects.filter(
                round=locked, status=ApplicationStatus.DRAFT).select_related("organisation")}
            members_of = {}
            for membership in (Membership.objects.filter(
                    organisation_id__in={d.organisation_id for d in drafts.values()},
                    user__is_active=True,
                    role__in=[Membership.Role.OWNER, Membership.Role.EDITOR])
                    .select_related("user").order_by("user_id")):
                members_of.setdefault(membership.organisation_id, []).append(membership.user)
            sent = set(Notification.objects.filter(
                event="draft_not_submitted", context__round_id=locked.pk,
                context__window=window, recipient__isnull=False,
            ).values_list("recipient_id", "context__application_id"))
            for pk, draft in sorted(drafts.items()):
                for user in members_of.get(draft.organisation_id, []):
                    if (user.pk, pk) in sent:
                        continue
                    sent.add((user.pk, pk))
                    notify(recipient=user, event="draft_not_submitted", context={
                        "round_id": locked.pk, "round": locked.code, "window": window,
                        "closes_at": local_time_text(locked.closes_at),
                        "application_id": pk, "title": draft.title or "",
                        **organisation_names(draft.organisation),
                        "url": reverse("applicants:application", args=[pk]),
                    })
                    written += 1
    return written
