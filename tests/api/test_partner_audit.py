"""The audit trail names a partner organisation's API key as the actor."""

import pytest

from subsidy.api.auth import PartnerClient
from subsidy.api.models import ApiKey
from subsidy.platform.audit import audit_record

pytestmark = pytest.mark.django_db


def test_partner_client_is_recorded_by_label_without_a_user(partner, issue_key):
    issue_key(partner=partner)
    key = ApiKey.objects.get()
    client = PartnerClient(partner=partner, api_key=key)

    event = audit_record(actor=client, action="partner.test", obj=partner)

    assert event.actor is None
    assert event.actor_label == f"partner:HKU iDendron (key {key.prefix})"


def test_a_user_is_still_recorded_as_the_actor(administrator, partner):
    event = audit_record(actor=administrator, action="partner.test", obj=partner)

    assert event.actor == administrator
    assert event.actor_label == administrator.email


def test_no_actor_is_the_system(partner):
    event = audit_record(actor=None, action="partner.test", obj=partner)

    assert event.actor is None and event.actor_label == "system"
