"""Reads of grants' variations, for the company's, the officer's and the panel's pages and
for the layers above (closure and the portfolio)."""

from django.db.models import Count

from subsidy.variations.models import Variation


def open_variation_counts(grant_ids) -> dict[int, int]:
    """How many variations wait for a decision on each grant, in one query; a grant with
    none is absent (read it as 0)."""
    ids = list(grant_ids)
    if not ids:
        return {}
    rows = (Variation.objects.filter(grant_id__in=ids, status=Variation.Status.REQUESTED)
            .values("grant_id").annotate(n=Count("id")).values_list("grant_id", "n"))
    return dict(rows)
