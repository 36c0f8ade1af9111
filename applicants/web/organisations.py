"""Company profile, members and invitations."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from applicants import selectors
from applicants.errors import ProblemsError
from applicants.models import Membership, Organisation
from applicants.services.organisations import (
    invitation_accept,
    invitation_find,
    member_change_role,
    member_invite,
    member_remove,
    organisation_create,
    organisation_update,
)
from applicants.web.forms import InviteForm, MemberRoleForm, OrganisationForm
from subsidy.platform.errors import DomainError
from subsidy.platform.permissions import Action, can
from subsidy.platform.second_factor import step_up_require
from subsidy.platform.web.errors import add_problems


def organisation_or_404(user, organisation_id) -> Organisation:
    try:
        return selectors.organisation_for_member(user=user, organisation_id=organisation_id)
    except Organisation.DoesNotExist:
        raise Http404 from None


@login_required
@require_http_methods(["GET", "POST"])
def organisation_create_view(request):
    if not can(request.user, Action.CREATE_ORGANISATION):
        raise PermissionDenied
    form = OrganisationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            organisation = organisation_create(actor=request.user, **form.cleaned_data)
        except ProblemsError as exc:
            add_problems(form, exc.problems)
        else:
            messages.success(request, _("Your company has been registered."))
            return redirect("applicants:organisation", organisation.pk)
    return render(request, "applicants/organisation_form.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def organisation_detail(request, organisation_id):
    organisation = organisation_or_404(request.user, organisation_id)
    may_edit = can(request.user, Action.EDIT_ORGANISATION, organisation)
    form = OrganisationForm(request.POST or None, instance=organisation) if may_edit else None
    if request.method == "POST":
        if not may_edit:
            raise PermissionDenied
        if form.is_valid():
            try:
                organisation_update(actor=request.user, organisation=organisation,
                                    **form.cleaned_data)
            except ProblemsError as exc:
                add_problems(form, exc.problems)
            else:
                messages.success(request, _("The company profile has been saved."))
                return redirect("applicants:organisation", organisation.pk)
    return render(request, "applicants/organisation_detail.html",
                  {"organisation": organisation, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def organisation_members(request, organisation_id):
    organisation = organisation_or_404(request.user, organisation_id)
    may_manage = can(request.user, Action.MANAGE_MEMBERS, organisation)
    form = InviteForm(request.POST or None)
    if request.method == "POST":
        if not may_manage:
            raise PermissionDenied
        step_up_require(request)
        if form.is_valid():
            try:
                member_invite(actor=request.user, organisation=organisation,
                              **form.cleaned_data)
            except ProblemsError as exc:
                add_problems(form, exc.problems)
            else:
                messages.success(request, _("The invitation has been sent to %(email)s.")
                                 % {"email": form.cleaned_data["email"]})
                return redirect("applicants:members", organisation.pk)
    return render(request, "applicants/members.html", {
        "organisation": organisation,
        "memberships": selectors.organisation_members(organisation=organisation),
        "invitations": (selectors.organisation_pending_invitations(organisation=organisation)
                        if may_manage else []),
        "may_manage": may_manage,
        "form": form,
        "role_choices": Membership.Role.choices,
    })


def _membership_or_404(request, organisation_id, membership_id) -> Membership:
    organisation = organisation_or_404(request.user, organisation_id)
    membership = organisation.memberships.filter(pk=membership_id).first()
    if membership is None:
        raise Http404
    return membership


@login_required
@require_POST
def member_remove_view(request, organisation_id, membership_id):
    membership = _membership_or_404(request, organisation_id, membership_id)
    step_up_require(request)
    leaving = membership.user_id == request.user.pk
    try:
        member_remove(actor=request.user, membership=membership)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("applicants:members", organisation_id)
    if leaving:
        messages.success(request, _("You have left the company."))
        return redirect("applicants:dashboard")
    messages.success(request, _("The member has been removed."))
    return redirect("applicants:members", organisation_id)


@login_required
@require_POST
def member_role_view(request, organisation_id, membership_id):
    membership = _membership_or_404(request, organisation_id, membership_id)
    step_up_require(request)
    form = MemberRoleForm(request.POST)
    if form.is_valid():
        try:
            member_change_role(actor=request.user, membership=membership,
                               role=form.cleaned_data["role"])
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("The member's role has been changed."))
    return redirect("applicants:members", organisation_id)


@login_required
@require_http_methods(["GET", "POST"])
def invitation_view(request, token):
    invitation = invitation_find(token=token)
    if invitation is None:
        raise Http404
    if request.method == "POST":
        try:
            membership = invitation_accept(user=request.user, token=token)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("You have joined %(name)s.")
                             % {"name": membership.organisation.name})
            return redirect("applicants:organisation", membership.organisation_id)
    return render(request, "applicants/invitation.html", {"invitation": invitation})
