"""Partner organisations acting for companies through the API: the links that allow it, and
the partner's writes that are not the applicant's own steps.

Rules enforced here:

* a partner acts only for an organisation it holds an active link to (``PartnerLink``);
  ``subsidy.platform.permissions`` asks this for every partner write, the API's selectors for every
  read, so anything else is "not found" to the partner;
* an existing organisation is linked only when one of its owners approves the partner's
  request, which every owner is told of (email and inbox); the partner's own record of a
  request (``LinkRequest``) reads the same whether or not a company has the number, and a
  company the partner registers is a request too until the named owner confirms it
  (``applicants.services.registrations``);
* an owner may revoke a link at any time; requests, links and revocations are stamped with
  time and person, audited, and announced to the partner's webhooks.
"""

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from applicants.checks import SECTIONS
from applicants.models import (
    Application,
    LinkRequest,
    Membership,
    Organisation,
    PartnerLink,
)
from applicants.services import drafts
from subsidy.notifications.services.outbox import notify, organisation_names
from subsidy.platform.audit import audit_record
from subsidy.platform.errors import DomainError
from subsidy.platform.models import User
from subsidy.platform.permissions import Action, require
from subsidy.webhooks.models import WebhookEventType
from subsidy.webhooks.services.delivery import webhook_event_publish, webhook_time

# Fields of each draft section as the API names them; list sections are one field each.
API_SECTION_FIELDS = {
    "project": SECTIONS["project"],
    "budget": ["budget_lines"],
    "milestones": ["milestones"],
    "team": ["team_members"],
    "responsible_ai": ["rai_safety", "rai_human", "rai_transparency"],
    "declarations": ["declares_accurate", "declares_no_double_funding", "declares_compliance",
                     "privacy_notice_accepted"],
}


def link_event_publish(link: PartnerLink, event_type: str) -> None:
    webhook_event_publish(partner=link.partner, event_type=event_type, data={
        "organisation": {"id": link.organisation_id, "br_number": link.organisation.br_number,
                         "name_en": link.organisation.name_en},
        "linked_at": webhook_time(link.linked_at),
        "revoked_at": webhook_time(link.revoked_at),
    })


def _owner(user: User, organisation: Organisation) -> None:
    require(user, Action.MANAGE_MEMBERS, organisation)


# --- The partner's side --------------------------------------------------------------------

def registered_organisation(organisation: Organisation) -> Organisation | None:
    """The registered company with ``organisation``'s BR number, or else its CR number."""
    same = Q(br_number=organisation.br_number)
    if organisation.cr_number:
        same |= Q(cr_number=organisation.cr_number)
    return Organisation.objects.filter(same).order_by("pk").first()


def open_link_request(*, client, br_number: str) -> LinkRequest:
    """The partner's open request for ``br_number``, recorded (and audited) when it is new:
    the one record the partner sees, whether or not a company has the number."""
    partner = client.partner
    try:
        with transaction.atomic():
            request, created = LinkRequest.objects.get_or_create(
                partner=partner, br_number=br_number, cancelled_at__isnull=True)
    except IntegrityError:  # the same request a moment ago
        request, created = LinkRequest.objects.get(
            partner=partner, br_number=br_number, cancelled_at__isnull=True), False
    if created:
        audit_record(actor=client, action="link_request.create", obj=request,
                     after={"partner": partner.name, "br_number": br_number})
    return request


def link_request_ask_owners(*, client, request: LinkRequest,
                            organisation: Organisation | None) -> None:
    """Ask the owners of ``organisation`` (the company the request names, if one is
    registered) unless they were asked already and have not declined or ended the link."""
    if organisation is None:
        return
    if request.link_id is None or request.link.revoked_at is not None:
        # Asked now, asked before the company registered, or asked again after an owner
        # declined or ended the link: its owners are asked now.
        request.link = _ask_owners(client=client, organisation=organisation)
        request.save(update_fields=["link"])


@transaction.atomic
def partner_link_request(*, client, br_number: str) -> LinkRequest:
    """Ask the owners of the registered company with ``br_number`` to let the partner act
    for it. Nothing is said about whether such a company is registered: the request is
    recorded either way (the partner lists and withdraws its own requests), and an open
    request or link is not duplicated. Only when the company exists are its owners asked,
    through a pending ``PartnerLink``."""
    br_number = (br_number or "").strip()
    request = open_link_request(client=client, br_number=br_number)
    link_request_ask_owners(client=client, request=request,
                            organisation=Organisation.objects.filter(br_number=br_number).first())
    return request


def _ask_owners(*, client, organisation: Organisation) -> PartnerLink:
    """The pending link the registered company's owners answer; an open request or link
    is not duplicated."""
    partner = client.partner
    existing = PartnerLink.objects.filter(partner=partner, organisation=organisation,
                                          revoked_at__isnull=True).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            link = PartnerLink.objects.create(partner=partner, organisation=organisation,
                                              created_via=PartnerLink.Origin.CONSENT)
    except IntegrityError:
        return PartnerLink.objects.get(partner=partner, organisation=organisation,
                                       revoked_at__isnull=True)
    audit_record(actor=client, action="partner_link.request", obj=link,
                 after={"partner": partner.name, "organisation": organisation.pk})
    _notify_owners_of_request(link)
    return link


@transaction.atomic
def partner_link_request_cancel(*, client, br_number: str) -> None:
    """Withdraw the partner's open request to link the company with ``br_number``. As for
    the request itself, nothing says whether there was one (or such a company): the
    request leaves the partner's list, its owners' pending link is withdrawn with it, and
    an active link is not touched (only an owner ends it)."""
    br_number = (br_number or "").strip()
    now = timezone.now()
    request = (LinkRequest.objects.select_for_update()
               .filter(partner=client.partner, br_number=br_number,
                       cancelled_at__isnull=True).first())
    if request is not None:
        request.cancelled_at = now
        request.save(update_fields=["cancelled_at"])
        audit_record(actor=client, action="link_request.cancel", obj=request,
                     after={"partner": client.partner.name, "cancelled_at": now})
    asked = Q(organisation__br_number=br_number)
    if request is not None and request.link_id is not None:
        asked |= Q(pk=request.link_id)  # a company found by its CR number
    link = (PartnerLink.objects.select_for_update(of=("self",))
            .filter(asked, partner=client.partner, linked_at__isnull=True,
                    revoked_at__isnull=True).first())
    if link is None:
        return
    link.revoked_at = now
    link.save(update_fields=["revoked_at"])
    audit_record(actor=client, action="partner_link.cancel", obj=link,
                 after={"partner": client.partner.name, "revoked_at": link.revoked_at})


def _notify_owners_of_request(link: PartnerLink) -> None:
    """Tell every owner of the company, in their own language, that the partner asks to act
    for it, with a link to the page where they answer."""
    organisation = link.organisation
    url = reverse("applicants:partners", args=[organisation.pk])
    owners = (Membership.objects.filter(organisation=organisation, role=Membership.Role.OWNER,
                                        user__is_active=True)
              .select_related("user"))
    for membership in owners:
        owner = membership.user
        notify(recipient=owner, event="partner_link_requested",
               context={"partner": link.partner.name, **organisation_names(organisation),
                        "url": url})


# --- The company owner's side --------------------------------------------------------------

def _locked_link(link: PartnerLink) -> PartnerLink:
    return (PartnerLink.objects.select_for_update(of=("self",))
            .select_related("partner", "organisation").get(pk=link.pk))


@transaction.atomic
def partner_link_approve(*, actor: User, link: PartnerLink) -> PartnerLink:
    """An owner lets the partner act for the company."""
    link = _locked_link(link)
    _owner(actor, link.organisation)
    if not link.is_pending:
        raise DomainError(_("This request has already been answered."), code="answered")
    link.linked_at = timezone.now()
    link.linked_by = actor
    link.save(update_fields=["linked_at", "linked_by"])
    audit_record(actor=actor, action="partner_link.approve", obj=link,
                 after={"partner": link.partner.name, "linked_at": link.linked_at})
    link_event_publish(link, WebhookEventType.ORGANISATION_LINKED)
    return link


@transaction.atomic
def partner_link_revoke(*, actor: User, link: PartnerLink) -> PartnerLink:
    """An owner declines a pending request or ends an active link; from then on the
    partner no longer sees the company or its applications."""
    link = _locked_link(link)
    _owner(actor, link.organisation)
    if link.revoked_at is not None:
        raise DomainError(_("This partner link has already ended."), code="revoked")
    was_active = link.is_active
    link.revoked_at = timezone.now()
    link.revoked_by = actor
    link.save(update_fields=["revoked_at", "revoked_by"])
    audit_record(actor=actor, action="partner_link.revoke" if was_active
                 else "partner_link.decline", obj=link,
                 before={"linked_at": link.linked_at},
                 after={"partner": link.partner.name, "revoked_at": link.revoked_at})
    if was_active:
        link_event_publish(link, WebhookEventType.ORGANISATION_UNLINKED)
    return link


# --- Drafts changed through the API --------------------------------------------------------

def _section_values(application: Application, section: str) -> dict:
    """The stored values of a section in the shape its writer reads, so that a partial
    change keeps what it does not name."""
    if section == "budget":
        return {"budget_lines": [
            {"category": line.category, "description": line.description,
             "quantity": line.quantity, "unit_cost": line.unit_cost,
             "gpu_hours": line.gpu_hours, "justification": line.justification}
            for line in application.budget_lines.all()]}
    if section == "milestones":
        return {"milestones": [
            {"deliverable": m.deliverable, "due_date": m.due_date,
             "share_percent": m.share_percent} for m in application.milestones.all()]}
    if section == "team":
        return {"team_members": [
            {"name": m.name, "role": m.role, "expertise": m.expertise}
            for m in application.team_members.all()]}
    if section == "declarations":
        return {"declares_accurate": application.declares_accurate,
                "declares_no_double_funding": application.declares_no_double_funding,
                "declares_compliance": application.declares_compliance,
                "privacy_notice_accepted": application.privacy_notice_accepted_at is not None}
    return {name: getattr(application, name) for name in API_SECTION_FIELDS[section]}


def _writer_data(section: str, values: dict):
    if section == "budget":
        return values["budget_lines"]
    if section == "milestones":
        return values["milestones"]
    if section == "team":
        return values["team_members"]
    if section == "declarations":
        return {**values, "privacy_notice": values["privacy_notice_accepted"]}
    return values


def application_update(*, actor, application: Application, changes: dict,
                       expected_version: int) -> Application:
    """Change any fields of a draft at once, through the same section writers (and so the
    same rules and messages) as the applicant's form. Sections not named keep their
    content; within a named section, fields not sent keep their values. All sections are
    saved as one new version, or none: every problem found is reported together."""
    sections = {}
    for section, names in API_SECTION_FIELDS.items():
        sent = {name: changes[name] for name in names if name in changes}
        if sent:
            values = {**_section_values(application, section), **sent}
            sections[section] = _writer_data(section, values)
    if sections:
        drafts.application_update_sections(actor=actor, application=application,
                                           sections=sections,
                                           expected_version=expected_version)
    return application
