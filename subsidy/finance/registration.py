"""What finance gives the lower layers when the app is ready: the grant's effects on the
application's lifecycle, and the paid payments and recovery receipts the round ledger
counts, and the claims waiting on the officer's dashboard."""

from applicants.workflow import GRANT, transition_effect_register
from subsidy.finance.models import Disbursement, RecoveryReceipt
from subsidy.finance.selectors import claims_to_verify_queue
from subsidy.finance.services.tranches import GRANT_EFFECTS
from subsidy.scheme.ledger import paid_payments_register, recovery_receipts_register
from subsidy.scheme.workload import workload_source_register


def paid_payment_rows():
    return Disbursement.objects.filter(status=Disbursement.Status.PAID)


def register() -> None:
    for transition_name, effect in GRANT_EFFECTS.items():
        transition_effect_register(transition_name=transition_name, effect=effect, part=GRANT)
    paid_payments_register(paid_payment_rows)
    recovery_receipts_register(RecoveryReceipt.objects.all)
    # After the assessment's queues on the officer's dashboard.
    workload_source_register(code="claims_to_verify", order=100, source=claims_to_verify_queue)
