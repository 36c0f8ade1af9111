"""What compute gives the lower layers when the app is ready: its allocations, which the
ledger counts in each round's committed figure (docs/compute.md, "Money"), and their
release when an offer that had one is declined or lapses, as the cash commitment is."""

from django.db.models import F

from applicants.workflow import transition_effect_register
from subsidy.compute.models import ComputeAllocation
from subsidy.compute.services.allocations import compute_allocation_release
from subsidy.scheme.ledger import compute_commitments_register
from subsidy.scheme.models import Grant

# The steps that end an offer without a grant: the round gets back its compute as well.
OFFER_ENDINGS = ("decline_offer", "lapse_offer")


def _commitments():
    return ComputeAllocation.objects.annotate(
        committed_amount=F("amount") - F("released_amount"))


def _release_with_the_offer(ctx) -> None:
    grant = Grant.objects.filter(application_id=ctx.application.pk).first()
    if grant is not None:
        compute_allocation_release(grant=grant, actor=ctx.actor)


def register() -> None:
    compute_commitments_register(_commitments)
    for transition_name in OFFER_ENDINGS:
        transition_effect_register(transition_name=transition_name,
                                   effect=_release_with_the_offer)
