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
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.core.validators import validate_email
from django.db import transaction
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
    """The mail server could not take the message now; the task retries with backoff."""


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


def _render(notification: Notification) -> tuple[str, str, str]:
    return notification_render(
        event=notification.event, context=notification.context,
        language=notification.language,
        recipient_name=(notification.recipient.get_full_name()
                        if notification.recipient else notification.to_email),
    )


def delivery_retry_delay(*, retries: int) -> int:
    """Seconds to wait before retry number ``retries + 1`` of a delivery: exponential
    backoff from ``NOTIFICATION_RETRY_BASE_SECONDS``, doubling each time, capped at
    ``NOTIFICATION_RETRY_MAX_SECONDS``."""
    delay = settings.NOTIFICATION_RETRY_BASE_SECONDS * 2 ** max(retries, 0)
    return min(delay, settings.NOTIFICATION_RETRY_MAX_SECONDS)


def notification_deliver(*, notification_id: int) -> str:
    """Send one notification at most once. Returns what happened, for logs and tests.

    The row is locked for the duration of the send, so a duplicate message for the same row
    (a redelivery, or the sweeper racing the original) skips it instead of sending again.
    """
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("recipient")
            .filter(pk=notification_id)
            .first()
        )
        if notification is None:
            return "locked-or-missing"
        if notification.status != Notification.Status.PENDING:
            return f"already-{notification.status}"
        try:
            validate_email(notification.to_email)
        except ValidationError:
            notification.status = Notification.Status.UNDELIVERABLE
            notification.last_error = "Malformed email address"
            notification.save(update_fields=["status", "last_error"])
            return "undeliverable"
        try:
            subject, text, html = _render(notification)
        except Exception as exc:  # noqa: BLE001 - a broken template must not go silent
            notification.status = Notification.Status.FAILED
            notification.last_error = f"Template error: {type(exc).__name__}: {exc}"[:2000]
            notification.save(update_fields=["status", "last_error"])
            logger.error("Notification %s could not be rendered: %s", notification.pk, exc)
            return "failed"
        message = EmailMultiAlternatives(
            subject=subject,
            body=text,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[notification.to_email],
            # A stable Message-ID lets mail servers drop a duplicate of the same notification.
            headers={"Message-ID": f"<aiss-notification-{notification.pk}@cyberport.hk>"},
        )
        message.attach_alternative(html, "text/html")
        notification.attempts += 1
        try:
            message.send(fail_silently=False)
        except Exception as exc:  # noqa: BLE001 - SMTP and socket errors vary by backend
            notification.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            if notification.attempts >= settings.NOTIFICATION_MAX_ATTEMPTS:
                notification.status = Notification.Status.FAILED
                notification.save(update_fields=["attempts", "last_error", "status"])
                logger.error("Notification %s failed after %s attempts", notification.pk,
                             notification.attempts)
                return "failed"
            notification.save(update_fields=["attempts", "last_error"])
            retry_error = TemporaryDeliveryError(notification.last_error)
        else:
            retry_error = None
            _mark_sent(notification, subject)
    if retry_error is not None:
        # Raised after the block so the attempt count and error are committed.
        raise retry_error
    return "sent"


def _mark_sent(notification: Notification, subject: str) -> None:
    notification.status = Notification.Status.SENT
    notification.subject = subject[:255]
    notification.sent_at = timezone.now()
    notification.last_error = ""
    notification.save(update_fields=["status", "subject", "sent_at", "attempts", "last_error"])


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
