"""Staff pages of the assessment: queues, one application, screening and decisions."""

from django.urls import path

from reviews.web import applications as pages
from reviews.web import decisions, screening_bulk

app_name = "staff"

urlpatterns = [
    path("staff/applications/", pages.application_queue, name="queue"),
    path("staff/applications/<int:application_id>/", pages.application_detail,
         name="application"),
    path("staff/applications/<int:application_id>/versions/", pages.application_versions,
         name="versions"),
    path("staff/applications/<int:application_id>/screening/", pages.application_screening,
         name="screening"),
    path("staff/applications/<int:application_id>/screening/start/",
         pages.application_screening_start, name="screening_start"),
    path("staff/applications/<int:application_id>/decision/", decisions.application_decision,
         name="decision"),
    path("staff/applications/<int:application_id>/declare/", decisions.panel_declare,
         name="panel_declare"),
    path("staff/applications/<int:application_id>/steps/<slug:step>/", pages.application_step,
         name="step"),
    path("staff/screening/", screening_bulk.screening_bulk, name="screening_bulk"),
    path("staff/decisions/", decisions.bulk_decisions, name="bulk_decisions"),
]
