"""The round-closing reminder, a scheduled job. It is written at most once per person and
round: under the round's row lock, the job looks for a notification of the same event to the
same person that names the round, and sends only if there is none."""

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
