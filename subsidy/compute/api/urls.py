"""The AI Supercomputing Centre's API paths (mounted under ``/api/v1/`` by
``config.api_urls``)."""

from django.urls import path

from subsidy.compute.api import views

urlpatterns = [
    path("aisc/statements/", views.StatementReceive.as_view(), name="aisc-statement-list"),
    path("aisc/statements/<int:statement_id>/", views.StatementDetail.as_view(),
         name="aisc-statement-detail"),
]
