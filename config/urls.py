from django.contrib import admin
from django.urls import include, path

from subsidy import views

urlpatterns = [
    path("", views.home, name="home"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/applicant/", views.dashboard_applicant, name="dashboard_applicant"),
    path("dashboard/reviewer/", views.dashboard_reviewer, name="dashboard_reviewer"),
    path("dashboard/officer/", views.dashboard_officer, name="dashboard_officer"),
    path("dashboard/panel/", views.dashboard_panel, name="dashboard_panel"),
    path("dashboard/finance/", views.dashboard_finance, name="dashboard_finance"),
    path("dashboard/admin/", views.dashboard_admin, name="dashboard_admin"),
    path("profile/", views.profile, name="profile"),
    # Before subsidy.urls: its staff/rounds/<code>/<action>/ would catch the reviewer pages.
    path("", include("reviews.urls")),
    path("", include("reviews.application_urls")),
    path("", include("subsidy.urls")),
    path("", include("subsidy.inbox_urls")),
    path("applicant/", include("applicants.urls")),
    path("finance/", include("subsidy.finance_urls")),
    path("partner/", include("subsidy.partner_urls")),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/", include("subsidy.api_urls")),
]

handler500 = "subsidy.api_errors.server_error"
