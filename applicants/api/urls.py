"""Partner API v1 paths for organisations, applications and events (mounted under
``/api/v1/`` by ``config.api_urls``)."""

from django.urls import path

from applicants.api import views as api
from subsidy.api import converters  # noqa: F401 - registers the "ident" converter

urlpatterns = [
    path("organisations/", api.OrganisationList.as_view(), name="organisation-list"),
    path("organisations/link-requests/", api.OrganisationLinkRequest.as_view(),
         name="organisation-link-request"),
    path("organisations/link-requests/<ident:br_number>/",
         api.OrganisationLinkRequestCancel.as_view(), name="organisation-link-request-cancel"),
    path("organisations/<int:pk>/", api.OrganisationDetail.as_view(),
         name="organisation-detail"),
    path("applications/", api.ApplicationList.as_view(), name="application-list"),
    path("applications/<ident:reference>/", api.ApplicationDetail.as_view(),
         name="application-detail"),
    path("applications/<ident:reference>/documents/", api.ApplicationDocuments.as_view(),
         name="application-documents"),
    path("applications/<ident:reference>/documents/<int:document_id>/",
         api.ApplicationDocument.as_view(), name="application-document"),
    path("applications/<ident:reference>/problems/", api.ApplicationProblems.as_view(),
         name="application-problems"),
    path("applications/<ident:reference>/submit/", api.ApplicationSubmit.as_view(),
         name="application-submit"),
    path("applications/<ident:reference>/withdraw/", api.ApplicationWithdraw.as_view(),
         name="application-withdraw"),
    path("applications/<ident:reference>/history/", api.ApplicationHistory.as_view(),
         name="application-history"),
    path("events/", api.EventList.as_view(), name="event-list"),
]
