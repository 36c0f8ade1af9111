"""List pages that had no query-count check: each asks the same, exact number of SQL queries
for a small round and one four times its size (volume from ``generate_volume``)."""

import pytest
from django.db import connection
from django.urls import reverse

from subsidy.devdata.volume import VolumeSpec, generate_volume
from subsidy.platform.models import User
from subsidy.platform.roles import Role
from subsidy.scheme.models import FundingRound
from tests.factories import UserFactory

# The finance dashboard: its rounds' figures in two queries (the rounds, then one statement
# grouping each source), the payments as reported read once for the month table and the
# burn-down, and a fixed number of grouped queries for the rest, whatever the size; the
# compute subsidy drawn per round and the compute allocations per category and sector: 3;
# claims ageing, every step in one query;
# the version of the finance figures, read before them for their cache: 1 on PostgreSQL
# (SQLite keeps no versions and caches nothing: subsidy.platform.figure_cache). (Here the
# data is the test's own, not committed, so the cache is not used: the figures are read.)
FIGURE_VERSION_QUERIES = 1 if connection.vendor == "postgresql" else 0
DASHBOARD_QUERIES = 26 + FIGURE_VERSION_QUERIES
# The ranking: the versions of its figures, then (not committed, not cached) its queries;
# the round's settings are read once, by the page, and given to the ranking.
RANKING_QUERIES = 8 + FIGURE_VERSION_QUERIES
RANKING_EXPORT_QUERIES = 7 + FIGURE_VERSION_QUERIES

PAGES = [
    # (role, URL name, takes the round's code, query string, queries at either size)
    (Role.PROGRAMME_OFFICER, "reviews:ranking", True, {}, RANKING_QUERIES),
    (Role.PROGRAMME_OFFICER, "reviews:ranking", True, {"scores": "normalised"},
     RANKING_QUERIES),
    (Role.PROGRAMME_OFFICER, "reviews:pool", True, {}, 7),
    (Role.PANEL_MEMBER, "staff:bulk_decisions", False, {"round": "{code}"}, 6),
    (Role.FINANCE_OFFICER, "finance:grants", False, {}, 5),
    (Role.FINANCE_OFFICER, "finance:disbursement_register", False, {}, 10),
    (Role.FINANCE_OFFICER, "finance:disbursement_register", False, {"round": "{code}"}, 10),
    (Role.FINANCE_OFFICER, "finance:commitments_register", False, {}, 11),
    (Role.FINANCE_OFFICER, "finance:dashboard", False, {}, DASHBOARD_QUERIES),
]


def _volume(applications: int) -> FundingRound:
    report = generate_volume(VolumeSpec(applications=applications, rounds=1,
                                        criterion_scores=False), progress=lambda _line: None)
    return FundingRound.objects.get(code=report.rounds[0])


def _get(client, user, path, query, queries, expected):
    client.force_login(user)
    client.get(path, query)  # sessions, caches and translations settle on the first call
    with queries(expected):
        response = client.get(path, query)
    assert response.status_code == 200, path


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "name", "with_code", "query", "expected"), PAGES)
def test_list_pages_ask_as_many_queries_for_a_round_four_times_larger(
        client, role, name, with_code, query, expected, django_assert_num_queries):
    user = UserFactory(roles=[role])
    for size in (30, 120):
        round_ = _volume(size)
        path = reverse(name, args=[round_.code] if with_code else [])
        _get(client, user, path, {k: v.format(code=round_.code) for k, v in query.items()},
             django_assert_num_queries, expected)


@pytest.mark.django_db
def test_reviewers_assignment_list_asks_as_many_queries_for_four_times_the_assignments(
        client, django_assert_num_queries):
    for size in (30, 120):
        round_ = _volume(size)
        reviewer = User.objects.filter(reviewer_pool_memberships__round=round_).order_by(
            "pk").first()
        _get(client, reviewer, reverse("reviews:my_assignments"), {},
             django_assert_num_queries, 5)
