from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from applicants.errors import ProblemsError
from applicants.models import Application, Invitation, Membership
from applicants.selectors import application_versions_compared
from applicants.services.documents import document_upload
from applicants.services.drafts import application_create_draft, application_update_section
from applicants.services.organisations import (
    invitation_accept,
    member_change_role,
    member_invite,
    member_remove,
    organisation_create,
    organisation_update,
)
from applicants.services.submission import application_resubmit, application_submit
from applicants.workflow import application_transition
from subsidy.notifications.models import Notification
from subsidy.platform.errors import DomainError, PermissionDeniedError
from subsidy.platform.models import AuditEvent
from subsidy.platform.roles import Role
from tests.builders.applicants import (
    BUDGET,
    MILESTONES,
    PROJECT,
    TEAM,
    member,
    pdf_bytes,
    save,
    upload,
)
from tests.factories import FundingRoundFactory, UserFactory

COMPANY = {"name_en": "Harbour Speech AI Limited", "name_zh": "港灣語音人工智能有限公司",
           "br_number": "71234567", "incorporation_date": "2024-03-01", "size": "1-9",
           "sector": "nlp", "is_cyberport_incubatee": True, "website": ""}


def problems_of(excinfo):
    return [field for field, _ in excinfo.value.problems]


# --- Organisations ----------------------------------------------------------------------------

def test_creating_a_company_makes_the_creator_its_owner(owner):
    organisation = organisation_create(actor=owner, **COMPANY)
    assert organisation.memberships.get().role == Membership.Role.OWNER
    assert AuditEvent.objects.filter(action="organisation.create").exists()


@pytest.mark.parametrize("br_number", ["1234567", "ABCDEFGH", "123456789"])
def test_a_malformed_br_number_is_refused(owner, br_number):
    with pytest.raises(ProblemsError) as refused:
        organisation_create(actor=owner, **{**COMPANY, "br_number": br_number})
    assert "br_number" in problems_of(refused)


def test_a_br_number_can_be_registered_once(owner):
    organisation_create(actor=owner, **COMPANY)
    with pytest.raises(ProblemsError, match="already registered"):
        organisation_create(actor=UserFactory(roles=[Role.APPLICANT]), **COMPANY)


def test_incorporation_date_cannot_be_in_the_future(owner):
    tomorrow = timezone.localdate() + timedelta(days=1)
    with pytest.raises(ProblemsError) as refused:
        organisation_create(actor=owner, **{**COMPANY, "incorporation_date": tomorrow})
    assert problems_of(refused) == ["incorporation_date"]


def test_an_editor_may_edit_the_profile(organisation):
    editor = member(organisation, Membership.Role.EDITOR)
    organisation_update(actor=editor, organisation=organisation, website="https://x.hk")
    organisation.refresh_from_db()
    assert organisation.website == "https://x.hk"


def test_a_viewer_may_not_edit_the_profile(organisation):
    viewer = member(organisation, Membership.Role.VIEWER)
    with pytest.raises(PermissionDeniedError):
        organisation_update(actor=viewer, organisation=organisation, website="https://x.hk")


def test_an_invitation_is_emailed_through_the_outbox(owner, organisation,
                                                    django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        member_invite(actor=owner, organisation=organisation, email="New@Example.hk",
                      role="editor")
    notice = Notification.objects.get(event="organisation_invitation")
    assert notice.to_email == "new@example.hk"
    assert len(mail.outbox) == 1
    assert "/applicant/invitations/" in mail.outbox[0].body


def test_only_an_owner_may_invite(organisation):
    editor = member(organisation, Membership.Role.EDITOR)
    with pytest.raises(PermissionDeniedError):
        member_invite(actor=editor, organisation=organisation, email="a@b.hk", role="viewer")


def test_accepting_an_invitation_adds_the_member_with_its_role(owner, organisation):
    invitation = member_invite(actor=owner, organisation=organisation, email="new@example.hk",
                               role="viewer")
    invitee = UserFactory(email="new@example.hk")
    invitation_accept(user=invitee, token=invitation.token)
    assert organisation.memberships.get(user=invitee).role == "viewer"
    assert invitee.has_role(Role.APPLICANT)


def test_an_invitation_is_for_its_addressee_only(owner, organisation):
    invitation = member_invite(actor=owner, organisation=organisation, email="new@example.hk",
                               role="viewer")
    with pytest.raises(DomainError, match="another email address"):
        invitation_accept(user=UserFactory(), token=invitation.token)


def test_an_invitation_can_be_used_once(owner, organisation):
    invitation = member_invite(actor=owner, organisation=organisation, email="new@example.hk",
                               role="viewer")
    invitee = UserFactory(email="new@example.hk")
    invitation_accept(user=invitee, token=invitation.token)
    with pytest.raises(DomainError, match="already been used"):
        invitation_accept(user=invitee, token=invitation.token)


def test_an_expired_invitation_is_refused(owner, organisation):
    invitation = member_invite(actor=owner, organisation=organisation, email="new@example.hk",
                               role="viewer")
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now())
    with pytest.raises(DomainError, match="expired"):
        invitation_accept(user=UserFactory(email="new@example.hk"), token=invitation.token)


def test_the_token_is_not_stored(owner, organisation):
    invitation = member_invite(actor=owner, organisation=organisation, email="new@example.hk",
                               role="viewer")
    assert not Invitation.objects.filter(token_hash=invitation.token).exists()


def test_the_last_owner_cannot_leave(owner, organisation):
    with pytest.raises(DomainError, match="last owner"):
        member_remove(actor=owner, membership=organisation.memberships.get(user=owner))


def test_an_owner_can_leave_when_another_owner_remains(owner, organisation):
    member(organisation, Membership.Role.OWNER)
    member_remove(actor=owner, membership=organisation.memberships.get(user=owner))
    assert not organisation.memberships.filter(user=owner).exists()


def test_a_member_may_leave(organisation):
    viewer = member(organisation, Membership.Role.VIEWER)
    member_remove(actor=viewer, membership=organisation.memberships.get(user=viewer))
    assert not organisation.memberships.filter(user=viewer).exists()


def test_an_editor_may_not_remove_others(organisation, owner):
    editor = member(organisation, Membership.Role.EDITOR)
    with pytest.raises(PermissionDeniedError):
        member_remove(actor=editor, membership=organisation.memberships.get(user=owner))


def test_the_last_owner_cannot_be_demoted(owner, organisation):
    with pytest.raises(DomainError, match="at least one owner"):
        member_change_role(actor=owner, membership=organisation.memberships.get(user=owner),
                           role="editor")


# --- Drafts -----------------------------------------------------------------------------------

def test_a_draft_can_be_started_for_an_open_round(draft):
    assert draft.status == Application.Status.DRAFT
    assert draft.reference is None


def test_a_draft_cannot_be_started_for_a_closed_round(owner, organisation):
    closed = FundingRoundFactory(opens_at=timezone.now() - timedelta(days=40),
                                 closes_at=timezone.now() - timedelta(days=1))
    with pytest.raises(DomainError, match="not open"):
        application_create_draft(actor=owner, organisation=organisation, round_=closed)


def test_a_second_live_application_in_a_round_is_refused(owner, organisation, draft):
    with pytest.raises(DomainError, match="only one"):
        application_create_draft(actor=owner, organisation=organisation, round_=draft.round)


def test_a_viewer_cannot_start_a_draft(organisation, round_):
    viewer = member(organisation, Membership.Role.VIEWER)
    with pytest.raises(PermissionDeniedError):
        application_create_draft(actor=viewer, organisation=organisation, round_=round_)


def test_a_viewer_cannot_edit_a_draft(organisation, draft):
    viewer = member(organisation, Membership.Role.VIEWER)
    with pytest.raises(PermissionDeniedError):
        save(viewer, draft, "project", PROJECT)


def test_an_incomplete_draft_can_be_saved(owner, draft):
    save(owner, draft, "project", {"title": "Only a title"})
    draft.refresh_from_db()
    assert (draft.title, draft.start_date, draft.requested_subsidy) == ("Only a title", None, 0)


def test_each_save_raises_the_version(owner, draft):
    save(owner, draft, "project", PROJECT)
    assert Application.objects.get(pk=draft.pk).version == 2


def test_a_stale_save_is_refused_and_keeps_the_first(owner, organisation, draft):
    editor = member(organisation, Membership.Role.EDITOR)
    opened_at = draft.version
    application_update_section(actor=owner, application=draft, section="project",
                               data={**PROJECT, "title": "First"}, expected_version=opened_at)
    with pytest.raises(DomainError, match="Someone else saved this draft") as refused:
        application_update_section(actor=editor, application=draft, section="project",
                                   data={**PROJECT, "title": "Second"},
                                   expected_version=opened_at)
    assert refused.value.code == "stale"
    assert Application.objects.get(pk=draft.pk).title == "First"


def test_a_submitted_application_is_frozen(owner, ready_draft):
    application_submit(actor=owner, application=ready_draft)
    with pytest.raises(DomainError, match="cannot be changed"):
        save(owner, ready_draft, "project", PROJECT)


@pytest.mark.parametrize(("field", "value"), [
    ("title", "x" * 201),
    ("summary", "x" * 5001),
    ("start_date", "2027-02-30"),
    ("end_date", "next year"),
    ("total_eligible_cost", "-1"),
    ("requested_subsidy", "1e12"),
    ("requested_subsidy", "12.345"),
    ("requested_subsidy", "NaN"),
    ("requested_subsidy", "lots"),
    ("category", "crypto"),
])
def test_malformed_project_input_is_refused_against_its_field(owner, draft, field, value):
    with pytest.raises(ProblemsError) as refused:
        save(owner, draft, "project", {**PROJECT, field: value})
    assert problems_of(refused) == [field]


def test_an_end_before_the_start_is_refused(owner, draft):
    with pytest.raises(ProblemsError) as refused:
        save(owner, draft, "project", {**PROJECT, "end_date": "2026-12-31"})
    assert problems_of(refused) == ["end_date"]


def test_a_refused_save_changes_nothing(owner, draft):
    save(owner, draft, "project", PROJECT)
    with pytest.raises(ProblemsError):
        save(owner, draft, "project", {**PROJECT, "title": "New", "requested_subsidy": "-5"})
    draft.refresh_from_db()
    assert (draft.title, draft.version) == (PROJECT["title"], 2)


def test_compute_lines_are_priced_at_the_round_gpu_rate(owner, draft):
    save(owner, draft, "budget", BUDGET)
    compute = draft.budget_lines.get(category="compute")
    assert (compute.gpu_hours, compute.unit_cost, compute.amount) == (
        Decimal("20000.00"), Decimal("18.50"), Decimal("370000.00"))


def test_other_lines_are_quantity_times_unit_cost(owner, draft):
    save(owner, draft, "budget", BUDGET)
    assert draft.budget_lines.get(category="personnel").amount == Decimal("630000.00")


def test_budget_lines_are_replaced_as_a_whole(owner, draft):
    save(owner, draft, "budget", BUDGET)
    save(owner, draft, "budget", BUDGET[1:])
    assert list(draft.budget_lines.values_list("category", flat=True)) == ["personnel"]


@pytest.mark.parametrize(("row", "field"), [
    ({"category": "travel", "description": "x", "quantity": "1", "unit_cost": "1"},
     "budget-0-category"),
    ({"category": "other", "description": "", "quantity": "1", "unit_cost": "1"},
     "budget-0-description"),
    ({"category": "other", "description": "x", "quantity": "-1", "unit_cost": "1"},
     "budget-0-quantity"),
    ({"category": "compute", "description": "x"}, "budget-0-gpu_hours"),
    ({"category": "other", "description": "x", "quantity": "1", "unit_cost": "9e9"},
     "budget-0-unit_cost"),
])
def test_a_bad_budget_line_is_refused_against_its_field(owner, draft, row, field):
    with pytest.raises(ProblemsError) as refused:
        save(owner, draft, "budget", [row])
    assert problems_of(refused) == [field]


def test_a_line_adding_up_to_an_absurd_amount_is_refused(owner, draft):
    row = {"category": "other", "description": "x", "quantity": "1000000",
           "unit_cost": "1000"}
    with pytest.raises(ProblemsError) as refused:
        save(owner, draft, "budget", [row])
    assert problems_of(refused) == ["budget-0-quantity"]


@pytest.mark.parametrize(("change", "field"), [
    ({"share_percent": "101"}, "milestones-0-share_percent"),
    ({"due_date": "2027-13-01"}, "milestones-0-due_date"),
    ({"deliverable": ""}, "milestones-0-deliverable"),
])
def test_a_bad_milestone_is_refused_against_its_field(owner, draft, change, field):
    with pytest.raises(ProblemsError) as refused:
        save(owner, draft, "milestones", [{**MILESTONES[0], **change}])
    assert problems_of(refused) == [field]


def test_an_identity_card_number_in_the_team_is_refused(owner, draft):
    with pytest.raises(ProblemsError) as refused:
        save(owner, draft, "team", [{**TEAM[0], "expertise": "HKID A123456(7)"}])
    assert problems_of(refused) == ["team-0-expertise"]


def test_accepting_the_privacy_notice_records_when(owner, draft):
    save(owner, draft, "declarations", {"privacy_notice": True})
    draft.refresh_from_db()
    assert draft.privacy_notice_accepted_at is not None


def test_an_unknown_section_is_refused(owner, draft):
    with pytest.raises(DomainError, match="Unknown section"):
        save(owner, draft, "everything", {})


def test_staff_see_what_changed_between_versions(owner, officer, ready_draft):
    application_submit(actor=owner, application=ready_draft)
    application_transition(actor=officer, application=ready_draft,
                           transition_name="start_screening")
    application_transition(actor=officer, application=ready_draft,
                           transition_name="request_information",
                           question="Audited accounts?", sections=["documents"])
    document_upload(actor=owner, application=ready_draft, document_type="financial_statements",
                    uploaded_file=upload("accounts.pdf", pdf_bytes()))
    application_resubmit(actor=owner, application=ready_draft)
    _old, _new, changes = application_versions_compared(application=ready_draft, older=1,
                                                        newer=2)
    assert [change["field"] for change in changes] == ["documents"]
    assert len(changes[0]["after"]) == len(changes[0]["before"]) + 1
