from datetime import date
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from applicants.models import (
    Application,
    ApplicationVersion,
    BudgetLine,
    Milestone,
)
from applicants.services.submission import application_submit, application_withdraw
from tests.factories import OrganisationFactory


def test_database_refuses_a_negative_requested_subsidy(draft):
    with pytest.raises(IntegrityError), transaction.atomic():
        Application.objects.filter(pk=draft.pk).update(requested_subsidy=Decimal("-1"))


def test_database_refuses_an_end_date_before_the_start(draft):
    with pytest.raises(IntegrityError), transaction.atomic():
        Application.objects.filter(pk=draft.pk).update(start_date=date(2027, 5, 1),
                                                       end_date=date(2027, 4, 30))


def test_database_refuses_a_negative_budget_line(draft):
    with pytest.raises(IntegrityError), transaction.atomic():
        BudgetLine.objects.create(application=draft, category="other", description="x",
                                  quantity=Decimal("1"), unit_cost=Decimal("-5"),
                                  amount=Decimal("0"))


def test_database_refuses_an_unknown_budget_category(draft):
    with pytest.raises(IntegrityError), transaction.atomic():
        BudgetLine.objects.create(application=draft, category="travel", description="x",
                                  quantity=Decimal("1"), unit_cost=Decimal("5"),
                                  amount=Decimal("5"))


@pytest.mark.parametrize("share", ["-0.01", "100.01"])
def test_database_refuses_a_milestone_share_outside_0_to_100(draft, share):
    with pytest.raises(IntegrityError), transaction.atomic():
        Milestone.objects.create(application=draft, deliverable="x", due_date=date(2027, 1, 1),
                                 share_percent=Decimal(share))


def test_database_allows_one_live_application_per_organisation_and_round(draft):
    with pytest.raises(IntegrityError), transaction.atomic():
        Application.objects.create(round=draft.round, organisation=draft.organisation)


def test_a_withdrawn_application_frees_the_place_in_the_round(owner, draft):
    application_withdraw(actor=owner, application=draft)
    again = Application.objects.create(round=draft.round, organisation=draft.organisation)
    assert again.pk != draft.pk


def test_another_organisation_may_apply_in_the_same_round(draft):
    other = Application.objects.create(round=draft.round, organisation=OrganisationFactory())
    assert other.is_live


def test_references_are_unique_in_the_database(draft):
    second = Application.objects.create(round=draft.round, organisation=OrganisationFactory())
    Application.objects.filter(pk=draft.pk).update(reference="AISS-2026R1-00001")
    with pytest.raises(IntegrityError), transaction.atomic():
        Application.objects.filter(pk=second.pk).update(reference="AISS-2026R1-00001")


def test_a_submitted_version_cannot_be_changed(owner, ready_draft):
    application_submit(actor=owner, application=ready_draft)
    version = ApplicationVersion.objects.get(application=ready_draft)
    version.snapshot = {"title": "rewritten"}
    with pytest.raises(PermissionError):
        version.save()


def test_a_submitted_version_cannot_be_deleted(owner, ready_draft):
    application_submit(actor=owner, application=ready_draft)
    with pytest.raises(PermissionError):
        ApplicationVersion.objects.get(application=ready_draft).delete()


def test_team_members_have_no_identity_number_field():
    from applicants.models import TeamMember

    names = {f.name.lower() for f in TeamMember._meta.get_fields()}
    assert not any("hkid" in n or "identity" in n for n in names)
