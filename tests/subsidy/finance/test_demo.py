from datetime import date

import pytest
from django.utils import timezone

from subsidy.devdata.demo import demo_seed
from subsidy.finance.services.claims import ClaimInput, claim_submit, claim_verify
from subsidy.finance.services.payments import (
    payment_approve,
    payment_batch_create,
    payment_batch_release,
    payment_prepare,
)
from subsidy.finance.services.tranches import grant_activate
from subsidy.scheme.models import Grant
from tests.builders.finance import demo_money_people, mark_paid

pytestmark = pytest.mark.django_db


def test_demo_users_take_the_demo_grant_through_one_paid_tranche():
    demo_seed()
    demo_seed()
    user = demo_money_people()
    grant = Grant.objects.get(status=Grant.Status.ACCEPTED)

    grant_activate(actor=user["officer"], grant=grant)
    tranche = grant.tranches.get(number=1)
    claim = claim_submit(actor=user["applicant"], tranche=tranche,
                         data=ClaimInput(amount=tranche.amount, narrative="Data collected."))
    claim_verify(actor=user["officer"], claim=claim)
    payment = payment_prepare(actor=user["finance"], claim=claim)
    payment_approve(actor=user["approver"], payment=payment)
    batch = payment_batch_create(actor=user["finance"], payment_ids=[payment.pk])
    payment_batch_release(actor=user["treasury"], batch=batch,
                          execution_date=timezone.localdate())
    payment.refresh_from_db()
    paid = mark_paid(payment,
                     bank_reference="HSBC-DEMO-1", value_date=date(2027, 1, 5))

    assert paid.status == "paid"
    assert tranche.amount == grant.approved_amount * 40 / 100
