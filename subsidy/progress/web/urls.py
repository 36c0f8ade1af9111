from django.urls import path

from subsidy.progress.web import views

app_name = "progress"

urlpatterns = [
    path("<int:grant_id>/reports/", views.grant_reports, name="grant_reports"),
    path("reports/", views.report_queue, name="queue"),
    path("reports/<int:requirement_id>/", views.requirement_view, name="requirement"),
    path("reports/<int:requirement_id>/review/", views.report_review, name="review"),
    path("reports/evidence/<int:report_evidence_id>/", views.evidence_download, name="evidence"),
]
