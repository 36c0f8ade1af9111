"""The link in a notification (inbox entry and email) opens the page it names, for the person
it was sent to."""

from datetime import date

import pytest
from django.urls import resolve, reverse
from django.utils import timezone

from applicants.models import Membership
from applicants.services.organisations import member_invite
from subsidy.devdata.demo import demo_seed
from subsidy.finance.models import Claim
from subsidy.finance.services.claims import (
    ClaimInput,
    claim_resubmit,
    claim_return,
    claim_submit,
    claim_verify,
)
from subsidy.finance.services.payments import (
    payment_approve,
    payment_batch_create,
    payment_batch_release,
    payment_prepare,
)
from subsidy.finance.services.tranches import grant_activate
from subsidy.notifications.models import Notification
from subsidy.notifications.services.digest import staff_daily_digest_send
from subsidy.notifications.services.inbox import notification_preferences_set
from subsidy.platform.roles import Role
from subsidy.scheme.models import Grant
from tests.builders.finance import demo_money_people, make_accepted_grant, mark_paid
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _link(notification: Notification) -> str:
    return notification.context["url"]


def test_the_returned_claim_email_opens_the_claim_for_the_applicant(client):
    grant = make_accepted_grant()
    officer = UserFactory(roles=[Role.PROGRAMME_OFFICER])
    grant_activate(actor=officer, grant=grant)
    client.force_login(grant.owner)
    client.post(reverse("finance:tranche_claim", args=[grant.pk, 1]),
                {"amount": "400000.00", "narrative": "Prototype delivered."})
    claim = Claim.objects.get()
    client.force_login(officer)
    client.post(reverse("finance:claim_return", args=[claim.pk]),
                {"comment": "Attach the invoice."})

    returned = Notification.objects.get(event="claim_returned", recipient=grant.owner)
    client.force_login(grant.owner)
    response = client.get(_link(returned))

    assert response.status_code == 200
    assert response.context["claim"] == claim


def test_the_inbox_entry_of_a_returned_claim_leads_to_the_claim(client):
    grant = make_accepted_grant()
    officer = UserFactory(roles=[Role.PROGRAMME_OFFICER])
    grant_activate(actor=officer, grant=grant)
    claim = claim_submit(actor=grant.owner, tranche=grant.tranches.get(number=1),
                         data=ClaimInput(amount=grant.tranches.get(number=1).amount,
                                         narrative="Prototype delivered."))
    claim_return(actor=officer, claim=claim, comment="Attach the invoice.")
    returned = Notification.objects.get(event="claim_returned", recipient=grant.owner)
    client.force_login(grant.owner)

    response = client.post(reverse("notifications:mark_read", args=[returned.pk]), {"open": "1"},
                           follow=True)

    assert response.redirect_chain[-1][0] == reverse("finance:claim", args=[claim.pk])
    assert response.status_code == 200


def test_the_officer_opens_the_submitted_claim_from_the_notification(client):
    grant = make_accepted_grant()
    officer = UserFactory(roles=[Role.PROGRAMME_OFFICER])
    grant_activate(actor=officer, grant=grant)
    client.force_login(grant.owner)
    client.post(reverse("finance:tranche_claim", args=[grant.pk, 1]),
                {"amount": "400000.00", "narrative": "Prototype delivered."})
    waiting = Notification.objects.get(event="claim_submitted_staff", recipient=officer)
    client.force_login(officer)

    response = client.get(_link(waiting))

    assert response.status_code == 200
    assert response.context["claim"] == Claim.objects.get()


def test_every_link_written_through_the_demo_and_its_grant_resolves():
    demo_seed()
    user = demo_money_people()
    grant = Grant.objects.get(status=Grant.Status.ACCEPTED)
    grant_activate(actor=user["officer"], grant=grant)
    first = grant.tranches.get(number=1)
    claim = claim_submit(actor=user["applicant"], tranche=first,
                         data=ClaimInput(amount=first.amount, narrative="Data collected."))
    claim_return(actor=user["officer"], claim=claim, comment="Attach the invoice.")
    claim = claim_resubmit(actor=user["applicant"], claim=claim,
                           data=ClaimInput(amount=first.amount, narrative="Invoice attached."))
    claim_verify(actor=user["officer"], claim=claim)
    payment = payment_prepare(actor=user["finance"], claim=claim)
    payment_approve(actor=user["approver"], payment=payment)
    batch = payment_batch_create(actor=user["finance"], payment_ids=[payment.pk])
    payment_batch_release(actor=user["treasury"], batch=batch,
                          execution_date=timezone.localdate())
    payment.refresh_from_db()
    mark_paid(payment,
              bank_reference="HSBC-DEMO-1", value_date=date(2027, 1, 5))
    member_invite(actor=user["applicant"], organisation=grant.application.organisation,
                  email="new.colleague@example.hk", role=Membership.Role.EDITOR)
    notification_preferences_set(user=user["officer"], email_enabled={"staff_daily_digest": True})
    staff_daily_digest_send(day=timezone.localdate())

    links = {(n.event, n.context["url"]) for n in Notification.objects.all()
             if "url" in n.context}
    events = {event for event, _ in links}
    assert {"application_submitted", "application_received", "application_ready_for_decision",
            "claim_returned", "claim_submitted_staff", "claim_verified", "payment_prepared",
            "claim_paid", "organisation_invitation", "staff_daily_digest"} <= events
    unresolved = []
    for event, url in sorted(links):
        try:
            resolve(url)
        except Exception:  # noqa: BLE001 - every failure is reported together below
            unresolved.append((event, url))
    assert unresolved == []
