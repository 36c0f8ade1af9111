"""Concurrent approvals in one round never commit more than its envelope.

Each approval runs in its own thread with its own PostgreSQL connection; a barrier releases
them together. The round's row lock orders them, so those that fit are committed and every
other one is refused with the envelope-exhausted error, never a deadlock or another
failure."""

import threading
from decimal import Decimal

import pytest
from django.db import connection

from reviews.services.decisions import application_approve
from subsidy.platform.errors import DomainError
from subsidy.platform.roles import Role
from subsidy.scheme.ledger import round_committed
from subsidy.scheme.models import Grant
from tests.factories import UserFactory

from .decision_helpers import REQUESTED, make_application, make_round, use_private_storage

APPROVALS = 24
ENVELOPE = Decimal("5000000.00")  # seven approvals of HK$700,000 fit, the others do not


@pytest.fixture(autouse=True)
def _storage(settings, tmp_path):
    use_private_storage(settings, tmp_path)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_approvals_never_pass_the_envelope():
    round_ = make_round(code="2026RACE", envelope=ENVELOPE,
                        max_subsidy_per_project=Decimal("1000000.00"))
    officer = UserFactory(roles=[Role.PROGRAMME_OFFICER])
    panel = UserFactory(roles=[Role.PANEL_MEMBER])
    applications = [make_application(round_, state="reviewed", officer=officer, panel=panel)
                    for _ in range(APPROVALS)]
    barrier = threading.Barrier(APPROVALS)
    outcomes: list[tuple[str, str]] = []
    lock = threading.Lock()

    def approve(application):
        try:
            barrier.wait(timeout=30)
            application_approve(actor=panel, application=application, amount=REQUESTED)
            result = ("approved", "")
        except DomainError as exc:
            result = (exc.code, str(exc.message))
        except Exception as exc:  # noqa: BLE001 - any other failure is what the test catches
            result = ("error", repr(exc))
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=approve, args=(a,)) for a in applications]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert len(outcomes) == APPROVALS
    approved = [o for o in outcomes if o[0] == "approved"]
    refused = [o for o in outcomes if o[0] != "approved"]
    assert len(approved) == 7
    assert {code for code, _message in refused} == {"envelope_exhausted"}
    assert all("Envelope exhausted" in message for _code, message in refused)
    committed = round_committed(round_id=round_.pk)
    assert committed == 7 * REQUESTED <= ENVELOPE
    assert Grant.objects.filter(round=round_).count() == 7
