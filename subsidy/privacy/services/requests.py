"""Data access requests from people without an account (PDPO s.18–19): recorded as cases,
answered within 40 days of receipt, with reminders to the privacy officer and the
administrators before the due date and once it has passed."""

from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from subsidy.notifications.services.outbox import notify
from subsidy.platform.audit import audit_record, snapshot
from subsidy.platform.errors import DomainError
from subsidy.platform.models import User
from subsidy.platform.permissions import Action, require
from subsidy.platform.roles import Role
from subsidy.platform.selectors import users_with_role
from subsidy.privacy.models import DAR_RESPONSE_DAYS, DataAccessRequest

CASE_FIELDS = ["requester_name", "requester_email", "requester_address", "received_on",
               "description", "status", "notes", "closed_on"]


def _check_dates(*, received_on: date, closed_on: date | None, today: date) -> None:
    if received_on > today:
        raise DomainError(_("The date received cannot be in the future."), field="received_on")
    if closed_on is not None and closed_on < received_on:
        raise DomainError(_("A request cannot be closed before it was received."),
                          field="closed_on")


@transaction.atomic
def data_access_request_record(*, actor: User, requester_name: str, requester_email: str = "",
                               requester_address: str = "", received_on: date,
                               description: str, notes: str = "") -> DataAccessRequest:
    """Record a request received on paper or by email. Its 40-day clock starts on the day
    it was received, not the day it was recorded."""
    require(actor, Action.MANAGE_DATA_ACCESS_REQUESTS)
    _check_dates(received_on=received_on, closed_on=None, today=timezone.localdate())
    case = DataAccessRequest.objects.create(
        requester_name=requester_name.strip(), requester_email=requester_email.strip(),
        requester_address=requester_address.strip(), received_on=received_on,
        description=description.strip(), notes=notes.strip(), created_by=actor)
    audit_record(actor=actor, action="dar.record", obj=case,
                 after=snapshot(case, CASE_FIELDS))
    return case


@transaction.atomic
def data_access_request_update(*, actor: User, case: DataAccessRequest,
                               **changes) -> DataAccessRequest:
    """Change a case's details, notes or status. Closing it (complied with, refused,
    withdrawn) stamps today's date unless one is given; reopening clears it."""
    require(actor, Action.MANAGE_DATA_ACCESS_REQUESTS)
    unknown = set(changes) - set(CASE_FIELDS)
    if unknown:
        raise DomainError(_("These fields cannot be changed here: %(fields)s.")
                          % {"fields": ", ".join(sorted(unknown))})
    stored = DataAccessRequest.objects.select_for_update().get(pk=case.pk)
    before = snapshot(stored, CASE_FIELDS)
    for name, value in changes.items():
        setattr(stored, name, value.strip() if isinstance(value, str) else value)
    if stored.status == DataAccessRequest.Status.OPEN:
        stored.closed_on = None
    elif stored.closed_on is None:
        stored.closed_on = timezone.localdate()
    _check_dates(received_on=stored.received_on, closed_on=stored.closed_on,
                 today=timezone.localdate())
    stored.save()
    after = snapshot(stored, CASE_FIELDS)
    changed = [k for k in CASE_FIELDS if before[k] != after[k]]
    if changed:
        audit_record(actor=actor, action="dar.update", obj=stored,
                     before={k: before[k] for k in changed},
                     after={k: after[k] for k in changed})
    return stored


def _recipients() -> list[User]:
    return list(users_with_role(Role.ADMINISTRATOR).order_by("pk"))


def _remind(case: DataAccessRequest, event: str) -> None:
    context = {"case_id": case.pk, "reference": case.reference,
               "requester": case.requester_name, "received_on": case.received_on.isoformat(),
               "due_on": case.due_on.isoformat(),
               "url": reverse("privacy:request", args=[case.pk])}
    for user in _recipients():
        notify(recipient=user, event=event, context=context)
    if settings.PRIVACY_OFFICER_EMAIL:
        notify(event=event, context=context, to_email=settings.PRIVACY_OFFICER_EMAIL)


def data_access_request_reminders_send(*, now: datetime | None = None) -> int:
    """Remind the privacy officer and the administrators of each open request once when it
    is ``DAR_REMINDER_DAYS`` from its due date, and once more when it is overdue. Each case
    is locked and its reminder stamped in the same transaction as the notifications, so
    running the job twice, or twice at once, reminds nobody twice. Returns how many cases
    were reminded about."""
    today = timezone.localtime(now or timezone.now()).date()
    soon = today + timedelta(days=settings.DAR_REMINDER_DAYS)
    open_cases = DataAccessRequest.objects.filter(status=DataAccessRequest.Status.OPEN)
    steps = [
        # (event, stamp field, cases received on or before this day are due)
        ("data_access_request_overdue", "overdue_reminded_at",
         today - timedelta(days=DAR_RESPONSE_DAYS + 1)),
        ("data_access_request_due_soon", "due_soon_reminded_at",
         soon - timedelta(days=DAR_RESPONSE_DAYS)),
    ]
    reminded = 0
    for event, stamp, received_by in steps:
        candidates = open_cases.filter(**{f"{stamp}__isnull": True,
                                          "received_on__lte": received_by})
        for pk in list(candidates.order_by("pk").values_list("pk", flat=True)):
            with transaction.atomic():
                case = (DataAccessRequest.objects.select_for_update()
                        .filter(pk=pk, status=DataAccessRequest.Status.OPEN,
                                **{f"{stamp}__isnull": True}).first())
                if case is None:
                    continue
                if event == "data_access_request_due_soon" and case.overdue_reminded_at:
                    continue  # already told it is overdue: "due soon" would mislead
                _remind(case, event)
                setattr(case, stamp, now or timezone.now())
                case.save(update_fields=[stamp])
                reminded += 1
    return reminded
