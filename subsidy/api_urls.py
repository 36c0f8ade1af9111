"""URLs under ``/api/``: version 1 of the REST API, and a problem+json 404 for anything
else."""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView

from subsidy import api, api_reports
from subsidy.api_errors import ApiNotFound

v1 = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", api.ApiDocs.as_view(), name="api-docs"),
    path("rounds/", api.RoundList.as_view(), name="api-round-list"),
    path("rounds/<str:code>/", api.RoundDetail.as_view(), name="api-round-detail"),
    path("webhooks/", api.WebhookEndpointList.as_view(), name="api-webhook-list"),
    path("webhooks/<int:endpoint_id>/", api.WebhookEndpointDetail.as_view(),
         name="api-webhook-detail"),
    path("webhooks/<int:endpoint_id>/rotate-secret/", api.WebhookRotateSecret.as_view(),
         name="api-webhook-rotate-secret"),
    path("webhooks/<int:endpoint_id>/deliveries/", api.WebhookDeliveryList.as_view(),
         name="api-webhook-deliveries"),
    path("webhooks/<int:endpoint_id>/deliveries/<int:delivery_id>/redeliver/",
         api.WebhookRedeliver.as_view(), name="api-webhook-redeliver"),
    path("reports/disbursements/", api_reports.DisbursementReport.as_view(),
         name="api-report-disbursements"),
    path("reports/commitments/", api_reports.CommitmentReport.as_view(),
         name="api-report-commitments"),
    path("reports/summary/", api_reports.FinanceSummary.as_view(), name="api-report-summary"),
    path("", include("applicants.api_urls")),
]

urlpatterns = [
    path("v1/", include(v1)),
    re_path(r"^.*$", ApiNotFound.as_view(), name="api-not-found"),
]
