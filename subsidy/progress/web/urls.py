from django.urls import path

from subsidy.progress.web import rounds, views

app_name = "progress"

urlpatterns = [
    path("<int:grant_id>/reports/", views.grant_reports, name="grant_reports"),
    path("reports/", views.report_queue, name="queue"),
    path("reports/<int:requirement_id>/", views.requirement_view, name="requirement"),
    path("reports/<int:requirement_id>/review/", views.report_review, name="review"),
    path("rounds/<str:code>/reporting/", rounds.round_reporting, name="round_reporting"),
    path("rounds/<str:code>/reporting/indicators/", rounds.indicator_add, name="indicator_add"),
    path("indicators/<int:indicator_id>/", rounds.indicator_edit, name="indicator"),
    path("indicators/<int:indicator_id>/change/", rounds.indicator_action,
         name="indicator_action"),
    path("reports/evidence/<int:report_evidence_id>/", views.evidence_download, name="evidence"),
]
