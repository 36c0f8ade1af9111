from django.urls import path

from subsidy.compute.web import views

app_name = "compute"

urlpatterns = [
    path("statements/", views.statements_view, name="statements"),
    path("statements/example.csv", views.statement_template_view, name="statement_template"),
    path("statements/<int:statement_id>/", views.statement_view, name="statement"),
    path("grants/<int:grant_id>/", views.grant_compute_view, name="grant"),
    path("grants/<int:grant_id>/allocation/", views.allocation_set_view, name="allocation"),
]
