"""Reads for the agreement pages."""

from subsidy.agreements.document import conditions_of
from subsidy.agreements.models import ConditionPrecedent
from subsidy.agreements.schedule import TrancheRow, schedule_from_milestones
from subsidy.scheme.models import Grant

__all__ = ["condition_with_grant", "conditions_of", "grant_for_agreement", "offer_schedule"]


def grant_for_agreement(*, grant_id: int) -> Grant | None:
    return (Grant.objects.select_related("application__organisation", "round__scheme")
            .filter(pk=grant_id).first())


def condition_with_grant(*, condition_id: int) -> ConditionPrecedent | None:
    return (ConditionPrecedent.objects
            .select_related("grant__application__organisation", "submitted_by", "decided_by")
            .filter(pk=condition_id).first())


def offer_schedule(grant: Grant) -> list[TrancheRow]:
    """The tranches the offer letter promises."""
    return schedule_from_milestones(grant=grant)
