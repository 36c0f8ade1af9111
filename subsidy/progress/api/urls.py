"""Partner API v1 paths of a grant's reporting (mounted under ``/api/v1/`` by
``config.api_urls``)."""

from django.urls import path

from subsidy.api import converters  # noqa: F401 - registers the "ident" converter
from subsidy.progress.api import views

urlpatterns = [
    path("applications/<ident:reference>/grant/reports/", views.GrantReports.as_view(),
         name="application-grant-reports"),
]
