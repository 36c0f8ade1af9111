"""Reads for the closure page and the grant's closure state."""

from subsidy.closure.checklist import COMPLETED, TERMINATED, Checklist, closure_checklist
from subsidy.closure.models import GrantClosure
from subsidy.scheme.models import Grant


def grant_for_closure(*, grant_id: int) -> Grant | None:
    return (Grant.objects.select_related("application__organisation", "round")
            .filter(pk=grant_id).first())


def grant_closure_of(*, grant_id: int) -> GrantClosure | None:
    return GrantClosure.objects.select_related("closed_by").filter(grant_id=grant_id).first()


def grant_checklists(grant: Grant) -> dict[str, Checklist]:
    """The checklist for each way the grant can close."""
    return {outcome: closure_checklist(grant, outcome=outcome)
            for outcome in (COMPLETED, TERMINATED)}
