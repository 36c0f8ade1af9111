"""The company's partner organisations: requests to act for the company through the API,
approved or declined by an owner, and active links an owner can end; and the page where the
person a partner named as owner confirms or declines the company the partner registered."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from applicants import selectors
from applicants.services.partners import partner_link_approve, partner_link_revoke
from applicants.services.registrations import (
    registration_company,
    registration_confirm,
    registration_decline,
    registration_find,
    registration_problem,
)
from applicants.web.organisations import organisation_or_404
from subsidy.platform.errors import DomainError
from subsidy.platform.permissions import Action, can


@login_required
@require_GET
def organisation_partners(request, organisation_id):
    organisation = organisation_or_404(request.user, organisation_id)
    links = list(selectors.partner_links_for_organisation(organisation=organisation))
    return render(request, "applicants/partners.html", {
        "organisation": organisation,
        "pending": [link for link in links if link.is_pending],
        "active": [link for link in links if link.is_active],
        "may_manage": can(request.user, Action.MANAGE_MEMBERS, organisation),
    })


@login_required
@require_POST
def partner_link_answer(request, organisation_id, link_id, answer):
    if answer not in ("approve", "revoke"):
        raise Http404
    organisation = organisation_or_404(request.user, organisation_id)
    link = selectors.partner_links_for_organisation(organisation=organisation).filter(
        pk=link_id).first()
    if link is None:
        raise Http404
    try:
        if answer == "approve":
            partner_link_approve(actor=request.user, link=link)
            messages.success(request, _("%(partner)s may now act for the company through "
                                        "its portal.") % {"partner": link.partner.name})
        else:
            partner_link_revoke(actor=request.user, link=link)
            messages.success(request, _("%(partner)s can no longer see or change the "
                                        "company's applications.")
                             % {"partner": link.partner.name})
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("applicants:partners", organisation.pk)


@login_required
@require_http_methods(["GET", "POST"])
def registration_view(request, token):
    registration = registration_find(token=token)
    if registration is None:
        raise Http404
    if request.method == "POST":
        answer = request.POST.get("answer")
        try:
            if answer == "confirm":
                organisation = registration_confirm(user=request.user, token=token)
                messages.success(request, _("%(name)s is registered, with you as its owner, "
                                            "and %(partner)s may act for it.")
                                 % {"name": organisation.name,
                                    "partner": registration.request.partner.name})
                return redirect("applicants:organisation", organisation.pk)
            if answer == "decline":
                registration_decline(user=request.user, token=token)
                messages.success(request, _("Nothing was registered."))
                return redirect("applicants:registration", token)
            messages.error(request, _("Choose to confirm or decline."))
        except DomainError as exc:
            messages.error(request, exc.message)
        registration.refresh_from_db()
    return render(request, "applicants/registration.html", {
        "registration": registration, "company": registration_company(registration),
        "partner": registration.request.partner,
        "problem": registration_problem(registration, request.user),
    })
