"""What compute gives the lower layers when the app is ready: its allocations, which the
ledger counts in each round's committed figure (docs/compute.md, "Money")."""

from django.db.models import F

from subsidy.compute.models import ComputeAllocation
from subsidy.scheme.ledger import compute_commitments_register


def _commitments():
    return ComputeAllocation.objects.annotate(
        committed_amount=F("amount") - F("released_amount"))


def register() -> None:
    compute_commitments_register(_commitments)
