"""Staff pages of the assessment: queues, one application, screening and decisions."""

from django.urls import path

from reviews.web import applications as pages

urlpatterns = [
    path("staff/applications/", pages.application_queue, name="staff_queue"),
    path("staff/applications/<int:application_id>/", pages.application_detail,
         name="staff_application"),
    path("staff/applications/<int:application_id>/versions/", pages.application_versions,
         name="staff_versions"),
    path("staff/applications/<int:application_id>/screening/", pages.application_screening,
         name="staff_screening"),
    path("staff/applications/<int:application_id>/screening/start/",
         pages.application_screening_start, name="staff_screening_start"),
    path("staff/applications/<int:application_id>/decision/", pages.application_decision,
         name="staff_decision"),
    path("staff/applications/<int:application_id>/steps/<slug:step>/", pages.application_step,
         name="staff_step"),
    path("staff/decisions/", pages.bulk_decisions, name="staff_bulk_decisions"),
]
