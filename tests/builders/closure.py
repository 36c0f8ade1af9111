"""Grants ready to close: every tranche paid through the finance services."""

from tests.builders.finance import batched_payment, mark_paid


def pay_every_tranche(grant, officer, finance_officer, finance_approver):
    """Claim, verify, prepare, approve, batch and pay each tranche of ``grant`` in turn."""
    for tranche in grant.tranches.order_by("number"):
        payment, _batch = batched_payment(grant, officer, finance_officer, finance_approver,
                                          number=tranche.number)
        mark_paid(payment, bank_reference=f"CLOSE-{grant.pk}-{tranche.number}")
    return grant
