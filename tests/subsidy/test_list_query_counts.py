"""List pages that had no query-count check: each asks the same number of SQL queries for
a small round and one four times its size (volume from ``generate_volume``)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from subsidy.devdata.volume import VolumeSpec, generate_volume
from subsidy.platform.models import User
from subsidy.platform.roles import Role
from subsidy.scheme.models import FundingRound
from tests.factories import UserFactory

PAGES = [
    # (role, URL name, takes the round's code, query string)
    (Role.PROGRAMME_OFFICER, "reviews:ranking", True, {}),
    (Role.PROGRAMME_OFFICER, "reviews:ranking", True, {"scores": "normalised"}),
    (Role.PROGRAMME_OFFICER, "reviews:pool", True, {}),
    (Role.PANEL_MEMBER, "staff:bulk_decisions", False, {"round": "{code}"}),
    (Role.FINANCE_OFFICER, "finance:grants", False, {}),
    (Role.FINANCE_OFFICER, "finance:disbursement_register", False, {}),
    (Role.FINANCE_OFFICER, "finance:disbursement_register", False, {"round": "{code}"}),
    (Role.FINANCE_OFFICER, "finance:commitments_register", False, {}),
]


def _volume(applications: int) -> FundingRound:
    report = generate_volume(VolumeSpec(applications=applications, rounds=1,
                                        criterion_scores=False), progress=lambda _line: None)
    return FundingRound.objects.get(code=report.rounds[0])


def _queries(client, user, path, query):
    client.force_login(user)
    client.get(path, query)  # sessions, caches and translations settle on the first call
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, query)
    assert response.status_code == 200, path
    return len(queries)


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "name", "with_code", "query"), PAGES)
def test_list_pages_ask_as_many_queries_for_a_round_four_times_larger(client, role, name,
                                                                      with_code, query):
    user = UserFactory(roles=[role])
    counts = []
    for size in (30, 120):
        round_ = _volume(size)
        path = reverse(name, args=[round_.code] if with_code else [])
        counts.append(_queries(client, user, path,
                               {k: v.format(code=round_.code) for k, v in query.items()}))
    assert counts[0] == counts[1]


@pytest.mark.django_db
def test_reviewers_assignment_list_asks_as_many_queries_for_four_times_the_assignments(
        client):
    counts = []
    for size in (30, 120):
        round_ = _volume(size)
        reviewer = User.objects.filter(reviewer_pool_memberships__round=round_).order_by(
            "pk").first()
        counts.append(_queries(client, reviewer, reverse("reviews:my_assignments"), {}))
    assert counts[0] == counts[1]
