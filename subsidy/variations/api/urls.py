"""Partner API v1 paths of a grant's variations (mounted under ``/api/v1/``)."""

from django.urls import path

from subsidy.api import converters  # noqa: F401 - registers the "ident" converter
from subsidy.variations.api import views

urlpatterns = [
    path("applications/<ident:reference>/grant/variations/", views.VariationList.as_view(),
         name="application-variations"),
    path("applications/<ident:reference>/grant/variations/<int:number>/",
         views.VariationDetail.as_view(), name="application-variation"),
]
