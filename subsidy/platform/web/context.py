from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from subsidy.platform.permissions import Action, can
from subsidy.platform.roles import Role


def navigation(request):
    """Navigation links for the signed-in user's roles, and whether their role obliges them
    to use two-factor authentication (the set-up page says so)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_links": [], "staff_must_use_2fa": False}
    links = [(reverse("core:dashboard"), _("Dashboard"))]
    role_pages = [
        (Role.APPLICANT, "applicants:dashboard", _("My applications")),
        (Role.REVIEWER, "core:dashboard_reviewer", _("My reviews")),
        (Role.PROGRAMME_OFFICER, "core:dashboard_officer", _("Programme office")),
        (Role.PANEL_MEMBER, "core:dashboard_panel", _("Panel")),
        (Role.FINANCE_OFFICER, "core:dashboard_finance", _("Finance")),
        (Role.FINANCE_APPROVER, "core:dashboard_finance", _("Finance")),
        (Role.ADMINISTRATOR, "core:dashboard_admin", _("Administration")),
        (Role.PARTNER, "partner:dashboard", _("Partner portal")),
    ]
    seen = set()
    for role, url_name, label in role_pages:
        if user.has_role(role) and url_name not in seen:
            seen.add(url_name)
            links.append((reverse(url_name), label))
    if can(user, Action.USE_PARTNER_PORTAL):
        links.append((reverse("partner:webhooks"), _("Webhooks")))
    if can(user, Action.MANAGE_DATA_ACCESS_REQUESTS):
        links.append((reverse("privacy:requests"), _("Data access requests")))
    if can(user, Action.MANAGE_USERS):
        links.append((reverse("admin:index"), _("Admin site")))
    return {"nav_links": links,
            "staff_must_use_2fa": bool(settings.STAFF_REQUIRE_2FA and user.is_staff_role)}
