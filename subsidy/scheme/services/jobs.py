"""Scheduled jobs of rounds (``config.settings.CELERY_BEAT_SCHEDULE``): rounds open and close
at their times. Each job looks at the clock and the data, never at when it last ran: a round
moves under its row lock and only from the state the job expects, so running it twice, late
or on two workers at once changes nothing twice."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from subsidy.scheme.models import FundingRound
from subsidy.scheme.services import rounds


def _rounds_move(due, *, expected: str, move) -> list[str]:
    """Apply ``move`` (``round_open`` or ``round_close``) as the system to each due round
    still in the ``expected`` state once its row is locked: a person or another run may
    have moved it in the meantime. Returns the codes of the rounds moved."""
    moved = []
    for round_ in due:
        with transaction.atomic():
            locked = FundingRound.objects.select_for_update().get(pk=round_.pk)
            if locked.status != expected:
                continue
            move(actor=None, round_=locked)
        moved.append(round_.code)
    return moved


def rounds_open_due(*, now: datetime | None = None) -> list[str]:
    """Open every planned round whose opening time has come and whose closing time has not
    (a round planned with both in the past waits for a person to move its dates). Returns
    the codes of the rounds opened."""
    now = now or timezone.now()
    due = FundingRound.objects.filter(status=FundingRound.Status.PLANNED, opens_at__lte=now,
                                      closes_at__gt=now).order_by("opens_at", "pk")
    return _rounds_move(due, expected=FundingRound.Status.PLANNED, move=rounds.round_open)


def rounds_close_due(*, now: datetime | None = None) -> list[str]:
    """Close every open round whose closing time has passed. Returns the codes closed."""
    now = now or timezone.now()
    due = FundingRound.objects.filter(status=FundingRound.Status.OPEN,
                                      closes_at__lte=now).order_by("closes_at", "pk")
    return _rounds_move(due, expected=FundingRound.Status.OPEN, move=rounds.round_close)
