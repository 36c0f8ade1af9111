from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView

from subsidy.platform.web import accounts
from subsidy.scheme.web import dashboards


class FaviconView(RedirectView):
    """/favicon.ico, asked by browsers that ignore the page's <link rel="icon">: the icon
    among the static files, looked up at request time (the manifest exists only then)."""

    permanent = True

    def get_redirect_url(self, *args, **kwargs):
        return static("favicon.svg")


# Pages of no single domain: the home page, the dashboards and the profile.
core_urls = [
    path("", dashboards.home, name="home"),
    path("dashboard/", dashboards.dashboard, name="dashboard"),
    path("dashboard/applicant/", dashboards.dashboard_applicant, name="dashboard_applicant"),
    path("dashboard/reviewer/", dashboards.dashboard_reviewer, name="dashboard_reviewer"),
    path("dashboard/officer/", dashboards.dashboard_officer, name="dashboard_officer"),
    path("dashboard/panel/", dashboards.dashboard_panel, name="dashboard_panel"),
    path("dashboard/finance/", dashboards.dashboard_finance, name="dashboard_finance"),
    path("dashboard/admin/", dashboards.dashboard_admin, name="dashboard_admin"),
    path("profile/", accounts.profile, name="profile"),
]

urlpatterns = [
    path("", include((core_urls, "core"))),
    path("", include("subsidy.privacy.web.urls")),
    # Before subsidy.scheme.web.urls: its staff/rounds/<code>/<action>/ would catch the
    # reviewer pages.
    path("", include("reviews.web.urls")),
    path("", include("reviews.web.application_urls")),
    path("", include("subsidy.scheme.web.urls")),
    path("", include("subsidy.notifications.web.urls")),
    path("applicant/", include("applicants.web.urls")),
    path("finance/", include("subsidy.finance.web.urls")),
    path("grants/", include("subsidy.agreements.web.urls")),
    path("grants/", include("subsidy.closure.web.urls")),
    path("compute/", include("subsidy.compute.web.urls")),
    path("grants/", include("subsidy.progress.web.urls")),
    path("partner/", include("subsidy.partners.web.urls")),
    path("variations/", include("subsidy.variations.web.urls")),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/", include("config.api_urls")),
    # Browsers that ignore the page's <link rel="icon"> still ask for /favicon.ico.
    path("favicon.ico", FaviconView.as_view()),
]

handler500 = "subsidy.api.errors.server_error"
# allauth answers its rate limits with the root URLconf's handler429.
handler429 = "subsidy.platform.web.errors.rate_limited"
