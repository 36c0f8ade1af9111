from django.urls import path

from subsidy.privacy.web import views

app_name = "privacy"

urlpatterns = [
    path("privacy/", views.policy, name="policy"),
    path("profile/personal-data/", views.personal_data, name="personal_data"),
    path("profile/personal-data/export.json", views.personal_data_json, name="export_json"),
    path("profile/personal-data/documents.zip", views.personal_documents_zip,
         name="export_documents"),
    path("profile/personal-data/close/", views.account_close, name="account_close"),
    path("staff/privacy/requests/", views.requests_list, name="requests"),
    path("staff/privacy/requests/<int:pk>/", views.request_detail, name="request"),
]
