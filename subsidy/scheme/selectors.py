"""Read-side queries of schemes and rounds."""

from decimal import Decimal

from django.db.models import Sum

from subsidy.scheme.models import FundingRound, Grant, Scheme


def scheme_budget_positions():
    """Each scheme with the sum of its round envelopes (``allocated``) and what is left
    (``unallocated``), in one query."""
    from django.db.models import F, Value
    from django.db.models.functions import Coalesce

    allocated = Coalesce(Sum("rounds__envelope"), Value(Decimal("0")))
    return (Scheme.objects.annotate(allocated=allocated)
            .annotate(unallocated=F("budget") - F("allocated")).order_by("code"))


def rounds_open(*, at=None):
    from django.utils import timezone

    at = at or timezone.now()
    return (FundingRound.objects.select_related("scheme")
            .filter(status=FundingRound.Status.OPEN, opens_at__lte=at, closes_at__gt=at)
            .order_by("closes_at"))


def rounds_with_budget_position():
    """Every round with its scheme, newest first. Commitments join here once grants exist."""
    return FundingRound.objects.select_related("scheme").order_by("-opens_at", "code")


def grant_id_of(*, application) -> int | None:
    """The id of the application's grant, or None before an approval."""
    return Grant.objects.filter(application_id=application.pk).values_list(
        "pk", flat=True).first()
