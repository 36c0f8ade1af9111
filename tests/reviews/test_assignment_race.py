import threading

import pytest
from django.db import close_old_connections, connection

from reviews.models import Assignment
from reviews.services.assignments import assignment_create, assignments_auto_assign
from subsidy.platform.errors import DomainError
from subsidy.platform.roles import Role
from tests.builders.reviews import application_in_review, pooled_reviewer
from tests.factories import FundingRoundFactory, UserFactory


def race(jobs):
    barrier = threading.Barrier(len(jobs))
    outcomes = []

    def run(job):
        try:
            barrier.wait(timeout=10)
            job()
            outcomes.append("assigned")
        except DomainError as exc:
            outcomes.append(exc.code)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_manual_assignments_never_exceed_a_reviewers_capacity():
    """Ten officers assign the same reviewer (capacity 2) to ten applications at once: the
    round lock lets exactly two through, the others are refused for capacity."""
    officer = UserFactory(roles=[Role.PROGRAMME_OFFICER])
    round_ = FundingRoundFactory()
    reviewer = pooled_reviewer(round_, officer, capacity=2)
    apps = [application_in_review(round_) for _ in range(10)]
    outcomes = race([
        (lambda app=app: assignment_create(actor=officer, application=app, reviewer=reviewer))
        for app in apps])
    assert sorted(outcomes) == ["assigned"] * 2 + ["capacity"] * 8
    assert Assignment.objects.filter(reviewer=reviewer).count() == 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_automatic_assignments_fill_each_application_once():
    officer = UserFactory(roles=[Role.PROGRAMME_OFFICER])
    round_ = FundingRoundFactory(reviewers_per_application=2)
    for _ in range(3):
        pooled_reviewer(round_, officer, capacity=20)
    apps = [application_in_review(round_) for _ in range(5)]
    race([lambda: assignments_auto_assign(actor=officer, round_=round_)] * 4)
    for app in apps:
        assert app.review_assignments.count() == 2
