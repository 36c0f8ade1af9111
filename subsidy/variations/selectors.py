"""Reads of grants' variations, for the company's, the officer's and the panel's pages and
for the layers above (closure and the portfolio)."""

from django.db.models import Count, Prefetch, QuerySet

from subsidy.scheme.models import Grant
from subsidy.variations.models import Variation, VariationBudgetMove, VariationMilestoneChange


def open_variation_counts(grant_ids) -> dict[int, int]:
    """How many variations wait for a decision on each grant, in one query; a grant with
    none is absent (read it as 0)."""
    ids = list(grant_ids)
    if not ids:
        return {}
    rows = (Variation.objects.filter(grant_id__in=ids, status=Variation.Status.REQUESTED)
            .values("grant_id").annotate(n=Count("id")).values_list("grant_id", "n"))
    return dict(rows)


def grant_for_variation(*, grant_id: int) -> Grant | None:
    return (Grant.objects.select_related("application__organisation", "round")
            .filter(pk=grant_id).first())


def grant_variations(grant: Grant) -> list[Variation]:
    return list(grant.variations.select_related("requested_by", "decided_by")
                .order_by("-number"))


def variation_with_grant(*, variation_id: int) -> Variation | None:
    return (Variation.objects
            .select_related("grant__application__organisation", "grant__round",
                            "requested_by", "decided_by", "partner")
            .prefetch_related(
                Prefetch("milestone_changes",
                         queryset=VariationMilestoneChange.objects.order_by("old_due_date")),
                Prefetch("budget_moves", queryset=VariationBudgetMove.objects
                         .select_related("from_line", "to_line")))
            .filter(pk=variation_id).first())


def pending_variations(*, panel_only: bool = False) -> QuerySet[Variation]:
    """The variations waiting for a decision, oldest first, with what the list shows."""
    rows = (Variation.objects.filter(status=Variation.Status.REQUESTED)
            .select_related("grant__application__organisation", "grant__round")
            .order_by("requested_at", "pk"))
    if panel_only:
        rows = rows.filter(decider=Variation.Decider.PANEL)
    return rows
