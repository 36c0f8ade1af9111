from django.urls import path

from subsidy.closure.web import views

app_name = "closure"

urlpatterns = [
    path("<int:grant_id>/closure/", views.closure_view, name="grant"),
]
