"""The decision on a variation: the programme officer's, or the panel's for an increase or
above the round's threshold.

Approving applies the whole request in one transaction: the project's dates, the
milestones, the budget lines, the approved amount (an increase is first checked against
the round's envelope under the lock approvals take: the application, then the round), the
unpaid tranches re-profiled (``reprofile``), and the next version of the agreement, listing
the changes. On PostgreSQL the deferred trigger checks at commit that the tranches still
sum to the approved amount, and the envelope trigger that the round is not overrun.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from applicants.models import Application, BudgetLine, Milestone
from subsidy.agreements.schedule import schedule_from_milestones
from subsidy.agreements.services.versions import agreement_version_record
from subsidy.platform.audit import audit_record
from subsidy.platform.errors import DomainError
from subsidy.platform.money import money
from subsidy.platform.permissions import Action, can, require
from subsidy.scheme.models import Grant
from subsidy.scheme.services.offers import (
    envelope_exhausted_error,
    grant_ratio_percent,
    round_envelope_lock,
)
from subsidy.variations.models import Variation
from subsidy.variations.services.notices import variation_decided_notify
from subsidy.variations.services.proposal import (
    BudgetMoveInput,
    MilestoneEdit,
    VariationInput,
    proposal_problems,
)
from subsidy.variations.services.reprofile import (
    ProfiledTranche,
    fixed_total,
    grant_tranches,
    reprofile,
    reprofile_write,
)
from subsidy.variations.services.requests import variation_snapshot


def variation_decision_action(variation: Variation) -> tuple[str, object]:
    """The permission deciding ``variation`` needs, and its object."""
    if variation.decider == Variation.Decider.PANEL:
        return Action.DECIDE_APPLICATIONS, variation.grant.application
    return Action.ADMINISTER_GRANTS, None


def can_decide(user, variation: Variation) -> bool:
    action, obj = variation_decision_action(variation)
    return variation.is_open and can(user, action, obj)


def variation_input(variation: Variation) -> VariationInput:
    return VariationInput(
        reason=variation.reason, new_start_date=variation.new_start_date,
        new_end_date=variation.new_end_date, new_amount=variation.new_amount,
        milestones=tuple(MilestoneEdit(milestone_id=c.milestone_id, due_date=c.new_due_date,
                                       deliverable=c.new_deliverable)
                         for c in variation.milestone_changes.all()),
        budget_moves=tuple(BudgetMoveInput(from_line_id=m.from_line_id,
                                           to_line_id=m.to_line_id, amount=m.amount)
                           for m in variation.budget_moves.all()))


@dataclass(frozen=True)
class Preview:
    """What approving would leave: the tranche schedule, and why it cannot be approved now
    (a tranche paid since the request, say)."""

    tranches: list[ProfiledTranche]
    problems: list[tuple[str | None, str]]


def _milestone_targets(variation: Variation) -> dict:
    return {c.milestone_id: (c.new_due_date, c.new_deliverable)
            for c in variation.milestone_changes.all()}


def variation_preview(variation: Variation) -> Preview:
    """The re-profiled tranche schedule the officer or the panel sees before approving."""
    grant = variation.grant
    tranches = grant_tranches(grant)
    amount = variation.new_amount if variation.new_amount is not None else grant.approved_amount
    problems = []
    if variation.is_open:
        problems = proposal_problems(
            grant=grant, data=variation_input(variation), fixed=fixed_total(tranches),
            paid_milestones={t.milestone_id for t in tranches if t.fixed and t.milestone_id})
        problems = [(None, message) for _field, message in problems]
    rows = reprofile(tranches=tranches, amount=amount, milestones=_milestone_targets(variation))
    if tranches and not any(not t.fixed for t in tranches) and amount != grant.approved_amount:
        problems.append((None, _("Every tranche is paid or being claimed: no tranche is left "
                                 "to carry a new amount.")))
    return Preview(tranches=rows, problems=problems)


def change_lines(variation: Variation) -> list[str]:
    """The changes, in English and Chinese, as the agreement's new version lists them."""
    lines = []
    if variation.new_start_date:
        lines.append(f"Project start date 項目開始日期: {variation.old_start_date or '—'} → "
                     f"{variation.new_start_date}")
    if variation.new_end_date:
        lines.append(f"Project end date 項目結束日期: {variation.old_end_date or '—'} → "
                     f"{variation.new_end_date}")
    for change in variation.milestone_changes.all():
        after = ", ".join(filter(None, [change.new_due_date and str(change.new_due_date),
                                        change.new_deliverable]))
        lines.append(f"Milestone 里程碑 “{change.old_deliverable}” ({change.old_due_date}) → "
                     f"{after}")
    for move in variation.budget_moves.select_related("from_line", "to_line"):
        lines.append(f"Budget moved 預算調撥 {money(move.amount)}: “{move.from_line.description}”"
                     f" → “{move.to_line.description}”")
    if variation.new_amount is not None:
        lines.append(f"Approved subsidy 核准資助金額: {money(variation.old_amount)} → "
                     f"{money(variation.new_amount)}")
    return lines


def _locked(variation: Variation, actor, reason: str, *,
            approving: bool) -> tuple[Variation, Grant]:
    """Lock the application, the variation, the round (when approving an increase) and the
    grant, in that order, after checking who decides."""
    action, obj = variation_decision_action(variation)
    require(actor, action, obj)
    if not (reason or "").strip():
        raise DomainError(_("Give the reason for the decision."), field="reason",
                          code="reason_missing")
    grant = Grant.objects.only("application_id", "round_id").get(pk=variation.grant_id)
    Application.objects.select_for_update(of=("self",)).get(pk=grant.application_id)
    locked = Variation.objects.select_for_update().get(pk=variation.pk)
    if not locked.is_open:
        raise DomainError(_("This variation has already been decided or withdrawn."),
                          code="variation_closed")
    current = Grant.objects.values_list("approved_amount", flat=True).get(pk=grant.pk)
    if approving and locked.new_amount is not None and locked.new_amount > current:
        # The same lock and check as an approval's, after the application's row lock.
        round_envelope_lock(round_id=grant.round_id, amount=locked.new_amount - current)
    grant = (Grant.objects.select_for_update(of=("self",))
             .select_related("application", "round").get(pk=grant.pk))
    return locked, grant


def _decide(locked: Variation, *, actor, status: str, reason: str) -> None:
    locked.status = status
    locked.decided_by = actor
    locked.decided_at = timezone.now()
    locked.decision_reason = reason.strip()[:4000]


def _apply_project(variation: Variation, grant: Grant) -> None:
    changes = {}
    if variation.new_start_date:
        changes["start_date"] = variation.new_start_date
    if variation.new_end_date:
        changes["end_date"] = variation.new_end_date
    if changes:
        Application.objects.filter(pk=grant.application_id).update(**changes)
    for change in variation.milestone_changes.all():
        updates = {}
        if change.new_due_date:
            updates["due_date"] = change.new_due_date
        if change.new_deliverable:
            updates["deliverable"] = change.new_deliverable
        Milestone.objects.filter(pk=change.milestone_id).update(**updates)
    for move in variation.budget_moves.all():
        BudgetLine.objects.filter(pk=move.from_line_id).update(amount=F("amount") - move.amount)
        BudgetLine.objects.filter(pk=move.to_line_id).update(amount=F("amount") + move.amount)


@transaction.atomic
def variation_approve(*, actor, variation: Variation, reason: str,
                      ip_address: str | None = None) -> Variation:
    """Approve ``variation`` and apply it whole (see the module's docstring), or refuse it
    all with the reasons when the grant moved on since it was asked."""
    locked, grant = _locked(variation, actor, reason, approving=True)
    preview = variation_preview(locked)
    if preview.problems:
        raise DomainError(preview.problems[0][1], code="variation_stale")
    tranches = grant_tranches(grant)
    before = {"approved_amount": grant.approved_amount,
              "tranches": [{"number": t.number, "amount": t.amount, "due_date": t.due_date}
                           for t in tranches]}
    _apply_project(locked, grant)
    if locked.new_amount is not None:
        grant.approved_amount = locked.new_amount
        grant.approved_ratio_percent = grant_ratio_percent(
            amount=locked.new_amount, total_eligible_cost=grant.application.total_eligible_cost)
        try:
            with transaction.atomic():
                grant.save(update_fields=["approved_amount", "approved_ratio_percent",
                                          "updated_at"])
        except IntegrityError as exc:
            raise envelope_exhausted_error(round_=grant.round, remaining=Decimal(0),
                                           amount=locked.amount_change) from exc
    changed_tranches = reprofile_write(tranches=tranches, rows=preview.tranches)
    schedule = preview.tranches if tranches else schedule_from_milestones(grant=grant)
    # The company's owner signs the new version; the tranches it changed wait for that.
    agreement = agreement_version_record(actor=actor, grant=grant,
                                         changes=change_lines(locked), schedule=schedule,
                                         changed_tranches=changed_tranches)
    _decide(locked, actor=actor, status=Variation.Status.APPROVED, reason=reason)
    locked.agreement_version = agreement.version
    locked.save(update_fields=["status", "decided_by", "decided_at", "decision_reason",
                               "agreement_version"])
    audit_record(actor=actor, action="variation.approve", obj=locked, before=before,
                 after={**variation_snapshot(locked), "reason": locked.decision_reason,
                        "approved_amount": grant.approved_amount,
                        "tranches": [{"number": r.number, "amount": r.amount,
                                      "due_date": r.due_date} for r in preview.tranches],
                        "agreement_version": agreement.version},
                 ip_address=ip_address)
    variation_decided_notify(locked, actor=actor)
    return locked


@transaction.atomic
def variation_reject(*, actor, variation: Variation, reason: str,
                     ip_address: str | None = None) -> Variation:
    """Refuse ``variation`` with the reason; the grant stays as it is."""
    locked, _grant = _locked(variation, actor, reason, approving=False)
    _decide(locked, actor=actor, status=Variation.Status.REJECTED, reason=reason)
    locked.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
    audit_record(actor=actor, action="variation.reject", obj=locked,
                 before={"status": Variation.Status.REQUESTED},
                 after={"status": locked.status, "reason": locked.decision_reason},
                 ip_address=ip_address)
    variation_decided_notify(locked, actor=actor)
    return locked
