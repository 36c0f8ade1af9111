"""Two increases racing for the last of a round's envelope, on PostgreSQL with one real
connection each: the panel approves both at the same moment, and exactly one fits.

Each approval locks the application, then the round row (the lock and check approvals
take, ``round_envelope_lock``), so the second reads what the first committed; the envelope
trigger on grants is the last line. Whatever the interleaving, the round never commits more
than its envelope.
"""

import threading
from decimal import Decimal

import pytest
from django.db import connection

from subsidy.platform.errors import DomainError
from subsidy.platform.models import User
from subsidy.scheme.ledger import round_committed
from subsidy.scheme.models import FundingRound, Grant
from subsidy.variations.models import Variation
from subsidy.variations.services.decisions import variation_approve
from subsidy.variations.services.proposal import VariationInput
from subsidy.variations.services.requests import variation_request
from tests.builders.variations import active_grant
from tests.factories import FundingRoundFactory, PanelDeclarationFactory, UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _approve(variation_id: int, member_id: int, start: threading.Barrier, outcomes: list):
    try:
        start.wait(10)
        variation_approve(actor=User.objects.get(pk=member_id),
                          variation=Variation.objects.get(pk=variation_id), reason="Needed.")
        outcomes.append("approved")
    except DomainError as error:
        outcomes.append(error.code)
    except Exception as error:  # noqa: BLE001 - a deadlock or any other failure fails the test
        outcomes.append(f"error: {error!r}")
    finally:
        connection.close()


def test_two_increases_racing_for_the_last_of_the_envelope_cannot_overrun_it():
    round_ = FundingRoundFactory(envelope=Decimal("2900000.00"), max_ratio_percent=90,
                                 max_subsidy_per_project=Decimal("2000000.00"))
    officer = UserFactory(roles=["programme_officer"])
    grants = [active_grant(round_, officer) for _ in range(2)]
    member = UserFactory(roles=["panel_member"])
    variations = []
    for grant in grants:
        PanelDeclarationFactory(application=grant.application, member=member)
        variations.append(variation_request(
            actor=grant.owner, grant=grant,
            data=VariationInput(reason="More GPU time.", new_amount=Decimal("1600000.00"))))
    start, outcomes = threading.Barrier(2), []
    racers = [threading.Thread(target=_approve, args=(v.pk, member.pk, start, outcomes))
              for v in variations]
    for racer in racers:
        racer.start()
    for racer in racers:
        racer.join(30)

    assert sorted(outcomes) == ["approved", "envelope_exhausted"]
    assert round_committed(round_id=round_.pk) == Decimal("2600000.00")
    assert round_committed(round_id=round_.pk) <= FundingRound.objects.get(pk=round_.pk).envelope
    assert sorted(Grant.objects.filter(round=round_).values_list("approved_amount", flat=True)) \
        == [Decimal("1000000.00"), Decimal("1600000.00")]
