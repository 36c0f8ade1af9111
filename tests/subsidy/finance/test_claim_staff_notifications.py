from decimal import Decimal

import pytest
from django.core import mail
from django.template.loader import render_to_string
from django.utils import translation

from subsidy.finance.services.claims import ClaimInput, claim_resubmit, claim_return
from subsidy.notifications.events import REGISTRY
from subsidy.notifications.models import Notification
from subsidy.platform.roles import Role
from tests.builders.finance import claim_first_tranche
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_programme_officers_are_told_in_the_inbox_and_by_email_of_a_new_claim(
        active_grant, officer, django_capture_on_commit_callbacks):
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        claim = claim_first_tranche(active_grant)

    note = Notification.objects.get(event="claim_submitted_staff", recipient=officer)
    assert note.context["url"] == f"/finance/claims/{claim.pk}/"
    assert [m for m in mail.outbox if officer.email in m.to]


def test_staff_who_are_not_programme_officers_are_not_told_of_a_claim(active_grant):
    finance = UserFactory(roles=[Role.FINANCE_OFFICER])

    claim_first_tranche(active_grant)

    assert not Notification.objects.filter(event="claim_submitted_staff",
                                            recipient=finance).exists()


def test_programme_officers_are_told_when_a_returned_claim_is_sent_again(
        active_grant, officer, django_capture_on_commit_callbacks):
    claim = claim_first_tranche(active_grant)
    claim_return(actor=officer, claim=claim, comment="Sign the report.")
    Notification.objects.filter(event="claim_submitted_staff").delete()

    with django_capture_on_commit_callbacks(execute=True):
        claim_resubmit(actor=active_grant.owner, claim=claim, data=ClaimInput(
            amount=Decimal("350000.00"), narrative="Signed."))

    note = Notification.objects.get(event="claim_submitted_staff", recipient=officer)
    assert "Revised claim" in note.subject


def test_staff_claim_event_is_an_optional_programme_officer_event():
    event = REGISTRY["claim_submitted_staff"]

    assert (event.audience, event.mandatory) == ("programme_officer", False)



def test_staff_claim_email_is_translated_into_chinese():
    context = {**REGISTRY["claim_submitted_staff"].sample_context, "recipient_name": "Chan"}

    with translation.override("zh-hant"):
        subject = render_to_string("notifications/claim_submitted_staff/subject.txt", context)

    assert "New claim" not in subject
    assert "AISS-2026R1-00042" in subject
