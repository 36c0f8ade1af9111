"""Who hears of a variation: the company's members and the programme officers (and the
panel members, for a variation the panel decides), by email and in the inbox; the partner
organisations linked to the company, by webhook. Everything is written in the transaction
of the step and leaves once it commits."""

from django.urls import reverse

from applicants.models import Membership, PartnerLink
from subsidy.notifications.services.outbox import notify, organisation_names
from subsidy.platform.money import money
from subsidy.platform.roles import Role
from subsidy.platform.selectors import users_with_role
from subsidy.variations.models import Variation
from subsidy.webhooks.services.delivery import webhook_event_publish, webhook_time


def _context(variation: Variation) -> dict:
    application = variation.grant.application
    return {
        "application_id": application.pk,
        "reference": application.reference or "",
        "title": application.title,
        **organisation_names(application.organisation),
        "round": variation.grant.round.code,
        "number": variation.number,
        "status": variation.status,
        "decider": variation.decider,
        "reason": variation.decision_reason,
        "amount": money(variation.new_amount) if variation.new_amount is not None else "",
        "url": reverse("variations:detail", args=[variation.pk]),
    }


def _company(variation: Variation, event: str) -> None:
    context = _context(variation)
    organisation_id = variation.grant.application.organisation_id
    members = (Membership.objects.filter(organisation_id=organisation_id, user__is_active=True)
               .select_related("user"))
    for membership in members:
        notify(recipient=membership.user, event=event, context=context)


def _staff(variation: Variation, event: str, *, actor=None) -> None:
    roles = [Role.PROGRAMME_OFFICER]
    if variation.decider == Variation.Decider.PANEL and event == "variation_to_decide":
        roles.append(Role.PANEL_MEMBER)
    staff = users_with_role(*roles)
    if actor is not None:
        staff = staff.exclude(pk=actor.pk)
    context = _context(variation)
    for user in staff:
        notify(recipient=user, event=event, context=context)


def variation_payload(variation: Variation) -> dict:
    """A variation as the partner API and its webhooks show it."""
    application = variation.grant.application
    return {
        "id": variation.pk, "number": variation.number, "status": variation.status,
        "decider": variation.decider,
        "application": {"id": str(application.public_id), "reference": application.reference},
        "reason": variation.reason,
        "new_start_date": variation.new_start_date and variation.new_start_date.isoformat(),
        "new_end_date": variation.new_end_date and variation.new_end_date.isoformat(),
        "new_amount": None if variation.new_amount is None else str(variation.new_amount),
        "old_amount": str(variation.old_amount),
        "decision_reason": variation.decision_reason,
        "requested_at": webhook_time(variation.requested_at),
        "decided_at": webhook_time(variation.decided_at),
        "agreement_version": variation.agreement_version,
    }


def _partners(variation: Variation, event_type: str) -> None:
    links = (PartnerLink.objects
             .filter(organisation_id=variation.grant.application.organisation_id,
                     linked_at__isnull=False, revoked_at__isnull=True)
             .select_related("partner"))
    data = {"variation": variation_payload(variation)}
    for link in links:
        webhook_event_publish(partner=link.partner, event_type=event_type, data=data)


def variation_requested_notify(variation: Variation) -> None:
    _company(variation, "variation_received")
    _staff(variation, "variation_to_decide")
    _partners(variation, "variation.requested")


def variation_decided_notify(variation: Variation, *, actor) -> None:
    _company(variation, "variation_decided")
    _staff(variation, "variation_decided_staff", actor=actor)
    _partners(variation, f"variation.{variation.status}")
