"""The landing page and the role dashboards."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render

from subsidy.notifications import selectors as notification_selectors
from subsidy.notifications.models import Notification
from subsidy.platform.models import AuditEvent
from subsidy.platform.permissions import Action, can
from subsidy.platform.roles import Role
from subsidy.scheme import selectors
from subsidy.scheme.workload import officer_workload


def home(request):
    return render(request, "subsidy/home.html", {"open_rounds": selectors.rounds_open()})


# The first matching role decides where "Dashboard" leads.
DASHBOARD_BY_ROLE = [
    (Role.ADMINISTRATOR, "core:dashboard_admin"),
    (Role.PROGRAMME_OFFICER, "core:dashboard_officer"),
    (Role.PANEL_MEMBER, "core:dashboard_panel"),
    (Role.FINANCE_APPROVER, "core:dashboard_finance"),
    (Role.FINANCE_OFFICER, "core:dashboard_finance"),
    (Role.REVIEWER, "core:dashboard_reviewer"),
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
                  {"inbox": notification_selectors.inbox_for(user=request.user)})


@login_required
def dashboard_officer(request):
    _require_role(request, Role.PROGRAMME_OFFICER)
    return render(request, "subsidy/dashboard_officer.html", {
        "workload": officer_workload(),
        "schemes": selectors.scheme_budget_positions(),
        "rounds": selectors.rounds_open(),
        "inbox": notification_selectors.inbox_for(user=request.user),
    })


# The newest rounds, each with its ranking and its panel meetings.
PANEL_ROUNDS_SHOWN = 8


@login_required
def dashboard_panel(request):
    _require_role(request, Role.PANEL_MEMBER)
    return render(request, "subsidy/dashboard_panel.html", {
        "rounds": selectors.rounds_with_budget_position()[:PANEL_ROUNDS_SHOWN],
        "inbox": notification_selectors.inbox_for(user=request.user),
    })


@login_required
def dashboard_finance(request):
    _require_role(request, Role.FINANCE_OFFICER, Role.FINANCE_APPROVER)
    return render(request, "subsidy/dashboard_finance.html", {
        "schemes": selectors.scheme_budget_positions(),
        "inbox": notification_selectors.inbox_for(user=request.user),
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
