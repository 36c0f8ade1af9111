"""Grant offers: the money side of a panel approval (DOMAIN.md, "Money").

An approval commits its amount against the round's envelope. The round row is locked
before the committed sum is read, so two approvals in the same round are checked one
after the other and together can never pass the envelope; on PostgreSQL a constraint
trigger on the grants table checks the same invariant again as the last line.

These services are called by the workflow engine's effects (``applicants.workflow``): the
application's status and its grant's status change in one transaction.
"""

from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from subsidy.platform.audit import audit_record, snapshot
from subsidy.platform.errors import DomainError
from subsidy.platform.money import money
from subsidy.scheme import rules
from subsidy.scheme.ledger import round_committed
from subsidy.scheme.models import FundingRound, Grant

GRANT_FIELDS = ["status", "approved_amount", "approved_ratio_percent", "exceptional_case",
                "exceptional_justification", "conditions", "offer_expires_at", "responded_at"]
CENT = Decimal("0.01")

Problems = list[tuple[str | None, str]]



def offer_validity() -> timedelta:
    return timedelta(days=rules.OFFER_VALIDITY_DAYS)


def _amount(value) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return None
    if not amount.is_finite() or amount != amount.quantize(CENT):
        return None
    return amount


def grant_ratio_percent(*, amount: Decimal, total_eligible_cost: Decimal) -> Decimal:
    """The subsidy ratio of an approval, in percent with 2 places."""
    return (amount * 100 / total_eligible_cost).quantize(CENT, rounding=ROUND_HALF_UP)


def grant_terms_problems(*, application, amount, exceptional_justification: str = "",
                         conditions: str = "") -> Problems:
    """The panel's caps on an approval, each refusal with its reason: the amount is positive
    and at most the amount requested and the round's maximum per project; the ratio to the
    total eligible cost is at most the round's ratio cap, or, with a written justification
    of the exceptional case, at most ``rules.EXCEPTIONAL_RATIO_CAP_PERCENT``."""
    round_ = application.round
    value = _amount(amount)
    if value is None or value <= 0:
        return [("amount", _("Enter the approved amount in Hong Kong dollars, with at most 2 "
                             "decimal places."))]
    problems: Problems = []
    if value > application.requested_subsidy:
        problems.append(("amount", _("The approved amount %(amount)s is more than the "
                                     "%(requested)s requested.")
                         % {"amount": money(value),
                            "requested": money(application.requested_subsidy)}))
    if value > round_.max_subsidy_per_project:
        problems.append(("amount", _("The approved amount %(amount)s is above the round's "
                                     "maximum of %(cap)s per project.")
                         % {"amount": money(value), "cap": money(round_.max_subsidy_per_project)}))
    total = application.total_eligible_cost
    if total <= 0:
        problems.append(("amount", _("The application has no eligible cost to subsidise.")))
        return problems
    justification = (exceptional_justification or "").strip()
    exceptional_cap = Decimal(rules.EXCEPTIONAL_RATIO_CAP_PERCENT)
    if value * 100 > exceptional_cap * total:
        problems.append(("amount", _(
            "The approved amount is %(ratio)s%% of the eligible cost; even an exceptional "
            "case allows at most %(cap)s%% (%(allowed)s).") % {
                "ratio": grant_ratio_percent(amount=value, total_eligible_cost=total),
                "cap": exceptional_cap,
                "allowed": money((total * exceptional_cap / 100).quantize(CENT))}))
    elif value * 100 > round_.max_ratio_percent * total and not justification:
        problems.append(("exceptional_justification", _(
            "The approved amount is %(ratio)s%% of the eligible cost, above the round's cap "
            "of %(cap)s%% (%(allowed)s). Give the justification of the exceptional case to "
            "go up to %(exceptional)s%%.") % {
                "ratio": grant_ratio_percent(amount=value, total_eligible_cost=total),
                "cap": f"{round_.max_ratio_percent.normalize():f}",
                "allowed": money((total * round_.max_ratio_percent / 100).quantize(CENT)),
                "exceptional": exceptional_cap}))
    if len(justification) > 4000:
        problems.append(("exceptional_justification",
                         _("Keep this to 4,000 characters or fewer.")))
    if len((conditions or "").strip()) > 8000:
        problems.append(("conditions", _("Keep the conditions to 8,000 characters or fewer.")))
    return problems


def envelope_exhausted_error(*, round_: FundingRound, remaining: Decimal,
                             amount: Decimal) -> DomainError:
    return DomainError(
        _("Envelope exhausted: round %(code)s has %(remaining)s left, not enough for "
          "%(amount)s.") % {"code": round_.code, "remaining": money(max(remaining, Decimal(0))),
                            "amount": money(amount)},
        code="envelope_exhausted", field="amount")


def round_envelope_lock(*, round_id: int, amount: Decimal) -> tuple[FundingRound, Decimal]:
    """Lock the round row, then sum what is committed: ``amount`` more must fit in what is
    left of the envelope, or ``envelope_exhausted`` is raised. Every commitment of new money
    (an approval, a variation's increase) takes this lock after the application's, so two of
    them in one round are checked one after the other. Returns the locked round and what was
    left before ``amount``."""
    round_ = FundingRound.objects.select_for_update().get(pk=round_id)
    remaining = round_.envelope - round_committed(round_id=round_.pk)
    if amount > remaining:
        raise envelope_exhausted_error(round_=round_, remaining=remaining, amount=amount)
    return round_, remaining


def grant_offer_create(*, actor, application, amount, conditions: str = "",
                       exceptional_justification: str = "") -> Grant:
    """Create the grant of an approved application and commit its amount.

    Locks the round row first, then sums what is committed: an amount that does not fit in
    what is left of the envelope is refused with ``envelope_exhausted``. The caller checks
    the caps (``grant_terms_problems``) and holds the application's row lock."""
    value = _amount(amount)
    justification = (exceptional_justification or "").strip()
    round_, remaining = round_envelope_lock(round_id=application.round_id, amount=value)
    ratio = grant_ratio_percent(amount=value, total_eligible_cost=application.total_eligible_cost)
    exceptional = value * 100 > round_.max_ratio_percent * application.total_eligible_cost
    grant = Grant(application=application, round=round_, status=Grant.Status.OFFERED,
                  approved_amount=value, approved_ratio_percent=ratio,
                  exceptional_case=exceptional,
                  exceptional_justification=justification if exceptional else "",
                  conditions=(conditions or "").strip(),
                  decided_by=actor if getattr(actor, "is_authenticated", False) else None)
    try:
        with transaction.atomic():
            grant.save()
    except IntegrityError as exc:
        # The database trigger found the envelope passed (a write that bypassed the lock).
        raise envelope_exhausted_error(round_=round_, remaining=remaining,
                                       amount=value) from exc
    audit_record(actor=actor, action="grant.approve", obj=grant,
                 after={**snapshot(grant, GRANT_FIELDS), "round": round_.code,
                        "committed_after": round_committed(round_id=round_.pk)})
    return grant


def _locked_grant(application) -> Grant:
    grant = Grant.objects.select_for_update().filter(application_id=application.pk).first()
    if grant is None:
        raise DomainError(_("This application has no grant offer."), code="no_grant")
    return grant


def _grant_set(*, actor, grant: Grant, action: str, **changes) -> Grant:
    before = snapshot(grant, GRANT_FIELDS)
    for name, value in changes.items():
        setattr(grant, name, value)
    grant.save(update_fields=[*changes, "updated_at"])
    audit_record(actor=actor, action=action, obj=grant, before=before,
                 after=snapshot(grant, GRANT_FIELDS))
    return grant


def grant_offer_send(*, actor, application) -> Grant:
    """Start the offer's validity (``rules.OFFER_VALIDITY_DAYS``)."""
    grant = _locked_grant(application)
    return _grant_set(actor=actor, grant=grant, action="grant.offer",
                      offer_expires_at=timezone.now() + offer_validity())


def offer_expiry_problems(*, application, expired: bool) -> Problems:
    """For accepting: the offer must still be open. For lapsing: it must have expired."""
    grant = Grant.objects.filter(application_id=application.pk).only(
        "offer_expires_at", "status").first()
    if grant is None or grant.status != Grant.Status.OFFERED:
        return [(None, _("This application has no open grant offer."))]
    now = timezone.now()
    if expired and (grant.offer_expires_at is None or grant.offer_expires_at > now):
        return [(None, _("The offer has not expired yet."))]
    if not expired and grant.offer_expires_at is not None and grant.offer_expires_at <= now:
        return [(None, _("The offer expired on %(at)s and can no longer be accepted.")
                 % {"at": timezone.localtime(grant.offer_expires_at).strftime("%Y-%m-%d %H:%M")})]
    return []


def grant_offer_answer(*, actor, application, status: str) -> Grant:
    """Record the applicant's answer or the offer's lapse; a declined or lapsed offer no
    longer counts against the envelope."""
    if status not in (Grant.Status.ACCEPTED, Grant.Status.DECLINED, Grant.Status.LAPSED):
        raise ValueError(status)
    grant = _locked_grant(application)
    if grant.status != Grant.Status.OFFERED:
        raise DomainError(_("This grant offer has already been answered."), code="answered")
    return _grant_set(actor=actor, grant=grant, action=f"grant.{status}", status=status,
                      responded_at=timezone.now())
