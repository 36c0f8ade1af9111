"""The partner organisation's pages for its people: a dashboard of its companies,
applications and API keys; webhook settings; each endpoint's delivery log
with redelivery.

Views parse input with forms and call ``subsidy.webhooks.services.partner`` (the same
functions the API calls, so the rules, messages and audit are the same); another partner's
endpoint or delivery is "not found".
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from applicants.models import Application
from applicants.workflow import public_status, public_steps_ahead, public_timeline
from subsidy.partners import selectors
from subsidy.partners.permissions import partner_of
from subsidy.platform.errors import DomainError
from subsidy.platform.permissions import Action, can
from subsidy.platform.roles import Role
from subsidy.platform.web.errors import add_domain_error
from subsidy.webhooks.models import WebhookDelivery, WebhookEndpoint, WebhookEventType
from subsidy.webhooks.services import partner as partner_webhooks

PAGE_SIZE = 50


class WebhookEndpointForm(forms.Form):
    """The endpoint's settings. Event types are optional here so that the service's own
    message ("Choose at least one event type.") is the one shown, as in the API."""

    url = forms.URLField(
        label=gettext_lazy("URL"), max_length=2000, assume_scheme="https",
        help_text=gettext_lazy("An https address on the public internet that accepts POST "
                               "requests."))
    event_types = forms.MultipleChoiceField(
        label=gettext_lazy("Events to send"), choices=WebhookEventType.choices, required=False,
        widget=forms.CheckboxSelectMultiple)
    active = forms.BooleanField(label=gettext_lazy("Active: send events to this URL"),
                                required=False, initial=True)


def _partner(request):
    """The signed-in person's partner organisation; 403 for anyone else."""
    if not can(request.user, Action.USE_PARTNER_PORTAL):
        raise PermissionDenied
    return partner_of(request.user)


def _endpoint(request, endpoint_id) -> WebhookEndpoint:
    partner = _partner(request)
    try:
        endpoint = selectors.partner_endpoint(partner=partner, endpoint_id=endpoint_id)
    except WebhookEndpoint.DoesNotExist:
        raise Http404 from None
    if not can(request.user, Action.MANAGE_PARTNER_WEBHOOKS, endpoint):
        raise PermissionDenied
    return endpoint


def _event_label(code: str) -> str:
    """The event type's name, or its code for a type no longer offered."""
    return str(WebhookEventType(code).label) if code in WebhookEventType.values else code


def _page(request, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def _secret_page(request, endpoint, *, rotated: bool):
    """The signing secret, shown this once; the page is never cached."""
    return render(request, "subsidy/partner/webhook_secret.html",
                  {"endpoint": endpoint, "rotated": rotated})


@login_required
@require_GET
def partner_dashboard(request):
    if request.user.has_role(Role.PARTNER) and partner_of(request.user) is None:
        return render(request, "subsidy/dashboard_none.html",
                      {"is_partner": True, "partner_not_linked": True})
    partner = _partner(request)
    page = _page(request, selectors.partner_applications(partner=partner))
    return render(request, "subsidy/partner/dashboard.html", {
        "partner": partner,
        "organisations": list(selectors.partner_organisations(partner=partner)),
        "page": page,
        "applications": [{"application": a, "public_status": public_status(a.status)}
                         for a in page],
        "api_keys": list(selectors.partner_api_keys(partner=partner)),
        "now": timezone.now(),
    })


@login_required
@require_GET
def partner_application(request, application_id):
    """An application of one of the partner's companies, as the partner may see it: what
    the API gives it (status, history, round, amounts), never the staff's assessment."""
    partner = _partner(request)
    try:
        application = selectors.partner_application(partner=partner,
                                                    application_id=application_id)
    except Application.DoesNotExist:
        raise Http404 from None
    return render(request, "subsidy/partner/application.html", {
        "partner": partner, "application": application,
        "public_status": public_status(application.status),
        "timeline": public_timeline(application.status_changes.all()),
        "steps_ahead": public_steps_ahead(application.status),
    })


@login_required
@require_GET
def webhook_list(request):
    partner = _partner(request)
    endpoints = list(selectors.partner_endpoints(partner=partner))
    for endpoint in endpoints:
        endpoint.event_labels = [_event_label(code) for code in endpoint.event_types]
    return render(request, "subsidy/partner/webhooks.html",
                  {"partner": partner, "endpoints": endpoints})


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def webhook_new(request):
    partner = _partner(request)
    form = WebhookEndpointForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            endpoint = partner_webhooks.partner_webhook_create(
                actor=request.user, partner=partner, **form.cleaned_data)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("The webhook endpoint has been registered."))
            return _secret_page(request, endpoint, rotated=False)
    return render(request, "subsidy/partner/webhook_form.html",
                  {"partner": partner, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def webhook_edit(request, endpoint_id):
    endpoint = _endpoint(request, endpoint_id)
    initial = {"url": endpoint.url, "event_types": endpoint.event_types,
               "active": endpoint.active}
    form = WebhookEndpointForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        changes = {name: value for name, value in form.cleaned_data.items()
                   if value != initial[name]}
        try:
            if changes:
                partner_webhooks.partner_webhook_update(actor=request.user, endpoint=endpoint,
                                                        **changes)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("The webhook endpoint has been saved."))
            return redirect("partner:webhooks")
    return render(request, "subsidy/partner/webhook_form.html",
                  {"partner": endpoint.partner, "form": form, "endpoint": endpoint})


@never_cache
@login_required
@require_POST
def webhook_rotate_secret(request, endpoint_id):
    endpoint = _endpoint(request, endpoint_id)
    endpoint = partner_webhooks.partner_webhook_rotate_secret(actor=request.user,
                                                              endpoint=endpoint)
    messages.success(request, _("The signing secret has been replaced."))
    return _secret_page(request, endpoint, rotated=True)


@login_required
@require_http_methods(["GET", "POST"])
def webhook_delete(request, endpoint_id):
    endpoint = _endpoint(request, endpoint_id)
    if request.method == "POST":
        partner_webhooks.partner_webhook_delete(actor=request.user, endpoint=endpoint)
        messages.success(request, _("The webhook endpoint and its delivery log have been "
                                    "deleted."))
        return redirect("partner:webhooks")
    return render(request, "subsidy/partner/webhook_delete.html", {"endpoint": endpoint})


@login_required
@require_GET
def webhook_deliveries(request, endpoint_id):
    endpoint = _endpoint(request, endpoint_id)
    page = _page(request, selectors.endpoint_deliveries(endpoint=endpoint))
    for delivery in page:
        delivery.event_label = _event_label(delivery.event_type)
    return render(request, "subsidy/partner/webhook_deliveries.html",
                  {"endpoint": endpoint, "page": page})


@login_required
@require_POST
def webhook_redeliver(request, endpoint_id, delivery_id):
    endpoint = _endpoint(request, endpoint_id)
    delivery = WebhookDelivery.objects.filter(pk=delivery_id, endpoint=endpoint).first()
    if delivery is None:
        raise Http404
    delivery.endpoint = endpoint
    try:
        partner_webhooks.partner_webhook_redeliver(actor=request.user, delivery=delivery)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The event will be sent again; the new delivery is at "
                                    "the top of the log."))
    return redirect("partner:webhook_deliveries", endpoint.pk)
