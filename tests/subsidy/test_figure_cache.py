"""The cached figures (the finance dashboard's, a round's ranking, a round's reviewer
statistics on the application page) are never older than the data: a change written by
any statement, a bulk ``QuerySet.update()`` included, shows on the next page at once; a
page asked twice with nothing changed reads its figures from the cache.

The data is committed here (``transaction=True``): the versions of the figures change as a
transaction commits, and a test's own uncommitted rows are never cached."""

from decimal import Decimal

import pytest
from django.db import transaction
from django.db.models import F
from django.urls import reverse

from applicants.models import Application, ApplicationStatus
from reviews.models import Review
from reviews.selectors.assessment import RANKED_STATUSES, current_reviews
from subsidy.devdata.volume import VolumeSpec, generate_volume
from subsidy.finance.models import Tranche
from subsidy.platform.roles import Role
from subsidy.scheme.ledger import rounds_with_commitments
from subsidy.scheme.models import FundingRound, Grant
from tests.factories import UserFactory
from tests.subsidy.test_list_query_counts import DASHBOARD_QUERIES, RANKING_QUERIES

pytestmark = pytest.mark.django_db(transaction=True)

# What a warm cache spares each page: the dashboard all its figures but claims ageing
# (which moves with the clock); the ranking the round's remaining envelope and its scores;
# the application page the two scans of the round's reviews. (The application's own score
# comes from the reviews the page shows, and its grant from the application's row.)
DASHBOARD_FIGURE_QUERIES = 19
RANKING_FIGURE_QUERIES = 2
APPLICATION_QUERIES = 20
REVIEWER_STATISTICS_QUERIES = 2


@pytest.fixture
def round_():
    report = generate_volume(VolumeSpec(applications=30, rounds=1, criterion_scores=False),
                             progress=lambda _line: None)
    return FundingRound.objects.get(code=report.rounds[0])


@pytest.fixture
def staff(client):
    client.force_login(UserFactory(roles=[Role.FINANCE_OFFICER, Role.PROGRAMME_OFFICER]))
    return client


def _cold_then_warm(client, path, cold, warm, django_assert_num_queries):
    with django_assert_num_queries(cold):
        first = client.get(path)
    with django_assert_num_queries(warm):
        second = client.get(path)
    assert first.status_code == second.status_code == 200
    return second


def _committed() -> Decimal:
    return sum((r.committed for r in rounds_with_commitments()), Decimal("0.00"))


# --- Finance dashboard ----------------------------------------------------------------------

# Only PostgreSQL keeps the versions the cache needs; SQLite computes every time.
@pytest.mark.postgres
def test_the_dashboard_reads_its_figures_once_until_the_data_changes(
        round_, staff, django_assert_num_queries):
    path = reverse("finance:dashboard")
    staff.get(path)  # sessions and translations settle
    staff.get(path)
    with django_assert_num_queries(DASHBOARD_QUERIES - DASHBOARD_FIGURE_QUERIES):
        assert staff.get(path).status_code == 200
    Grant.objects.filter(round=round_, status=Grant.Status.ACTIVE).update(
        approved_amount=F("approved_amount"))
    _cold_then_warm(staff, path, DASHBOARD_QUERIES,
                    DASHBOARD_QUERIES - DASHBOARD_FIGURE_QUERIES, django_assert_num_queries)


def test_a_bulk_update_of_grants_shows_on_the_dashboard_at_once(round_, staff):
    path = reverse("finance:dashboard")
    before = staff.get(path).context["s"]["committed"]
    assert staff.get(path).context["s"]["committed"] == before == _committed()
    grant = Grant.objects.filter(round=round_, status=Grant.Status.ACTIVE).order_by(
        "pk").first()
    Grant.objects.filter(pk=grant.pk).update(approved_amount=F("approved_amount") - 1000)
    after = staff.get(path).context["s"]["committed"]
    assert after == before - 1000 == _committed()


def test_a_bulk_update_of_tranches_shows_in_the_dashboards_forecast_at_once(round_, staff):
    path = reverse("finance:dashboard")
    before = sum(row["total"] for row in staff.get(path).context["forecast"])
    staff.get(path)
    due = Tranche.objects.filter(status=Tranche.Status.SCHEDULED,
                                 grant__status=Grant.Status.ACTIVE)
    moved = due.order_by("pk").first()
    Tranche.objects.filter(pk=moved.pk).update(status=Tranche.Status.CANCELLED)
    after = sum(row["total"] for row in staff.get(path).context["forecast"])
    assert after == before - moved.amount


def test_a_change_not_yet_committed_shows_to_its_own_transaction(round_, staff):
    path = reverse("finance:dashboard")
    before = staff.get(path).context["s"]["committed"]
    staff.get(path)
    grant = Grant.objects.filter(round=round_, status=Grant.Status.ACTIVE).order_by(
        "pk").first()
    with transaction.atomic():
        Grant.objects.filter(pk=grant.pk).update(approved_amount=F("approved_amount") - 1000)
        assert staff.get(path).context["s"]["committed"] == before - 1000
        transaction.set_rollback(True)
    assert staff.get(path).context["s"]["committed"] == before


# --- Ranking --------------------------------------------------------------------------------

# Only PostgreSQL keeps the versions the cache needs; SQLite computes every time.
@pytest.mark.postgres
def test_the_ranking_reads_its_figures_once_until_the_data_changes(
        round_, staff, django_assert_num_queries):
    path = reverse("reviews:ranking", args=[round_.code])
    staff.get(path)  # sessions and translations settle; the cache is warm
    with django_assert_num_queries(RANKING_QUERIES - RANKING_FIGURE_QUERIES):
        assert staff.get(path).status_code == 200
    Review.objects.filter(assignment__application__round=round_).update(
        weighted_total=F("weighted_total"))
    _cold_then_warm(staff, path, RANKING_QUERIES, RANKING_QUERIES - RANKING_FIGURE_QUERIES,
                    django_assert_num_queries)


def _ranking(client, round_):
    return client.get(reverse("reviews:ranking", args=[round_.code])).context["ranking"]


def test_a_bulk_update_of_requested_subsidy_shows_in_the_ranking_at_once(round_, staff):
    before = _ranking(staff, round_)
    _ranking(staff, round_)
    first = before.rows[0].application
    Application.objects.filter(pk=first.pk).update(
        requested_subsidy=F("requested_subsidy") + 1)
    after = _ranking(staff, round_)
    assert after.rows[0].application.requested_subsidy == first.requested_subsidy + 1
    assert after.rows[-1].running_total == before.rows[-1].running_total + 1


def test_a_bulk_update_of_review_totals_shows_in_the_ranking_at_once(round_, staff):
    before = _ranking(staff, round_)
    _ranking(staff, round_)
    last = next(row for row in reversed(before.rows) if row.rank is not None).application
    Review.objects.filter(assignment__application_id=last.pk).update(weighted_total=100)
    after = _ranking(staff, round_)
    row = next(row for row in after.rows if row.application.pk == last.pk)
    assert row.score.raw == Decimal("100.00")


def test_a_bulk_update_of_grants_shows_in_the_rankings_remaining_envelope_at_once(
        round_, staff):
    before = _ranking(staff, round_).remaining
    _ranking(staff, round_)
    grant = Grant.objects.filter(round=round_, status=Grant.Status.ACTIVE).order_by(
        "pk").first()
    Grant.objects.filter(pk=grant.pk).update(approved_amount=F("approved_amount") - 1000)
    assert _ranking(staff, round_).remaining == before + 1000


# --- The application page's reviewer statistics --------------------------------------------

def _reviewed(round_) -> Application:
    return Application.objects.get(pk=current_reviews(round_.pk).filter(
        assignment__application__status__in=RANKED_STATUSES).order_by("pk").values_list(
        "assignment__application_id", flat=True)[0])


# Only PostgreSQL keeps the versions the cache needs; SQLite computes every time.
@pytest.mark.postgres
def test_the_application_page_reads_the_reviewer_statistics_once_until_reviews_change(
        round_, staff, django_assert_num_queries):
    path = reverse("staff:application", args=[_reviewed(round_).pk])
    staff.get(path)  # sessions and translations settle; the cache is warm
    with django_assert_num_queries(APPLICATION_QUERIES - REVIEWER_STATISTICS_QUERIES):
        assert staff.get(path).status_code == 200
    Review.objects.filter(assignment__application__round=round_).update(
        weighted_total=F("weighted_total"))
    _cold_then_warm(staff, path, APPLICATION_QUERIES,
                    APPLICATION_QUERIES - REVIEWER_STATISTICS_QUERIES,
                    django_assert_num_queries)


def test_a_bulk_update_of_other_reviews_shows_in_the_normalised_scores_at_once(round_, staff):
    application = _reviewed(round_)
    path = reverse("staff:application", args=[application.pk])
    before = staff.get(path).context["assessment"]["aggregate"].normalised
    staff.get(path)
    # The other reviews of the round (not this application's) move every reviewer's mean.
    others = current_reviews(round_.pk).exclude(assignment__application=application)
    Review.objects.filter(pk__in=list(others.values_list("pk", flat=True))).update(
        weighted_total=0)
    after = staff.get(path).context["assessment"]["aggregate"].normalised
    assert after != before
    assert Application.objects.get(pk=application.pk).status != ApplicationStatus.DRAFT
