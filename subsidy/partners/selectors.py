"""What a partner organisation's people see on its pages: its companies, their applications,
API keys, webhook endpoints and their delivery log. Each list is one query
whatever its length."""

from django.db.models import Prefetch, QuerySet

from applicants import selectors as applicant_selectors
from applicants.models import Application, Organisation, StatusChange
from subsidy.api.models import ApiKey
from subsidy.platform.models import PartnerOrganisation
from subsidy.webhooks.models import WebhookDelivery, WebhookEndpoint


def partner_organisations(*, partner: PartnerOrganisation) -> QuerySet[Organisation]:
    """The companies the partner holds an active link to, with the link's start and origin."""
    return applicant_selectors.organisations_for_partner(partner=partner).order_by("name_en",
                                                                                   "id")


def partner_applications(*, partner: PartnerOrganisation) -> QuerySet[Application]:
    """The applications of the partner's companies, last changed first."""
    return (applicant_selectors.applications_for_partner(partner=partner)
            .select_related("organisation").order_by("-updated_at", "-id"))


def partner_application(*, partner: PartnerOrganisation, application_id: int) -> Application:
    """One application of the partner's companies, with its round and its status history;
    ``Application.DoesNotExist`` for any other."""
    return (applicant_selectors.applications_for_partner(partner=partner)
            .select_related("organisation", "round")
            .prefetch_related(Prefetch("status_changes",
                                       queryset=StatusChange.objects.order_by("at", "id")))
            .get(pk=application_id))


def partner_api_keys(*, partner: PartnerOrganisation) -> QuerySet[ApiKey]:
    """The partner's keys, revoked ones included; the secret is never stored."""
    return ApiKey.objects.filter(partner=partner).defer("hashed_key")


def partner_endpoints(*, partner: PartnerOrganisation) -> QuerySet[WebhookEndpoint]:
    return WebhookEndpoint.objects.filter(partner=partner).defer("secret")


def partner_endpoint(*, partner: PartnerOrganisation, endpoint_id: int) -> WebhookEndpoint:
    """One of the partner's endpoints; ``WebhookEndpoint.DoesNotExist`` for any other id."""
    return WebhookEndpoint.objects.select_related("partner").get(pk=endpoint_id,
                                                                 partner=partner)


def endpoint_deliveries(*, endpoint: WebhookEndpoint) -> QuerySet[WebhookDelivery]:
    """The endpoint's delivery log, newest first."""
    return WebhookDelivery.objects.filter(endpoint=endpoint).defer("payload")
