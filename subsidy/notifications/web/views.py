"""The in-app inbox and notification preferences of every user, and the administrators'
pages for notifications: the ones that could not be delivered (with re-send) and a preview
of every event's templates in both languages.

Views parse input and call ``subsidy.notifications.services.inbox`` and ``.outbox``.
"""

from csp.decorators import csp_replace
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from subsidy.notifications import selectors
from subsidy.notifications.events import EVENTS, REGISTRY, event_label
from subsidy.notifications.models import Notification
from subsidy.notifications.services import inbox as inbox_services
from subsidy.notifications.services.outbox import notification_render, notification_resend
from subsidy.platform.errors import DomainError
from subsidy.platform.permissions import Action, can
from subsidy.platform.web.errors import add_domain_error
from subsidy.webhooks.models import WebhookDelivery
from subsidy.webhooks.services.delivery import webhook_delivery_resend

PAGE_SIZE = 20


def _page(request, queryset, param: str = "page"):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get(param))


def _own_link(notification: Notification) -> str:
    """The page a notification is about, when its context names one on this site."""
    url = notification.context.get("url") if isinstance(notification.context, dict) else None
    if isinstance(url, str) and url.startswith("/") and not url.startswith("//"):
        return url
    return ""


# --- Inbox ---------------------------------------------------------------------------------

@login_required
@require_GET
def inbox(request):
    page = _page(request, selectors.inbox_for_user(user=request.user))
    for notification in page:
        notification.title = event_label(notification.event)
        notification.link = _own_link(notification)
    return render(request, "subsidy/inbox/list.html", {"page": page})


def _back_to_inbox(request):
    page = request.POST.get("page", "")
    response = redirect("notifications:inbox")
    if page.isdigit():
        response["Location"] += f"?page={page}"
    return response


@login_required
@require_POST
def inbox_mark_read(request, pk: int):
    try:
        notification = inbox_services.notification_mark_read(user=request.user,
                                                             notification_id=pk)
    except Notification.DoesNotExist:
        raise Http404 from None
    link = _own_link(notification)
    if request.POST.get("open") and link:
        return redirect(link)
    return _back_to_inbox(request)


@login_required
@require_POST
def inbox_mark_all_read(request):
    count = inbox_services.notifications_mark_all_read(user=request.user)
    messages.success(request, _("%(count)d notifications marked as read.") % {"count": count})
    return _back_to_inbox(request)


class PreferencesForm(forms.Form):
    """One checkbox per event that may reach the user: "also send by email"."""

    def __init__(self, *args, choices, **kwargs):
        super().__init__(*args, **kwargs)
        for event, enabled in choices:
            help_text = (gettext_lazy("Required: always sent by email.") if event.mandatory
                         else gettext_lazy("Optional: untick to stop the emails."))
            self.fields[event.code] = forms.BooleanField(
                label=event.label, required=False, initial=enabled,
                disabled=event.mandatory, help_text=help_text)
        self.mandatory = {event.code for event, _enabled in choices if event.mandatory}


@login_required
@require_http_methods(["GET", "POST"])
def inbox_preferences(request):
    choices = selectors.preferences_for_user(user=request.user)
    form = PreferencesForm(request.POST or None, choices=choices)
    if request.method == "POST" and form.is_valid():
        wanted = {code: value for code, value in form.cleaned_data.items()
                  if code not in form.mandatory}
        try:
            inbox_services.notification_preferences_set(user=request.user,
                                                        email_enabled=wanted)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Your notification preferences have been saved."))
            return redirect("notifications:preferences")
    return render(request, "subsidy/inbox/preferences.html", {"form": form})


# --- Administrators ------------------------------------------------------------------------

def _require_administrator(request):
    if not can(request.user, Action.MANAGE_USERS):
        raise PermissionDenied


@login_required
@require_GET
def notification_failures(request):
    _require_administrator(request)
    page = _page(request, selectors.notifications_needing_attention())
    for notification in page:
        notification.title = event_label(notification.event)
    webhooks = _page(request, selectors.webhook_deliveries_needing_attention(),
                     "webhooks_page")
    return render(request, "subsidy/inbox/failures.html", {"page": page, "webhooks": webhooks})


@login_required
@require_POST
def notification_resend_view(request, pk: int):
    _require_administrator(request)
    try:
        notification_resend(actor=request.user, notification_id=pk)
    except Notification.DoesNotExist:
        raise Http404 from None
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Notification %(id)s queued to be sent again.")
                         % {"id": pk})
    return redirect("notifications:failures")


@login_required
@require_POST
def webhook_delivery_resend_view(request, pk: int):
    _require_administrator(request)
    try:
        redelivery = webhook_delivery_resend(actor=request.user, delivery_id=pk)
    except WebhookDelivery.DoesNotExist:
        raise Http404 from None
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Webhook delivery %(id)s queued to be sent again as "
                                    "delivery %(new)s.") % {"id": pk, "new": redelivery.pk})
    return redirect("notifications:failures")


# Names used in previews, as a recipient in each language would be addressed.
PREVIEW_NAMES = {"en": "Chan Tai Man", "zh-hant": "陳大文"}


def _preview(event, language: str) -> dict:
    try:
        subject, text, html = notification_render(
            event=event.code, context=event.sample_context, language=language,
            recipient_name=PREVIEW_NAMES.get(language, PREVIEW_NAMES["en"]))
    except Exception as exc:  # noqa: BLE001 - any template failure is shown, not hidden
        return {"language": language, "error": f"{type(exc).__name__}: {exc}"}
    return {"language": language, "subject": subject, "text": text, "html": html}


def _event_or_404(code: str):
    event = REGISTRY.get(code)
    if event is None:
        raise Http404
    return event


@login_required
@require_GET
def notification_previews(request):
    _require_administrator(request)
    return render(request, "subsidy/inbox/previews.html", {"events": EVENTS})


@login_required
@require_GET
def notification_preview(request, event: str):
    _require_administrator(request)
    spec = _event_or_404(event)
    previews = [_preview(spec, code) for code, _name in settings.LANGUAGES]
    names = dict(settings.LANGUAGES)
    for preview in previews:
        preview["language_name"] = names[preview["language"]]
    return render(request, "subsidy/inbox/preview.html", {"event": spec, "previews": previews})


@login_required
@require_GET
@xframe_options_sameorigin
# The email's own HTML, shown framed in the preview page: its inline styles are allowed,
# scripts are not, and only this site may frame it.
@csp_replace({"style-src": ["'unsafe-inline'"], "frame-ancestors": ["'self'"],
              "script-src": ["'none'"]})
def notification_preview_html(request, event: str, language: str):
    _require_administrator(request)
    spec = _event_or_404(event)
    if language not in dict(settings.LANGUAGES):
        raise Http404
    preview = _preview(spec, language)
    if "error" in preview:
        return HttpResponse(preview["error"], content_type="text/plain; charset=utf-8")
    return HttpResponse(preview["html"])
