"""Reads of grants' variations, for the company's, the officer's and the panel's pages and
for the layers above (closure and the portfolio)."""

from django.db.models import Count, Prefetch, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from subsidy.scheme.models import Grant
from subsidy.scheme.workload import OLDEST_SHOWN, WaitingItem, WorkQueue
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


def variations_to_decide_queue() -> WorkQueue:
    """The officer's dashboard queue of variations waiting for a decision (the officer's
    and the panel's), oldest first."""
    rows = Variation.objects.filter(status=Variation.Status.REQUESTED)
    oldest = (rows.select_related("grant__application")
              .only("number", "decider", "requested_at", "grant__application__reference",
                    "grant__application__title")
              .order_by("requested_at", "pk")[:OLDEST_SHOWN])
    return WorkQueue(
        code="variations_to_decide", label=_("Variations to decide"), count=rows.count(),
        url=reverse("variations:pending"),
        items=[WaitingItem(
            label=f"{v.grant.application.reference} · {v.grant.application.title}",
            detail=_("Variation %(n)s · decided by: %(decider)s")
            % {"n": v.number, "decider": v.get_decider_display()},
            since=v.requested_at, url=reverse("variations:detail", args=[v.pk]))
            for v in oldest])
