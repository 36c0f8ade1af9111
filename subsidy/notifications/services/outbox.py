"""The notification outbox: write in the caller's transaction, deliver after commit.

``notify`` writes one ``Notification`` row per message. When the transaction commits, the
delivery task is enqueued; if the broker cannot be reached the row simply stays pending and
``outbox_sweep`` (run by celery beat) enqueues it later. ``notification_deliver`` renders the
text and HTML templates in the recipient's language, sends once, and marks the row sent;
a redelivered message finds the row sent (or locked by another worker) and does nothing.

Every event must be listed in ``subsidy.notifications.events``. The row is the in-app inbox
entry too, so it is always written; the recipient's preferences only decide whether an
optional event also goes by email (``Notification.Status.EMAIL_OFF`` when it does not).
"""

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.core.validators import validate_email
from django.db import InterfaceError, OperationalError, connection, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from subsidy.notifications.events import NotificationEvent, event_get
from subsidy.notifications.models import Notification, NotificationPreference
from subsidy.platform.audit import audit_record, snapshot
from subsidy.platform.errors import DomainError
from subsidy.platform.permissions import Action, require
from subsidy.platform.queue import task_enqueue

logger = logging.getLogger(__name__)


class TemporaryDeliveryError(Exception):
    """The mail server could not take the message now; the task retries after
    ``retry_in`` seconds (the backoff of ``delivery_retry_delay``)."""

    def __init__(self, message: str, *, retry_in: int = 0):
        super().__init__(message)
        self.retry_in = retry_in


def email_wanted(*, recipient, event: NotificationEvent) -> bool:
    """Whether ``event`` goes to ``recipient`` by email: always for a mandatory event or a
    message to an address without an account, otherwise as the recipient's preference
    says, falling back to the event's default."""
    if event.mandatory or recipient is None:
        return True
    preference = (NotificationPreference.objects.filter(user=recipient, event=event.code)
                  .values_list("email_enabled", flat=True).first())
    return event.email_default() if preference is None else preference


def notify(*, recipient=None, event: str, context: dict | None = None,
           to_email: str | None = None, language: str | None = None) -> Notification:
    """Queue one message to one person. ``event`` must be registered in
    ``subsidy.notifications.events`` (``UnknownNotificationEventError`` otherwise).
    ``context`` must be JSON-serialisable; templates live in
    ``templates/notifications/<event>/`` as ``subject.txt``, ``body.txt`` and ``body.html``.

    The notification always lands in the recipient's in-app inbox; it is emailed unless the
    event is optional and the recipient switched its email off."""
    spec = event_get(event)
    email = to_email or (recipient.email if recipient else "")
    lang = language or (recipient.language if recipient else settings.LANGUAGE_CODE)
    send = email_wanted(recipient=recipient, event=spec)
    notification = Notification.objects.create(
        recipient=recipient,
        to_email=email,
        event=event,
        context=context or {},
        language=lang,
        status=Notification.Status.PENDING if send else Notification.Status.EMAIL_OFF,
    )
    if send:
        transaction.on_commit(lambda: notification_enqueue(notification_id=notification.pk))
    return notification


DELIVER_TASK = "subsidy.tasks.deliver_notification"


def notification_enqueue(*, notification_id: int) -> None:
    """Hand a pending notification to the broker. A broker outage is logged, not raised:
    the row stays pending and the sweeper enqueues it once the broker is back."""
    try:
        task_enqueue(DELIVER_TASK, notification_id)
    except Exception:  # noqa: BLE001 - any broker failure must not break the caller
        logger.warning("Broker unavailable; notification %s left for the sweeper",
                       notification_id, exc_info=True)
        return
    Notification.objects.filter(pk=notification_id, enqueued_at__isnull=True).update(
        enqueued_at=timezone.now()
    )


def organisation_names(organisation) -> dict:
    """Context entries naming ``organisation`` in English and, where it has one, Chinese:
    each recipient reads the name in their own language."""
    return {"organisation": organisation.name_en, "organisation_zh": organisation.name_zh or ""}


def notification_render(*, event: str, context: dict, language: str,
                        recipient_name: str) -> tuple[str, str, str]:
    """The subject, text body and HTML body of ``event`` in ``language``. Raises whatever the
    template engine raises: delivery reports it, the preview page shows it."""
    context = {**context, "recipient_name": recipient_name, "site_url": settings.SITE_URL}
    if language.startswith("zh") and context.get("organisation_zh"):
        context["organisation"] = context["organisation_zh"]
    base = f"notifications/{event}"
    with translation.override(language):
        subject = " ".join(render_to_string(f"{base}/subject.txt", context).split())
        text = render_to_string(f"{base}/body.txt", context)
        html = render_to_string(f"{base}/body.html", context)
    return subject, text, html


def delivery_retry_delay(*, retries: int) -> int:
    """Seconds to wait before retry number ``retries + 1`` of a delivery: exponential
    backoff from ``NOTIFICATION_RETRY_BASE_SECONDS``, doubling each time, capped at
    ``NOTIFICATION_RETRY_MAX_SECONDS``."""
    delay = settings.NOTIFICATION_RETRY_BASE_SECONDS * 2 ** max(retries, 0)
    return min(delay, settings.NOTIFICATION_RETRY_MAX_SECONDS)


class NotYetVisible(Exception):
    """The task arrived before the transaction that wrote its row was visible to the worker;
    the task retries shortly instead of dropping the message."""


class ClaimedElsewhere(Exception):
    """Another delivery holds the row's claim. The task tries again once that claim expires,
    so a row whose worker died is delivered without waiting for the sweeper."""

    def __init__(self, seconds_left: float):
        super().__init__(f"claimed for another {seconds_left:.0f}s")
        self.seconds_left = seconds_left


class AlreadyDelivered(Exception):
    """The row is no longer pending: sent, failed, undeliverable or email turned off."""

    def __init__(self, status: str):
        super().__init__(status)
        self.status = status


def _claim_sql() -> str:
    table = connection.ops.quote_name(Notification._meta.db_table)
    users = connection.ops.quote_name(Notification._meta.get_field("recipient")
                                      .related_model._meta.db_table)
    # Table names from the models, values as parameters.
    return (
        f"UPDATE {table} SET claimed_until = %s, claim_token = %s, attempts = attempts + 1 "  # noqa: S608
        f"WHERE id = %s AND status = %s AND (claimed_until IS NULL OR claimed_until < %s) "
        f"RETURNING to_email, event, context, language, attempts, "
        f"(SELECT CASE WHEN u.full_name <> '' THEN u.full_name ELSE u.email END "
        f"FROM {users} u WHERE u.id = {table}.recipient_id)"
    )


# The claim and the settle each commit on their own; on PostgreSQL that commit does not wait
# for the WAL to reach the disk (most of a delivery's time otherwise). A server crash can lose
# the last moments of claims and outcomes: those rows are pending again and the sweeper sends
# them once more, with the same Message-ID; none is lost. Never inside a caller's transaction.
ASYNC_COMMIT = "; SET LOCAL synchronous_commit = off"


def _own_commit(sql: str) -> str:
    """``sql`` as a statement committed on its own: asynchronously on PostgreSQL (the
    ``SET LOCAL`` runs in the same implicit transaction, without a round trip of its own),
    as it is inside a caller's transaction."""
    if connection.in_atomic_block or connection.vendor != "postgresql":
        return sql
    return sql + ASYNC_COMMIT


def _claim_row(params: list):
    """Run the claim. It is a delivery's first statement and a transaction of its own, so it
    does without the health check Django makes before a connection's first statement of each
    task (a third round trip per delivery): when the server has dropped the connection, the
    claim reconnects and runs once more. Run again, it cannot claim twice: a claim that did
    commit before the connection broke is found as another delivery's and retried after its
    lease."""
    if connection.in_atomic_block:
        return _claim_execute(params)
    connection.health_check_done = True
    try:
        return _claim_execute(params)
    except (InterfaceError, OperationalError):
        connection.close()
    return _claim_execute(params)


def _claim_execute(params: list):
    with connection.cursor() as cursor:
        cursor.execute(_own_commit(_claim_sql()), params)
        return cursor.fetchone()


@dataclass(frozen=True)
class Claim:
    """What one delivery holds: the row's message, its token and the attempt it is."""

    notification_id: int
    token: str
    to_email: str
    event: str
    context: dict
    language: str
    attempts: int
    recipient_name: str


def notification_claim(*, notification_id: int, now=None) -> Claim:
    """Claim a pending notification for one delivery with one statement: the row is taken for
    ``NOTIFICATION_LEASE_SECONDS`` and its attempt counted, and no lock is held while the
    message is sent. Raises ``NotYetVisible`` for a row this connection cannot see yet,
    ``ClaimedElsewhere`` while another delivery's claim runs, ``AlreadyDelivered`` for a row
    that is no longer pending."""
    now = now or timezone.now()
    token = uuid.uuid4().hex
    adapt = connection.ops.adapt_datetimefield_value
    row = _claim_row([adapt(now + timedelta(seconds=settings.NOTIFICATION_LEASE_SECONDS)),
                      token, notification_id, Notification.Status.PENDING, adapt(now)])
    if row is None:
        current = (Notification.objects.filter(pk=notification_id)
                   .values("status", "claimed_until").first())
        if current is None:
            raise NotYetVisible(notification_id)
        if current["status"] != Notification.Status.PENDING:
            raise AlreadyDelivered(current["status"])
        raise ClaimedElsewhere((current["claimed_until"] - now).total_seconds())
    to_email, event, context, language, attempts, name = row
    context = Notification._meta.get_field("context").from_db_value(context, None, connection)
    return Claim(notification_id=notification_id, token=token, to_email=to_email, event=event,
                 context=context, language=language, attempts=attempts,
                 recipient_name=name or to_email)


def _settle(claim: Claim, **fields) -> bool:
    """Record a delivery's outcome and release its claim, in one statement that only the
    claim's holder can make. False when the claim had expired and another delivery took it.
    Written as SQL, as the claim is: building it through the ORM cost about a tenth of a
    delivery's processor time."""
    quote = connection.ops.quote_name
    columns, params = [], []
    for name, value in {"claimed_until": None, "claim_token": "", **fields}.items():
        field = Notification._meta.get_field(name)
        columns.append(f"{quote(field.column)} = %s")
        params.append(field.get_db_prep_save(value, connection))
    # Column and table names from the model, values as parameters.
    sql = (f"UPDATE {quote(Notification._meta.db_table)} SET {', '.join(columns)} "  # noqa: S608
           f"WHERE id = %s AND claim_token = %s")
    with connection.cursor() as cursor:
        cursor.execute(_own_commit(sql), [*params, claim.notification_id, claim.token])
        return cursor.rowcount == 1


def notification_message_id(notification_id: int) -> str:
    """The Message-ID of a notification's email: the same on every attempt, so a mail system
    that receives a duplicate (see ``notification_deliver``) can fold it."""
    return f"<aiss-notification-{notification_id}@{settings.NOTIFICATION_MESSAGE_ID_DOMAIN}>"


def notification_deliver(*, notification_id: int) -> str:
    """Send one notification. Returns what happened, for logs and tests.

    Delivery is at-least-once with one stable Message-ID. The row is claimed with one
    ``UPDATE`` (a lease, ``notification_claim``), the email is sent with no transaction or
    lock open, and the outcome is recorded with one ``UPDATE`` as soon as the mail server
    has answered. A redelivered task or the sweeper finds the row sent, or claimed and
    retries after the claim expires. A second email can only follow a worker that dies in the
    moment between the server accepting the message and that ``UPDATE``, or a send that
    outlives its claim (prevented by ``EMAIL_TIMEOUT`` < ``NOTIFICATION_LEASE_SECONDS``), or
    a PostgreSQL crash that loses the last moments of claims and outcomes (``ASYNC_COMMIT``);
    both emails then carry the same Message-ID.

    Raises ``NotYetVisible`` and ``ClaimedElsewhere`` for the task to retry, and
    ``TemporaryDeliveryError`` when the mail server refused and attempts remain.
    """
    try:
        claim = notification_claim(notification_id=notification_id)
    except AlreadyDelivered as exc:
        return f"already-{exc.status}"
    try:
        validate_email(claim.to_email)
    except ValidationError:
        _settle(claim, status=Notification.Status.UNDELIVERABLE,
                last_error="Malformed email address")
        return "undeliverable"
    try:
        subject, text, html = notification_render(
            event=claim.event, context=claim.context, language=claim.language,
            recipient_name=claim.recipient_name)
    except Exception as exc:  # noqa: BLE001 - a broken template must not go silent
        _settle(claim, status=Notification.Status.FAILED,
                last_error=f"Template error: {type(exc).__name__}: {exc}"[:2000])
        logger.error("Notification %s could not be rendered: %s", notification_id, exc)
        return "failed"
    message = EmailMultiAlternatives(
        subject=subject, body=text, from_email=settings.DEFAULT_FROM_EMAIL,
        to=[claim.to_email], headers={"Message-ID": notification_message_id(notification_id)})
    message.attach_alternative(html, "text/html")
    try:
        message.send(fail_silently=False)
    except Exception as exc:  # noqa: BLE001 - SMTP and socket errors vary by backend
        error = f"{type(exc).__name__}: {exc}"[:2000]
        if claim.attempts >= settings.NOTIFICATION_MAX_ATTEMPTS:
            _settle(claim, status=Notification.Status.FAILED, last_error=error)
            logger.error("Notification %s failed after %s attempts", notification_id,
                         claim.attempts)
            return "failed"
        # The retry is due after the backoff: the sweeper leaves the row alone until then.
        retry_in = delivery_retry_delay(retries=claim.attempts - 1)
        _settle(claim, last_error=error,
                enqueued_at=timezone.now() + timedelta(seconds=retry_in))
        raise TemporaryDeliveryError(error, retry_in=retry_in) from exc
    if not _settle(claim, status=Notification.Status.SENT, subject=subject[:255],
                   sent_at=timezone.now(), last_error=""):
        logger.warning("Notification %s was sent after its claim expired; another delivery "
                       "may send it again with the same Message-ID", notification_id)
    return "sent"


def outbox_sweep(*, now=None) -> int:
    """Enqueue pending notifications that were never handed to the broker, or that were
    handed over long enough ago to have been lost. Returns how many were enqueued."""
    now = now or timezone.now()
    stale = now - timedelta(seconds=settings.OUTBOX_STALE_SECONDS)
    pending = Notification.objects.filter(status=Notification.Status.PENDING,
                                          created_at__lte=stale)
    ids = list(
        pending.filter(enqueued_at__isnull=True).values_list("pk", flat=True)[:1000]
    ) + list(pending.filter(enqueued_at__lte=stale).values_list("pk", flat=True)[:1000])
    for notification_id in ids:
        Notification.objects.filter(pk=notification_id).update(enqueued_at=None)
        notification_enqueue(notification_id=notification_id)
    return len(ids)


RESENDABLE = (Notification.Status.FAILED, Notification.Status.UNDELIVERABLE)


def notification_resend(*, actor, notification_id: int) -> Notification:
    """Give a failed or undeliverable notification another go: back to pending with no
    attempts counted, to the recipient's current address, enqueued after commit. Only
    administrators may; the change is audited. Anything else is refused, so a sent message
    is never sent twice."""
    require(actor, Action.MANAGE_USERS)
    fields = ["status", "attempts", "last_error", "to_email"]
    with transaction.atomic():
        notification = (Notification.objects.select_for_update(of=("self",))
                        .select_related("recipient").get(pk=notification_id))
        if notification.status not in RESENDABLE:
            raise DomainError(_("Only failed or undeliverable notifications can be re-sent."))
        before = snapshot(notification, fields)
        if notification.recipient is not None:
            notification.to_email = notification.recipient.email
        notification.status = Notification.Status.PENDING
        notification.attempts = 0
        notification.last_error = ""
        notification.enqueued_at = None
        notification.save(update_fields=[*fields, "enqueued_at"])
        audit_record(actor=actor, action="notification.resend", obj=notification,
                     before=before, after=snapshot(notification, fields))
        transaction.on_commit(lambda: notification_enqueue(notification_id=notification.pk))
    return notification


def local_time_text(moment: datetime) -> str:
    """A time as the templates show it: Hong Kong time, the same in every language."""
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")
