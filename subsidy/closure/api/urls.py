"""Partner API v1 paths of a grant (mounted under ``/api/v1/`` by ``config.api_urls``)."""

from django.urls import path

from subsidy.api import converters  # noqa: F401 - registers the "ident" converter
from subsidy.closure.api import views

urlpatterns = [
    path("applications/<ident:reference>/grant/", views.ApplicationGrant.as_view(),
         name="application-grant"),
]
