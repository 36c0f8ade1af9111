"""The applications counted per round and state (``ApplicationStatusCount``) are kept by the
database in the transaction of every change, whatever writes it: the workflow, a bulk
``UPDATE``, a delete. They always equal a fresh count."""

import threading

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from applicants.models import Application, ApplicationStatusCount, status_gate_open
from applicants.services.status_counts import status_counts_drift, status_counts_recount
from applicants.workflow import application_transition
from subsidy.platform.roles import Role
from tests.factories.applicants import ApplicationFactory
from tests.factories.platform import UserFactory
from tests.factories.scheme import FundingRoundFactory


def kept(round_) -> dict[str, int]:
    return {row.status: row.applications
            for row in ApplicationStatusCount.objects.filter(round=round_)
            if row.applications}


@pytest.mark.django_db
def test_drafts_are_not_counted_and_submitted_ones_are():
    round_ = FundingRoundFactory()
    ApplicationFactory(round=round_)
    ApplicationFactory.create_batch(2, round=round_, status="submitted")
    assert kept(round_) == {"submitted": 2}


@pytest.mark.django_db
def test_a_transition_moves_one_application_between_the_counts():
    round_ = FundingRoundFactory()
    application, _other = ApplicationFactory.create_batch(2, round=round_, status="submitted")
    officer = UserFactory(roles=[Role.PROGRAMME_OFFICER])
    application_transition(actor=officer, application=application,
                           transition_name="start_screening")
    assert kept(round_) == {"submitted": 1, "screening": 1}
    assert status_counts_drift() == []


@pytest.mark.django_db
def test_a_bulk_update_and_a_delete_are_counted_too():
    round_, other_round = FundingRoundFactory.create_batch(2)
    ApplicationFactory.create_batch(3, round=round_, status="in_review")
    draft = ApplicationFactory(round=round_)
    with status_gate_open():
        Application.objects.filter(round=round_).update(status="reviewed")
        Application.objects.filter(pk=draft.pk).update(round=other_round)
    assert kept(round_) == {"reviewed": 3}
    assert kept(other_round) == {"reviewed": 1}
    Application.objects.filter(round=round_).first().delete()
    assert kept(round_) == {"reviewed": 2}
    assert status_counts_drift() == []


@pytest.mark.django_db
def test_the_check_reports_a_count_left_behind_and_the_repair_takes_it_afresh():
    round_ = FundingRoundFactory()
    ApplicationFactory.create_batch(2, round=round_, status="submitted")
    ApplicationStatusCount.objects.filter(round=round_).update(applications=5)
    with pytest.raises(CommandError, match="1 count"):
        call_command("application_counts_check")
    call_command("application_counts_check", "--repair")
    assert kept(round_) == {"submitted": 2}
    call_command("application_counts_check")


@pytest.mark.django_db
def test_a_recount_of_some_rounds_leaves_the_others_alone():
    round_, other_round = FundingRoundFactory.create_batch(2)
    ApplicationFactory(round=round_, status="submitted")
    ApplicationFactory(round=other_round, status="submitted")
    ApplicationStatusCount.objects.update(applications=9)
    status_counts_recount(round_ids=[round_.pk])
    assert kept(round_) == {"submitted": 1}
    assert kept(other_round) == {"submitted": 9}


RACERS = 16


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_transitions_keep_the_counts_equal_to_a_fresh_count():
    """Transitions on their own connections, released together, in two rounds and through
    the same states: the counter rows they share are updated one after the other, none is
    lost and none deadlocks."""
    rounds = FundingRoundFactory.create_batch(2)
    applications = [ApplicationFactory(round=rounds[n % 2], status="submitted")
                    for n in range(RACERS)]
    officer = UserFactory(roles=[Role.PROGRAMME_OFFICER])
    barrier = threading.Barrier(RACERS)
    failures = []

    def move(n, application):
        try:
            barrier.wait(timeout=30)
            application_transition(actor=officer, application=application,
                                   transition_name="start_screening")
            if n % 3 == 0:
                application_transition(actor=officer, application=application,
                                       transition_name="pass_to_review")
        except Exception as exc:  # noqa: BLE001 - any failure is what the test catches
            failures.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=move, args=(n, a)) for n, a in enumerate(applications)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert failures == []
    assert status_counts_drift() == []
    in_review = len(range(0, RACERS, 3))
    assert sum(kept(r).get("in_review", 0) for r in rounds) == in_review
    assert sum(kept(r).get("screening", 0) for r in rounds) == RACERS - in_review
    assert all(kept(r).get("submitted", 0) == 0 for r in rounds)
