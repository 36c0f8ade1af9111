"""A partner's link to an organisation, and the confirmation of a company a partner
registered, as its named owner gives it."""

from applicants.services.registrations import registration_confirm
from subsidy.notifications.models import Notification
from subsidy.platform.models import User
from tests.factories import PartnerLinkFactory, UserFactory


def link(partner, organisation, *, via="api"):
    """An active link, as after registration through the API or an owner's approval."""
    return PartnerLinkFactory(partner=partner, organisation=organisation, created_via=via)


def registration_token(email: str) -> str:
    """The token of the last registration link emailed to ``email``."""
    notification = (Notification.objects.filter(event="organisation_registration",
                                                 to_email=email).latest("id"))
    return notification.context["url"].rstrip("/").rsplit("/", 1)[1]


def registration_confirmed(email: str):
    """The person a partner named as owner (an account with ``email``, made if need be)
    confirms the company by the link emailed to them; the company."""
    person = User.objects.filter(email__iexact=email).first() or UserFactory(email=email)
    return registration_confirm(user=person, token=registration_token(email))
