"""Closing a month, and keeping closed months as they were reported.

Every posting with a value date (a payment paid, a bank outcome, a recovery receipt) asks
``period_require_open`` first; PostgreSQL asks the same in its triggers, locking the period
row for share, so a posting and the close of its month take turns: the posting either
commits before the close reads its figures (and is in them) or waits and is refused. The
close locks the period row first; it is the last row a posting locks, after its grant and
payment rows (``subsidy.finance.services.locks``).
"""

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from subsidy.finance.models import Disbursement
from subsidy.finance.periods.accruals import period_figures
from subsidy.finance.periods.records import AccountingPeriod, PeriodAdjustment
from subsidy.platform.audit import audit_record
from subsidy.platform.errors import DomainError, PermissionDeniedError
from subsidy.platform.permissions import Action, require


def month_start(day: date) -> date:
    return day.replace(day=1)


def period_of(day: date) -> AccountingPeriod:
    """The period ``day`` falls in, created open the first time it is asked for."""
    period, _created = AccountingPeriod.objects.get_or_create(month=month_start(day))
    return period


def period_is_closed(day: date) -> bool:
    return AccountingPeriod.objects.filter(month=month_start(day),
                                           closed_at__isnull=False).exists()


def period_require_open(*, value_date: date, field: str = "value_date") -> None:
    """Refuse a posting dated in a closed period: the month's figures were reported."""
    if value_date is not None and period_is_closed(value_date):
        raise DomainError(_("The accounting period %(month)s is closed: nothing dated "
                            "%(date)s can be posted. Post a correction in the open period.")
                          % {"month": value_date.strftime("%Y-%m"),
                             "date": value_date.isoformat()},
                          code="period_closed", field=field)


def period_adjust_for_return(*, actor, payment: Disbursement,
                             reason: str) -> PeriodAdjustment | None:
    """A paid payment comes back from the bank. If it was paid in a closed period, that
    month stays as reported and the return is posted in today's (open) period as an
    adjustment referencing the payment; otherwise nothing is needed. Under the caller's
    transaction, before the payment's status changes."""
    if not period_is_closed(payment.value_date):
        return None
    posted_in = period_of(timezone.localdate())
    adjustment = PeriodAdjustment.objects.create(
        period=posted_in, original_period=period_of(payment.value_date),
        kind=PeriodAdjustment.Kind.PAYMENT_RETURNED, payment=payment,
        amount=-payment.amount, reason=reason, created_by=actor)
    audit_record(actor=actor, action="period.adjust", obj=posted_in,
                 after={"kind": adjustment.kind, "payment": payment.pk,
                        "amount": str(adjustment.amount),
                        "corrects": str(adjustment.original_period)})
    return adjustment


def _locked_period(month: date) -> AccountingPeriod:
    period_of(month)
    return AccountingPeriod.objects.select_for_update().get(month=month_start(month))


def _require_ended(month: date) -> None:
    if month_start(month) >= month_start(timezone.localdate()):
        raise DomainError(_("A period can be closed only after it has ended."),
                          code="period_not_ended")


@transaction.atomic
def period_close_request(*, actor, month: date) -> AccountingPeriod:
    """A finance officer asks for an ended month to be closed; a finance approver who did
    not ask closes it."""
    require(actor, Action.PREPARE_PAYMENT)
    _require_ended(month)
    period = _locked_period(month)
    if period.is_closed:
        raise DomainError(_("This period is closed already."), code="period_closed")
    if period.close_requested_at is not None:
        raise DomainError(_("The close of this period is asked for already."),
                          code="close_requested")
    period.close_requested_by = actor
    period.close_requested_at = timezone.now()
    period.save(update_fields=["close_requested_by", "close_requested_at"])
    audit_record(actor=actor, action="period.close_request", obj=period,
                 after={"month": str(period)})
    return period


@transaction.atomic
def period_close(*, actor, period: AccountingPeriod) -> AccountingPeriod:
    """Close the period: its figures (paid, recovered, adjustments, the accruals at its
    end) are kept as reported, and nothing dated in it can be posted any more. Only a
    finance approver who did not ask for the close; earlier periods on record must be
    closed first."""
    locked = _locked_period(period.month)
    if locked.close_requested_by_id == getattr(actor, "pk", None):
        raise PermissionDeniedError(_("You asked for this close, so someone else must "
                                      "close the period."), code="maker_checker")
    require(actor, Action.APPROVE_PAYMENT)
    if locked.is_closed:
        raise DomainError(_("This period is closed already."), code="period_closed")
    if locked.close_requested_at is None:
        raise DomainError(_("A finance officer must ask for the close first."),
                          code="close_not_requested")
    _require_ended(locked.month)
    if AccountingPeriod.objects.filter(month__lt=locked.month,
                                       closed_at__isnull=True).exists():
        raise DomainError(_("Close the earlier periods first."), code="earlier_period_open")
    locked.reported = period_figures(locked, as_reported=False)
    locked.closed_by = actor
    locked.closed_at = timezone.now()
    locked.save(update_fields=["reported", "closed_by", "closed_at"])
    audit_record(actor=actor, action="period.close", obj=locked,
                 before={"closed": False},
                 after={"closed": True, "month": str(locked),
                        **{key: value for key, value in locked.reported.items()
                           if key != "accruals"}})
    period.closed_at, period.closed_by, period.reported = (locked.closed_at, actor,
                                                           locked.reported)
    return locked
