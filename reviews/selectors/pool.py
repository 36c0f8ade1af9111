"""Reading a round's reviewer pool: its members with their load, the reviewers an officer
may assign to an application, and what an application's reviews still lack."""

from django.db.models import Count, Q

from applicants.models import Application
from reviews.models import Assignment, ReviewerPoolMember
from reviews.services.assignments import (
    balancing_choice,
    pool_active,
    reviewers_excluded,
    round_loads,
)
from subsidy.scheme.models import FundingRound


def pool_for_round(*, round_: FundingRound):
    """The round's pool with each member's live load in the round (one query)."""
    return (ReviewerPoolMember.objects.filter(round=round_).select_related("reviewer")
            .annotate(load=Count("reviewer__review_assignments", filter=Q(
                reviewer__review_assignments__application__round=round_,
                reviewer__review_assignments__status__in=Assignment.LIVE_STATUSES)))
            .order_by("reviewer__full_name", "reviewer__email"))


def assignable_reviewers(*, application: Application) -> list:
    """The pool members an officer may assign to the application now, least loaded first,
    by the same rule as automatic assignment."""
    pool = pool_active(application.round_id)
    chosen = balancing_choice(pool, round_loads(application.round_id),
                              reviewers_excluded([application])[application.pk], len(pool),
                              application.category)
    members = {m.pk: m for m in ReviewerPoolMember.objects.filter(
        pk__in=[m.pk for m in chosen]).select_related("reviewer")}
    return [members[m.pk] for m in chosen]


def review_shortfall(*, application: Application) -> dict | None:
    """How many reviews an application still lacks before its review stage should close:
    submitted reviews against the round's reviewers per application (or the live
    assignments, when more were made). ``None`` when nothing is missing."""
    live = Assignment.objects.filter(application=application,
                                     status__in=Assignment.LIVE_STATUSES)
    counts = live.aggregate(live=Count("pk"),
                            submitted=Count("pk", filter=Q(status=Assignment.Status.SUBMITTED)))
    expected = max(application.round.reviewers_per_application, counts["live"])
    if counts["submitted"] >= expected:
        return None
    return {"submitted": counts["submitted"], "expected": expected,
            "open": counts["live"] - counts["submitted"]}
