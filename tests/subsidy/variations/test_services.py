"""The rules of a variation, from asking to the decision's effects on the grant."""

from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone

from applicants.errors import ProblemsError
from applicants.models import Application, BudgetLine, Milestone
from subsidy.agreements.models import GrantAgreement
from subsidy.finance.models import Tranche
from subsidy.notifications.models import Notification
from subsidy.platform.errors import DomainError, PermissionDeniedError
from subsidy.platform.models import AuditEvent
from subsidy.platform.roles import Role
from subsidy.variations.models import RoundVariationRules, Variation
from subsidy.variations.services.decisions import (
    variation_approve,
    variation_preview,
    variation_reject,
)
from subsidy.variations.services.proposal import (
    BudgetMoveInput,
    MilestoneEdit,
    VariationInput,
)
from subsidy.variations.services.requests import variation_request, variation_withdraw
from tests.builders.finance import approved_payment
from tests.builders.variations import lines
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def ask(grant, **changes):
    return variation_request(actor=grant.owner, grant=grant,
                             data=VariationInput(reason="The clinics start later.", **changes))


def amounts(grant):
    return [t.amount for t in Tranche.objects.filter(grant=grant).order_by("number")]


def test_a_later_end_date_is_the_officers_and_moves_the_project_when_approved(grant, officer):
    variation = ask(grant, new_end_date=date(2028, 3, 31))

    assert variation.decider == Variation.Decider.OFFICER
    variation_approve(actor=officer, variation=variation, reason="Delay is evidenced.")

    assert Application.objects.get(pk=grant.application_id).end_date == date(2028, 3, 31)
    variation.refresh_from_db()
    assert variation.status == "approved" and variation.agreement_version == 1
    assert amounts(grant) == [Decimal("400000.00"), Decimal("300000.00"), Decimal("300000.00")]


def test_any_increase_is_the_panels_and_a_small_decrease_the_officers(grant):
    assert ask(grant, new_amount=Decimal("1000000.01")).decider == "panel"
    Variation.objects.filter(grant=grant).update(status="withdrawn", withdrawn_at=timezone.now())
    assert ask(grant, new_amount=Decimal("950000.00")).decider == "officer"


def test_a_decrease_above_the_rounds_threshold_is_the_panels(grant):
    RoundVariationRules.objects.create(round=grant.round, panel_threshold=Decimal("40000.00"))

    assert ask(grant, new_amount=Decimal("950000.00")).decider == "panel"


def test_budget_moves_beyond_the_rounds_tolerance_are_refused_with_the_line_named(grant):
    compute, people = lines(grant)
    with pytest.raises(ProblemsError) as refused:
        ask(grant, budget_moves=(BudgetMoveInput(compute.pk, people.pk, Decimal("20000.01")),))

    assert "ML engineers" in str(refused.value.problems)
    assert not Variation.objects.exists()


def test_a_budget_move_within_tolerance_moves_the_money_when_approved(grant, officer):
    compute, people = lines(grant)
    variation = ask(grant, budget_moves=(BudgetMoveInput(compute.pk, people.pk,
                                                         Decimal("20000.00")),))
    variation_approve(actor=officer, variation=variation, reason="Hiring costs rose.")

    assert BudgetLine.objects.get(pk=people.pk).amount == Decimal("220000.00")
    assert BudgetLine.objects.get(pk=compute.pk).amount == compute.amount - Decimal("20000.00")


def test_an_approved_increase_reprofiles_only_the_unpaid_tranches(
        grant, officer, panel_member):
    approved_payment(grant, officer, UserFactory(roles=[Role.FINANCE_OFFICER]),
                     UserFactory(roles=[Role.FINANCE_APPROVER]))
    variation = ask(grant, new_amount=Decimal("1300000.00"))
    preview = variation_preview(variation)
    assert [row.amount for row in preview.tranches] == [
        Decimal("400000.00"), Decimal("450000.00"), Decimal("450000.00")]

    variation_approve(actor=panel_member, variation=variation, reason="Worth it.")

    grant.refresh_from_db()
    assert grant.approved_amount == Decimal("1300000.00")
    assert grant.approved_ratio_percent == Decimal("65.00")
    assert amounts(grant) == [Decimal("400000.00"), Decimal("450000.00"), Decimal("450000.00")]


def test_an_approval_records_a_new_agreement_version_and_keeps_the_old(grant, officer):
    GrantAgreement.objects.create(grant=grant, version=1, document=b"%PDF-1.7 v1",
                                  sha256="0" * 64, signer_name="Chan", signer_title="Director",
                                  signed_by=grant.owner, signed_at=timezone.now())
    variation = ask(grant, new_end_date=date(2028, 3, 31))
    variation_approve(actor=officer, variation=variation, reason="Fine.")

    versions = GrantAgreement.objects.filter(grant=grant).order_by("version")
    assert [a.version for a in versions] == [1, 2]
    assert bytes(versions[0].document) == b"%PDF-1.7 v1"
    assert bytes(versions[1].document).startswith(b"%PDF")
    # Recorded by the officer who decided; the company's owner signs it next.
    assert versions[1].recorded_by == officer
    assert not versions[1].is_signed and versions[1].signer_name == ""


def test_milestone_changes_move_the_unpaid_tranche_and_the_milestone(grant, officer):
    milestone = Milestone.objects.filter(application_id=grant.application_id).order_by(
        "position").last()
    variation = ask(grant, milestones=(MilestoneEdit(milestone.pk, date(2028, 1, 15),
                                                     "Hospital pilot report"),))
    variation_approve(actor=officer, variation=variation, reason="Fine.")

    milestone.refresh_from_db()
    assert (milestone.due_date, milestone.deliverable) == (date(2028, 1, 15),
                                                           "Hospital pilot report")
    last = Tranche.objects.filter(grant=grant).order_by("number").last()
    assert (last.due_date, last.description) == (date(2028, 1, 15), "Hospital pilot report")


def test_only_an_owner_asks_and_only_one_request_waits_at_a_time(grant):
    with pytest.raises(PermissionDeniedError):
        variation_request(actor=UserFactory(), grant=grant,
                          data=VariationInput(reason="x", new_end_date=date(2028, 1, 1)))
    ask(grant, new_end_date=date(2028, 1, 1))
    with pytest.raises(DomainError) as refused:
        ask(grant, new_end_date=date(2028, 2, 1))
    assert refused.value.code == "variation_open"


def test_a_request_without_a_change_or_reason_names_both(grant):
    with pytest.raises(ProblemsError) as refused:
        variation_request(actor=grant.owner, grant=grant, data=VariationInput(reason=" "))
    fields = [field for field, _message in refused.value.problems]
    assert "reason" in fields and None in fields


def test_the_officer_cannot_decide_the_panels_variation(grant, officer):
    variation = ask(grant, new_amount=Decimal("1100000.00"))
    with pytest.raises(PermissionDeniedError):
        variation_approve(actor=officer, variation=variation, reason="No.")


def test_rejecting_leaves_the_grant_and_tells_the_company(grant, officer):
    variation = ask(grant, new_amount=Decimal("900000.00"))
    variation_reject(actor=officer, variation=variation, reason="No evidence.")

    grant.refresh_from_db()
    assert grant.approved_amount == Decimal("1000000.00")
    assert Notification.objects.filter(recipient=grant.owner,
                                       event="variation_decided").exists()
    assert AuditEvent.objects.filter(action="variation.reject").exists()


def test_a_withdrawn_request_cannot_be_decided(grant, officer):
    variation = variation_withdraw(actor=grant.owner,
                                   variation=ask(grant, new_end_date=date(2028, 1, 1)))
    with pytest.raises(DomainError):
        variation_approve(actor=officer, variation=variation, reason="Too late.")


def test_an_increase_past_the_envelope_is_refused(grant, panel_member):
    variation = ask(grant, new_amount=Decimal("1150000.00"))
    grant.round.__class__.objects.filter(pk=grant.round_id).update(
        envelope=Decimal("1100000.00"), max_subsidy_per_project=Decimal("1100000.00"))

    with pytest.raises(DomainError) as refused:
        variation_approve(actor=panel_member, variation=variation, reason="Yes.")
    assert refused.value.code == "envelope_exhausted"


def test_each_step_notifies_the_company_and_the_officers(grant, officer):
    variation = ask(grant, new_end_date=date(2028, 1, 1))
    assert Notification.objects.filter(recipient=grant.owner, event="variation_received")
    assert Notification.objects.filter(recipient=officer, event="variation_to_decide")
    assert AuditEvent.objects.filter(action="variation.request").exists()
    variation_approve(actor=officer, variation=variation, reason="Fine.")
    assert AuditEvent.objects.filter(action="variation.approve").exists()
