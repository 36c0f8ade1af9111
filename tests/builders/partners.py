"""A partner's link to an organisation."""

from tests.factories import PartnerLinkFactory


def link(partner, organisation, *, via="api"):
    """An active link, as after registration through the API or an owner's approval."""
    return PartnerLinkFactory(partner=partner, organisation=organisation, created_via=via)
