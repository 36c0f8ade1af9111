"""Companies a partner registers through the API, kept as private as a link request.

Rules enforced here:

* the partner's registration is checked with the applicants' own registration rules and
  messages, but does not say whether a company with the BR (or CR) number is registered:
  either way the partner's open ``LinkRequest`` for the number is what it gets, "pending";
* nothing is created yet: an ``OrganisationRegistration`` keeps the profile and the person
  named as owner is emailed a link (its token kept only hashed), whether or not the
  company exists, so that a mailbox the partner reads tells nothing either; when it
  exists, its owners are also asked to link it, exactly as by a link request, and the
  named person's confirmation is refused with the registration's duplicate message;
* that person, signed in with the address the partner gave, confirms the company (it is
  created with them as its owner and linked to the partner, and the partner's webhooks are
  told) or declines it (the partner is not told, as for an owner's decline); the
  partner's withdrawal of the request, or 14 days, ends the link's use;
* each step is audited with the partner's key or the person who took it.
"""

import secrets
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from applicants.errors import ProblemsError
from applicants.models import (
    LinkRequest,
    Membership,
    Organisation,
    OrganisationRegistration,
    PartnerLink,
)
from applicants.services.organisations import (
    INVITATION_VALID_DAYS,
    ORGANISATION_FIELDS,
    _apply_profile,
    _save_unique,
    _token_hash,
)
from applicants.services.partners import (
    link_event_publish,
    link_request_ask_owners,
    open_link_request,
    registered_organisation,
)
from subsidy.notifications.services.outbox import notify, organisation_names
from subsidy.platform.audit import audit_record, snapshot
from subsidy.platform.errors import DomainError
from subsidy.platform.models import User, UserRole
from subsidy.platform.roles import Role
from subsidy.webhooks.models import WebhookEventType

# --- The partner's side --------------------------------------------------------------------

@transaction.atomic
def partner_organisation_create(*, client, owner_email: str, **values) -> LinkRequest:
    """The partner registers a company: the same profile rules and messages as an
    applicant's own registration. The partner's open request for the BR number is returned,
    the same record whether or not the company is registered. ``owner_email`` is asked to
    confirm the company either way (it exists only once they do); when it is registered
    already, its owners are asked to link it too, and confirming it is refused."""
    owner_email = (owner_email or "").strip().lower()
    problems = []
    try:
        validate_email(owner_email)
    except ValidationError:
        problems.append(("owner_email", _("Enter a valid email address.")))
    organisation = Organisation()
    try:
        _apply_profile(organisation, values, check_duplicate=False)
    except ProblemsError as exc:
        problems = exc.problems + problems
    if problems:
        raise ProblemsError(problems)
    request = open_link_request(client=client, br_number=organisation.br_number)
    registered = registered_organisation(organisation)
    if registered is not None:
        link_request_ask_owners(client=client, request=request, organisation=registered)
    if request.link is None or not request.link.is_active:
        # The named owner is emailed in both cases, so that an address the partner reads
        # does not tell either: confirming a registered company is refused on the page.
        _registration_send(client=client, request=request, organisation=organisation,
                           owner_email=owner_email)
    return request


def _registration_send(*, client, request: LinkRequest, organisation: Organisation,
                       owner_email: str) -> OrganisationRegistration:
    """Keep the profile for the request (a repeated registration replaces the last one's
    profile, address and link) and email its link to the person named as owner."""
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    registration, _created = OrganisationRegistration.objects.update_or_create(
        request=request, defaults={
            "profile": snapshot(organisation, ORGANISATION_FIELDS), "owner_email": owner_email,
            "token_hash": _token_hash(token), "created_at": now,
            "expires_at": now + timedelta(days=INVITATION_VALID_DAYS),
            "confirmed_at": None, "declined_at": None, "answered_by": None})
    partner = request.partner
    audit_record(actor=client, action="organisation_registration.request", obj=registration,
                 after={**registration.profile, "partner": partner.name,
                        "owner_invited": owner_email})
    invitee = User.objects.filter(email__iexact=owner_email).first()
    language = invitee.language if invitee else "en"
    with translation.override(language):
        expires = formats.date_format(timezone.localtime(registration.expires_at), "Y-m-d H:i")
    notify(recipient=invitee, to_email=owner_email, language=language,
           event="organisation_registration", context={
               **organisation_names(organisation), "partner": partner.name,
               "url": reverse("applicants:registration", args=[token]), "expires": expires})
    return registration


# --- The named owner's side ----------------------------------------------------------------

def registration_find(*, token: str) -> OrganisationRegistration | None:
    return (OrganisationRegistration.objects.select_related("request__partner")
            .filter(token_hash=_token_hash(token or "")).first())


def registration_company(registration: OrganisationRegistration) -> Organisation:
    """The company as the partner described it (unsaved), for the confirmation page."""
    profile = dict(registration.profile)
    if profile.get("incorporation_date"):
        profile["incorporation_date"] = date.fromisoformat(profile["incorporation_date"])
    return Organisation(**profile)


def registration_problem(registration: OrganisationRegistration, user: User) -> str | None:
    """Why ``user`` cannot answer the registration now, or ``None``."""
    if registration.confirmed_at is not None or registration.declined_at is not None:
        return _("This registration has already been answered.")
    if registration.request.cancelled_at is not None:
        return _("The partner organisation has withdrawn this registration.")
    if registration.expires_at <= timezone.now():
        return _("This link has expired; ask the partner organisation to register the "
                 "company again.")
    if registration.owner_email.lower() != (user.email or "").lower():
        return _("This link was sent to another email address. Sign in with that address "
                 "to answer it.")
    return None


def _locked(token: str, user: User) -> OrganisationRegistration:
    registration = (OrganisationRegistration.objects.select_for_update(of=("self",))
                    .select_related("request__partner")
                    .filter(token_hash=_token_hash(token or "")).first())
    if registration is None:
        raise DomainError(_("This link is not valid."), code="invalid_registration")
    problem = registration_problem(registration, user)
    if problem:
        raise DomainError(problem, code="registration_closed")
    return registration


@transaction.atomic
def registration_confirm(*, user: User, token: str) -> Organisation:
    """The person the partner named registers the company, as its first owner, and lets
    the partner act for it. The registration rules are checked again, so a company
    registered since (by BR or CR number) is refused with the web's message."""
    registration = _locked(token, user)
    request = registration.request
    organisation = registration_company(registration)
    try:
        _apply_profile(organisation, registration.profile | {
            "incorporation_date": organisation.incorporation_date})
        _save_unique(organisation)
    except ProblemsError as exc:
        raise DomainError(" ".join(str(message) for _field, message in exc.problems),
                          code="registration_invalid") from exc
    now = timezone.now()
    Membership.objects.create(organisation=organisation, user=user, role=Membership.Role.OWNER)
    _grant, granted = UserRole.objects.get_or_create(user=user, role=Role.APPLICANT)
    user.__dict__.pop("_role_cache", None)
    user.__dict__.pop("_membership_role_cache", None)
    link = PartnerLink.objects.create(partner=request.partner, organisation=organisation,
                                      created_via=PartnerLink.Origin.API,
                                      requested_at=request.requested_at, linked_at=now,
                                      linked_by=user)
    request.link = link
    request.save(update_fields=["link"])
    registration.confirmed_at = now
    registration.answered_by = user
    registration.organisation = organisation
    registration.save(update_fields=["confirmed_at", "answered_by", "organisation"])
    partner = request.partner.name
    audit_record(actor=user, action="organisation_registration.confirm", obj=registration,
                 after={"organisation": organisation.pk, "partner": partner})
    audit_record(actor=user, action="organisation.create", obj=organisation,
                 after={**snapshot(organisation, ORGANISATION_FIELDS), "owner": user.email,
                        "registered_by_partner": partner, "applicant_role_granted": granted})
    audit_record(actor=user, action="partner_link.create", obj=link,
                 after={"partner": partner, "organisation": organisation.pk,
                        "created_via": link.created_via, "linked_at": now})
    link_event_publish(link, WebhookEventType.ORGANISATION_LINKED)
    return organisation


@transaction.atomic
def registration_decline(*, user: User, token: str) -> OrganisationRegistration:
    """The person the partner named declines: nothing is registered. The partner's request
    still reads "pending", as after an owner's decline of a link request."""
    registration = _locked(token, user)
    registration.declined_at = timezone.now()
    registration.answered_by = user
    registration.save(update_fields=["declined_at", "answered_by"])
    audit_record(actor=user, action="organisation_registration.decline", obj=registration,
                 after={"partner": registration.request.partner.name,
                        "declined_at": registration.declined_at})
    return registration
