"""A company asks for a variation of its grant, or withdraws the request.

Only an owner of the company asks (or a partner organisation linked to it, through the API,
on its behalf); the request is checked whole (``proposal_problems``), routed to the officer
or the panel (``variation_decider``), and kept with the values it changes as they stood.
"""

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from applicants.errors import ProblemsError
from applicants.models import Application, Milestone
from subsidy.platform.audit import actor_user, audit_record
from subsidy.platform.errors import DomainError
from subsidy.platform.permissions import Action, require
from subsidy.scheme.models import Grant
from subsidy.variations.models import Variation, VariationBudgetMove, VariationMilestoneChange
from subsidy.variations.services.notices import variation_requested_notify
from subsidy.variations.services.proposal import (
    VARIABLE_STATUSES,
    VariationInput,
    proposal_problems,
    variation_decider,
)
from subsidy.variations.services.reprofile import fixed_total, grant_tranches


def grant_lock_for_variation(*, grant_id: int) -> Grant:
    """Lock the application row, then the grant's: the order every lifecycle step takes."""
    application_id = Grant.objects.values_list("application_id", flat=True).get(pk=grant_id)
    Application.objects.select_for_update(of=("self",)).get(pk=application_id)
    return (Grant.objects.select_for_update(of=("self",))
            .select_related("application__organisation", "round").get(pk=grant_id))


def variation_snapshot(variation: Variation) -> dict:
    return {
        "number": variation.number, "status": variation.status, "decider": variation.decider,
        "new_start_date": variation.new_start_date, "new_end_date": variation.new_end_date,
        "new_amount": variation.new_amount, "old_amount": variation.old_amount,
        "milestones": [{"milestone": c.milestone_id, "due_date": c.new_due_date,
                        "deliverable": c.new_deliverable}
                       for c in variation.milestone_changes.all()],
        "budget_moves": [{"from": m.from_line_id, "to": m.to_line_id, "amount": m.amount}
                         for m in variation.budget_moves.all()],
    }


@transaction.atomic
def variation_request(*, actor, grant: Grant, data: VariationInput,
                      partner=None) -> Variation:
    """Ask for ``data`` to change ``grant``: an owner of the company, or ``partner`` (a
    partner organisation linked to it, checked by the API) on its behalf. Refused while
    another request of the grant waits for its decision."""
    if partner is None:
        require(actor, Action.RESPOND_TO_OFFER, grant.application)
    locked = grant_lock_for_variation(grant_id=grant.pk)
    if locked.status not in VARIABLE_STATUSES:
        raise DomainError(_("Only a signed grant that has not closed can be varied."),
                          code="grant_not_variable")
    if locked.variations.filter(status=Variation.Status.REQUESTED).exists():
        raise DomainError(_("A variation of this grant already waits for its decision: "
                            "withdraw it or wait for the decision first."),
                          code="variation_open")
    tranches = grant_tranches(locked)
    paid_milestones = {t.milestone_id for t in tranches if t.fixed and t.milestone_id}
    problems = proposal_problems(grant=locked, data=data, fixed=fixed_total(tranches),
                                 paid_milestones=paid_milestones)
    if problems:
        raise ProblemsError(problems, code="variation_invalid")
    application = locked.application
    number = (locked.variations.aggregate(last=Max("number"))["last"] or 0) + 1
    try:
        with transaction.atomic():
            variation = Variation.objects.create(
                grant=locked, number=number, decider=variation_decider(grant=locked, data=data),
                reason=data.reason.strip(), new_start_date=data.new_start_date,
                new_end_date=data.new_end_date, new_amount=data.new_amount,
                old_start_date=application.start_date, old_end_date=application.end_date,
                old_amount=locked.approved_amount, requested_by=actor_user(actor),
                partner=partner)
    except IntegrityError as exc:
        raise DomainError(_("A variation of this grant already waits for its decision."),
                          code="variation_open") from exc
    milestones = Milestone.objects.in_bulk([edit.milestone_id for edit in data.milestones])
    VariationMilestoneChange.objects.bulk_create([
        VariationMilestoneChange(
            variation=variation, milestone_id=edit.milestone_id,
            old_due_date=milestones[edit.milestone_id].due_date,
            old_deliverable=milestones[edit.milestone_id].deliverable,
            new_due_date=edit.due_date, new_deliverable=edit.deliverable.strip())
        for edit in data.milestones])
    VariationBudgetMove.objects.bulk_create([
        VariationBudgetMove(variation=variation, from_line_id=move.from_line_id,
                            to_line_id=move.to_line_id, amount=move.amount)
        for move in data.budget_moves])
    audit_record(actor=actor, action="variation.request", obj=variation,
                 after={**variation_snapshot(variation), "reason": variation.reason,
                        "partner": partner.pk if partner else None})
    variation_requested_notify(variation)
    return variation


@transaction.atomic
def variation_withdraw(*, actor, variation: Variation) -> Variation:
    """An owner of the company withdraws a request that waits for its decision."""
    require(actor, Action.RESPOND_TO_OFFER, variation.grant.application)
    grant_lock_for_variation(grant_id=variation.grant_id)
    locked = Variation.objects.select_for_update().get(pk=variation.pk)
    if not locked.is_open:
        raise DomainError(_("This variation has already been decided or withdrawn."),
                          code="variation_closed")
    locked.status = Variation.Status.WITHDRAWN
    locked.withdrawn_at = timezone.now()
    locked.save(update_fields=["status", "withdrawn_at"])
    audit_record(actor=actor, action="variation.withdraw", obj=locked,
                 before={"status": Variation.Status.REQUESTED},
                 after={"status": locked.status})
    return locked
