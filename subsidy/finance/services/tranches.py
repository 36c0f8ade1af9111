"""A grant's tranche schedule, its activation and its termination.

The schedule follows the application's milestones (``subsidy.agreements.schedule``, as the
offer letter states it): each milestone's share of funding
becomes a tranche amount, rounded to the cent, with the last tranche taking the remainder
so that the tranches sum exactly to the approved amount. The officer may adjust the
schedule while the grant is accepted; once active, it is fixed.
"""

from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from applicants.errors import ProblemsError
from applicants.workflow import application_transition
from subsidy.agreements.schedule import TrancheRow, schedule_from_milestones
from subsidy.finance.models import Claim, Disbursement, Tranche
from subsidy.finance.services.locks import grant_lock, grant_require_active
from subsidy.platform.audit import audit_record
from subsidy.platform.errors import DomainError, PermissionDeniedError
from subsidy.platform.money import money
from subsidy.platform.permissions import Action, can, require
from subsidy.scheme.ledger import grant_paid
from subsidy.scheme.models import Grant

CENT = Decimal("0.01")


def _schedule_problems(grant: Grant, rows: list[TrancheRow]) -> list[tuple[str | None, str]]:
    problems = []
    if not rows:
        problems.append((None, _("A grant needs at least one tranche.")))
        return problems
    for index, row in enumerate(rows, start=1):
        if row.amount is None or row.amount < 0 or row.amount != row.amount.quantize(CENT):
            problems.append((f"tranche-{index}-amount",
                             _("Tranche %(n)s: give an amount of zero or more, in dollars and "
                               "cents.") % {"n": index}))
        if not (row.description or "").strip():
            problems.append((f"tranche-{index}-description",
                             _("Tranche %(n)s: describe the deliverable.") % {"n": index}))
    if not problems:
        total = sum((row.amount for row in rows), Decimal("0.00"))
        if total != grant.approved_amount:
            problems.append((None, _(
                "The tranches add up to HK$%(total)s, but the approved amount is "
                "HK$%(approved)s; they must be equal.")
                % {"total": money(total, currency=False),
                   "approved": money(grant.approved_amount, currency=False)}))
    return problems


def _write_schedule(grant: Grant, rows: list[TrancheRow]) -> list[Tranche]:
    grant.tranches.all().delete()
    return Tranche.objects.bulk_create([
        Tranche(grant=grant, number=index, description=row.description.strip(),
                due_date=row.due_date, amount=row.amount, milestone_id=row.milestone_id)
        for index, row in enumerate(rows, start=1)])


def _locked_grant(grant: Grant) -> Grant:
    return (Grant.objects.select_for_update(of=("self",))
            .select_related("application", "round").get(pk=grant.pk))


@transaction.atomic
def tranche_schedule_set(*, actor, grant: Grant, rows: list[TrancheRow]) -> list[Tranche]:
    """The officer's adjusted schedule for an accepted grant. Refused unless the tranches
    sum exactly to the approved amount."""
    require(actor, Action.ADMINISTER_GRANTS)
    locked = _locked_grant(grant)
    if locked.status != Grant.Status.ACCEPTED:
        raise DomainError(_("The schedule can be changed only before the grant starts."),
                          code="schedule_fixed")
    problems = _schedule_problems(locked, rows)
    if problems:
        raise ProblemsError(problems, code="schedule_invalid")
    before = list(locked.tranches.values("number", "amount", "due_date"))
    tranches = _write_schedule(locked, rows)
    audit_record(actor=actor, action="grant.schedule_set", obj=locked,
                 before={"tranches": before},
                 after={"tranches": [{"number": t.number, "amount": t.amount,
                                      "due_date": t.due_date} for t in tranches]})
    return tranches


# --- The grant's side of the application's lifecycle -----------------------------------------
# These run as effects of the application's transitions (registered in
# ``subsidy.finance.registration``), after the engine has locked the application row and in
# its transaction: no page, API or job can take the step without them. Raising refuses the
# step and leaves nothing changed.

def _grant_of(application) -> Grant:
    try:
        return (Grant.objects.select_for_update(of=("self",)).select_related("round")
                .get(application_id=application.pk))
    except Grant.DoesNotExist:
        raise DomainError(_("This application has no grant."), code="grant_missing") from None


def grant_start(ctx) -> None:
    """Starting the project starts its grant: the schedule (the officer's, or the one the
    milestones imply) is fixed and the grant becomes active. Refused when the grant is not
    accepted or the milestones give no valid schedule."""
    locked = _grant_of(ctx.application)
    if locked.status != Grant.Status.ACCEPTED:
        raise DomainError(_("Only an accepted grant can start."), code="grant_not_accepted")
    if not locked.tranches.exists():
        rows = schedule_from_milestones(grant=locked)
        problems = _schedule_problems(locked, rows)
        if problems:
            raise ProblemsError(problems, code="schedule_invalid")
        _write_schedule(locked, rows)
    locked.status = Grant.Status.ACTIVE
    locked.activated_at = timezone.now()
    locked.save(update_fields=["status", "activated_at", "updated_at"])
    audit_record(actor=ctx.actor, action="grant.activate", obj=locked,
                 before={"status": Grant.Status.ACCEPTED},
                 after={"status": locked.status,
                        "tranches": list(locked.tranches.values_list("amount", flat=True))})


def grant_close(ctx) -> None:
    """Completing the project closes its grant, which needs every tranche paid: an unpaid
    tranche is paid first, or the grant is terminated (which cancels it). What was approved
    but not paid (the rest of a tranche claimed in part, unless it was carried to the next
    tranche) is released to the round, and the audit record says how much."""
    locked = _grant_of(ctx.application)
    if locked.status != Grant.Status.ACTIVE:
        raise DomainError(_("Only an active grant can be completed."),
                          code="grant_not_active")
    unpaid = locked.tranches.exclude(status=Tranche.Status.PAID).count()
    if unpaid:
        raise DomainError(_("%(n)s tranche(s) of this grant are not paid yet; pay them or "
                            "terminate the grant.") % {"n": unpaid}, code="tranches_unpaid")
    locked.status = Grant.Status.COMPLETED
    locked.closed_at = timezone.now()
    locked.save(update_fields=["status", "closed_at", "updated_at"])
    # A tranche paid below its amount (a partial claim) leaves a rest nobody can claim:
    # the closed grant commits only its net paid, and the rest returns to the round.
    paid = grant_paid(grant_id=locked.pk)
    audit_record(actor=ctx.actor, action="grant.complete", obj=locked,
                 before={"status": Grant.Status.ACTIVE,
                         "committed": str(locked.approved_amount)},
                 after={"status": locked.status, "paid": str(paid),
                        "released": str(locked.approved_amount - paid)})


def grant_end(ctx) -> None:
    """Terminating the project ends its grant early. Its unpaid tranches, open claims and
    unsent payments are cancelled, so only what was already paid stays committed and the
    rest returns to the round. Refused while a payment is with the bank (mark it paid or
    failed first)."""
    locked = _grant_of(ctx.application)
    if locked.status != Grant.Status.ACTIVE:
        raise DomainError(_("Only an active grant can be terminated."),
                          code="grant_not_active")
    # Everything under the grant, in the one order (tranches, claims, payments; see
    # ``locks``), and read whole before deciding: a payment step on this grant either
    # finished before the grant was locked (and is seen here) or waits and then finds the
    # grant terminated.
    tranches = list(locked.tranches.select_for_update().order_by("pk"))
    claims = list(Claim.objects.select_for_update(of=("self",))
                  .filter(tranche__grant=locked).order_by("pk"))
    payments = list(Disbursement.objects.select_for_update().filter(grant=locked)
                    .order_by("pk"))
    if any(payment.status == Disbursement.Status.BATCHED for payment in payments):
        raise DomainError(_("A payment of this grant is with the bank: mark it paid or "
                            "failed before terminating the grant."), code="payment_in_batch")
    cancelled_payments = Disbursement.objects.filter(pk__in=[
        payment.pk for payment in payments
        if payment.status in (Disbursement.Status.PREPARED, Disbursement.Status.APPROVED)
    ]).update(status=Disbursement.Status.CANCELLED)
    Claim.objects.filter(pk__in=[
        claim.pk for claim in claims
        if claim.status not in (Claim.Status.PAID, Claim.Status.CANCELLED)
    ]).update(status=Claim.Status.CANCELLED)
    cancelled = Tranche.objects.filter(pk__in=[
        tranche.pk for tranche in tranches if tranche.status == Tranche.Status.SCHEDULED
    ]).update(status=Tranche.Status.CANCELLED)
    locked.status = Grant.Status.TERMINATED
    locked.closed_at = timezone.now()
    locked.save(update_fields=["status", "closed_at", "updated_at"])
    audit_record(actor=ctx.actor, action="grant.terminate", obj=locked,
                 before={"status": Grant.Status.ACTIVE},
                 after={"status": locked.status, "reason": ctx.payload["reason"].strip(),
                        "tranches_cancelled": cancelled,
                        "payments_cancelled": cancelled_payments})


# The application's steps that carry the grant's effects.
GRANT_EFFECTS = {"activate": grant_start, "complete": grant_close, "terminate": grant_end}


# --- Taking those steps from a grant's page -------------------------------------------------

def _grant_step(*, actor, grant: Grant, transition_name: str, **payload) -> Grant:
    """Take the application's step: the grant follows through the effects above."""
    application_transition(actor=actor, application=grant.application,
                           transition_name=transition_name, **payload)
    fresh = Grant.objects.get(pk=grant.pk)
    grant.status, grant.activated_at, grant.closed_at = (fresh.status, fresh.activated_at,
                                                         fresh.closed_at)
    return fresh


def grant_activate(*, actor, grant: Grant) -> Grant:
    """Start an accepted grant's project (the application's ``activate`` step). ``actor`` is
    a programme officer, or None for the system."""
    return _grant_step(actor=actor, grant=grant, transition_name="activate")


def grant_complete(*, actor, grant: Grant) -> Grant:
    """Complete an active grant's project (the application's ``complete`` step)."""
    return _grant_step(actor=actor, grant=grant, transition_name="complete")


def grant_terminate(*, actor, grant: Grant, reason: str) -> Grant:
    """Terminate an active grant's project (the application's ``terminate`` step)."""
    return _grant_step(actor=actor, grant=grant, transition_name="terminate", reason=reason)


# --- The unclaimed rest of a tranche paid in part ----------------------------------------------

def tranche_remainder(tranche: Tranche) -> Decimal:
    """What was scheduled on a paid tranche but not paid on it (a partial claim): its
    paid claim was paid in full, by a payment of the claim's amount."""
    if tranche.status != Tranche.Status.PAID:
        return Decimal("0.00")
    paid = sum((claim.amount for claim in tranche.claims.all()
                if claim.status == Claim.Status.PAID), Decimal("0.00"))
    return tranche.amount - paid


@transaction.atomic
def tranche_carry_remainder(*, actor, grant: Grant, number: int) -> Tranche:
    """Carry the unclaimed rest of paid tranche ``number`` to the grant's next scheduled
    tranche: the paid tranche keeps what was paid, the next one grows by the rest, and the
    tranches still sum to the approved amount (a deferred trigger on PostgreSQL checks it,
    and another that no tranche falls below what was paid on it). A programme officer or a
    finance officer, on an active grant; audited."""
    if not (can(actor, Action.ADMINISTER_GRANTS) or can(actor, Action.PREPARE_PAYMENT)):
        raise PermissionDeniedError(_("Only a programme officer or a finance officer can "
                                      "carry a tranche's rest."))
    locked = grant_lock(grant_id=grant.pk)
    grant_require_active(locked)
    tranches = list(locked.tranches.select_for_update().order_by("pk"))
    source = next((t for t in tranches if t.number == number), None)
    if source is None:
        raise DomainError(_("This grant has no such tranche."), code="tranche_missing")
    rest = tranche_remainder(source)
    if rest <= 0:
        raise DomainError(_("Tranche %(n)s has no unclaimed rest to carry.") % {"n": number},
                          code="nothing_to_carry")
    target = min((t for t in tranches if t.number > number
                  and t.status == Tranche.Status.SCHEDULED),
                 key=lambda t: t.number, default=None)
    if target is None:
        raise DomainError(_("No later tranche is still to be paid: the rest is released "
                            "when the grant completes."), code="no_next_tranche")
    before = {"from": {"number": source.number, "amount": str(source.amount)},
              "to": {"number": target.number, "amount": str(target.amount)}}
    source.amount -= rest
    target.amount += rest
    Tranche.objects.bulk_update([source, target], ["amount"])
    audit_record(actor=actor, action="grant.tranche_carry", obj=locked, before=before,
                 after={"carried": str(rest),
                        "from": {"number": source.number, "amount": str(source.amount)},
                        "to": {"number": target.number, "amount": str(target.amount)}})
    return target
