"""Pages of the core app: the landing page, the role dashboards and the profile."""

from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from subsidy import selectors
from subsidy.forms import ProfileForm
from subsidy.models import AuditEvent, Notification
from subsidy.permissions import Action, can
from subsidy.roles import Role
from subsidy.services.accounts import user_update_profile


def home(request):
    return render(request, "subsidy/home.html", {"open_rounds": selectors.rounds_open()})


# The first matching role decides where "Dashboard" leads.
DASHBOARD_BY_ROLE = [
    (Role.ADMINISTRATOR, "dashboard_admin"),
    (Role.PROGRAMME_OFFICER, "dashboard_officer"),
    (Role.PANEL_MEMBER, "dashboard_panel"),
    (Role.FINANCE_APPROVER, "dashboard_finance"),
    (Role.FINANCE_OFFICER, "dashboard_finance"),
    (Role.REVIEWER, "dashboard_reviewer"),
    (Role.APPLICANT, "applicants:dashboard"),
    (Role.PARTNER, "partner:dashboard"),
]


@login_required
def dashboard(request):
    for role, url_name in DASHBOARD_BY_ROLE:
        if request.user.has_role(role):
            return redirect(url_name)
    # Anyone else is waiting for a role.
    return render(request, "subsidy/dashboard_none.html", {"is_partner": False})


def _require_role(request, *roles):
    if not (request.user.roles & set(roles)):
        raise PermissionDenied


@login_required
def dashboard_applicant(request):
    # The applicant portal's own page lists applications with their next step.
    _require_role(request, Role.APPLICANT)
    return redirect("applicants:dashboard")


@login_required
def dashboard_reviewer(request):
    _require_role(request, Role.REVIEWER)
    return render(request, "subsidy/dashboard_reviewer.html",
                  {"inbox": selectors.inbox_for(user=request.user)})


@login_required
def dashboard_officer(request):
    _require_role(request, Role.PROGRAMME_OFFICER)
    return render(request, "subsidy/dashboard_officer.html", {
        "schemes": selectors.scheme_budget_positions(),
        "rounds": selectors.rounds_open(),
        "inbox": selectors.inbox_for(user=request.user),
    })


@login_required
def dashboard_panel(request):
    _require_role(request, Role.PANEL_MEMBER)
    return render(request, "subsidy/dashboard_panel.html",
                  {"inbox": selectors.inbox_for(user=request.user)})


@login_required
def dashboard_finance(request):
    _require_role(request, Role.FINANCE_OFFICER, Role.FINANCE_APPROVER)
    return render(request, "subsidy/dashboard_finance.html", {
        "schemes": selectors.scheme_budget_positions(),
        "inbox": selectors.inbox_for(user=request.user),
    })


@login_required
def dashboard_admin(request):
    if not can(request.user, Action.MANAGE_USERS):
        raise PermissionDenied
    return render(request, "subsidy/dashboard_admin.html", {
        "schemes": selectors.scheme_budget_positions(),
        "recent_audit": AuditEvent.objects.order_by("-at", "-id")[:15],
        "failed_notifications": Notification.objects.filter(
            status__in=[Notification.Status.FAILED, Notification.Status.UNDELIVERABLE]
        ).order_by("-created_at")[:15],
    })


@login_required
@require_http_methods(["GET", "POST"])
def profile(request):
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        user_update_profile(user=request.user, full_name=form.cleaned_data["full_name"],
                            language=form.cleaned_data["language"])
        messages.success(request, _("Your profile has been saved."))
        response = redirect("profile")
        # The chosen language applies at once, also over an earlier switcher choice.
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, form.cleaned_data["language"],
                            samesite="Lax", secure=settings.SESSION_COOKIE_SECURE)
        return response
    return render(request, "subsidy/profile.html", {
        "form": form,
        "mfa_enabled": is_mfa_enabled(request.user),
    })
