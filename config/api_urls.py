"""URLs under ``/api/``: version 1 of the REST API, and a problem+json 404 for anything
else."""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView

from subsidy.api import converters  # noqa: F401 - registers the "ident" converter
from subsidy.api import views as api_views
from subsidy.api.errors import ApiNotFound
from subsidy.finance.api import reports as api_reports
from subsidy.scheme.api import views as scheme_api
from subsidy.webhooks.api import views as webhook_api

app_name = "api"

v1 = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", api_views.ApiDocs.as_view(), name="docs"),
    path("rounds/", scheme_api.RoundList.as_view(), name="round-list"),
    path("rounds/<ident:code>/", scheme_api.RoundDetail.as_view(), name="round-detail"),
    path("webhooks/", webhook_api.WebhookEndpointList.as_view(), name="webhook-list"),
    path("webhooks/<int:endpoint_id>/", webhook_api.WebhookEndpointDetail.as_view(),
         name="webhook-detail"),
    path("webhooks/<int:endpoint_id>/rotate-secret/", webhook_api.WebhookRotateSecret.as_view(),
         name="webhook-rotate-secret"),
    path("webhooks/<int:endpoint_id>/ping/", webhook_api.WebhookPing.as_view(),
         name="webhook-ping"),
    path("webhooks/<int:endpoint_id>/deliveries/", webhook_api.WebhookDeliveryList.as_view(),
         name="webhook-deliveries"),
    path("webhooks/<int:endpoint_id>/deliveries/<int:delivery_id>/redeliver/",
         webhook_api.WebhookRedeliver.as_view(), name="webhook-redeliver"),
    path("reports/disbursements/", api_reports.DisbursementReport.as_view(),
         name="report-disbursements"),
    path("reports/disbursements/csv/", api_reports.DisbursementReportCsv.as_view(),
         name="report-disbursements-csv"),
    path("reports/commitments/", api_reports.CommitmentReport.as_view(),
         name="report-commitments"),
    path("reports/commitments/csv/", api_reports.CommitmentReportCsv.as_view(),
         name="report-commitments-csv"),
    path("reports/summary/", api_reports.FinanceSummary.as_view(), name="report-summary"),
    path("", include("applicants.api.urls")),
    path("", include("subsidy.closure.api.urls")),
    path("", include("subsidy.compute.api.urls")),
    path("", include("subsidy.progress.api.urls")),
    path("", include("subsidy.variations.api.urls")),
]

urlpatterns = [
    path("v1/", include(v1)),
    re_path(r"^[\s\S]*$", ApiNotFound.as_view(), name="not-found"),
]
