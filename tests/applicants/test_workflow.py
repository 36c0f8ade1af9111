import re
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from applicants.errors import ProblemsError
from applicants.models import (
    Application,
    ApplicationStatus,
    Membership,
    StatusChange,
    StatusWriteRefused,
)
from applicants.services.drafts import application_update_section
from applicants.services.submission import application_resubmit, application_submit
from applicants.workflow import (
    BEFORE_DECISION,
    PUBLIC_STATUS,
    TRANSITIONS,
    application_transition,
    available_transitions,
    public_status,
    public_timeline,
)
from subsidy.notifications.models import Notification
from subsidy.platform.errors import DomainError, PermissionDeniedError
from subsidy.platform.models import AuditEvent
from subsidy.scheme.models import Grant
from tests.builders.agreements import sign_offer
from tests.builders.applicants import member
from tests.builders.reviews import panel_declared

S = ApplicationStatus

# DOMAIN.md's lifecycle, edge by edge.
DOMAIN_EDGES = {
    (S.DRAFT, S.SUBMITTED), (S.SUBMITTED, S.SCREENING), (S.SCREENING, S.INELIGIBLE),
    (S.SCREENING, S.INFO_REQUESTED), (S.INFO_REQUESTED, S.SUBMITTED),
    (S.SCREENING, S.IN_REVIEW), (S.IN_REVIEW, S.REVIEWED), (S.REVIEWED, S.APPROVED),
    (S.REVIEWED, S.REJECTED), (S.REVIEWED, S.WAITLISTED), (S.WAITLISTED, S.APPROVED),
    (S.APPROVED, S.OFFERED), (S.OFFERED, S.ACCEPTED), (S.OFFERED, S.DECLINED),
    (S.OFFERED, S.LAPSED), (S.ACCEPTED, S.ACTIVE), (S.ACTIVE, S.COMPLETED),
    (S.ACTIVE, S.TERMINATED),
} | {(state, S.WITHDRAWN) for state in
     (S.DRAFT, S.SUBMITTED, S.SCREENING, S.INFO_REQUESTED, S.IN_REVIEW, S.REVIEWED)}

# The path to each state from a submitted application: (transition, who takes it).
PATH = {
    S.SCREENING: [("start_screening", "officer")],
    S.INFO_REQUESTED: [("start_screening", "officer"), ("request_information", "officer")],
    S.IN_REVIEW: [("start_screening", "officer"), ("pass_to_review", "officer")],
    S.REVIEWED: [("start_screening", "officer"), ("pass_to_review", "officer"),
                 ("complete_review", "officer")],
}
PATH[S.APPROVED] = PATH[S.REVIEWED] + [("approve", "panel")]
PATH[S.REJECTED] = PATH[S.REVIEWED] + [("reject", "panel")]
PATH[S.WAITLISTED] = PATH[S.REVIEWED] + [("waitlist", "panel")]
PATH[S.OFFERED] = PATH[S.APPROVED] + [("make_offer", "officer")]
PATH[S.ACCEPTED] = PATH[S.OFFERED] + [("accept_offer", "owner")]
PATH[S.ACTIVE] = PATH[S.ACCEPTED] + [("activate", "officer")]
PAYLOAD = {"reject": {"reason": "Weak business case."},
           "approve": {"amount": Decimal("500000.00")},
           "request_information": {"question": "Send the audited accounts.",
                                   "sections": ["documents"]}}


@pytest.fixture
def walk(owner, officer, panel_member):
    actors = {"owner": owner, "officer": officer, "panel": panel_member}

    def go(application, state):
        application_submit(actor=owner, application=application)
        for name, who in PATH.get(state, []):
            if name in ("approve", "reject", "waitlist"):
                panel_declared(panel_member, application)
            if name == "accept_offer":
                sign_offer(actors[who], application)
                continue
            application_transition(actor=actors[who], application=application,
                                   transition_name=name, **PAYLOAD.get(name, {}))
        return application

    return go


def test_table_states_exactly_the_lifecycle_of_the_domain():
    edges = {(source, t.target) for t in TRANSITIONS for source in t.sources}
    assert edges == DOMAIN_EDGES


def test_every_state_has_a_public_name():
    assert set(PUBLIC_STATUS) == set(S.values)


def test_assessment_states_share_one_public_name():
    names = {public_status(s) for s in (S.SCREENING, S.IN_REVIEW, S.REVIEWED)}
    assert names == {"Under assessment"}


def test_submit_sets_status_and_records_change_and_audit(owner, ready_draft):
    application_submit(actor=owner, application=ready_draft)
    ready_draft.refresh_from_db()
    assert ready_draft.status == S.SUBMITTED
    change = StatusChange.objects.get(application=ready_draft)
    assert (change.from_status, change.to_status, change.actor) == (S.DRAFT, S.SUBMITTED, owner)
    event = AuditEvent.objects.get(action="application.submit")
    assert event.before == {"status": "draft"}
    assert event.after["status"] == "submitted"


def test_step_from_wrong_state_is_refused_and_changes_nothing(officer, ready_draft):
    with pytest.raises(DomainError, match="not possible"):
        application_transition(actor=officer, application=ready_draft,
                               transition_name="start_screening")
    ready_draft.refresh_from_db()
    assert ready_draft.status == S.DRAFT
    assert not StatusChange.objects.exists()


def test_applicant_cannot_take_a_staff_step(owner, ready_draft):
    application_submit(actor=owner, application=ready_draft)
    with pytest.raises(PermissionDeniedError):
        application_transition(actor=owner, application=ready_draft,
                               transition_name="start_screening")


def test_viewer_member_cannot_submit(organisation, ready_draft):
    viewer = member(organisation, Membership.Role.VIEWER)
    with pytest.raises(PermissionDeniedError):
        application_transition(actor=viewer, application=ready_draft, transition_name="submit")
    ready_draft.refresh_from_db()
    assert ready_draft.status == S.DRAFT


def test_unknown_step_is_refused(owner, ready_draft):
    with pytest.raises(DomainError, match="does not exist"):
        application_transition(actor=owner, application=ready_draft, transition_name="publish")


def test_refused_guard_changes_nothing_and_sends_nothing(officer, walk, ready_draft):
    walk(ready_draft, S.SCREENING)
    before = (StatusChange.objects.count(), Notification.objects.count(),
              AuditEvent.objects.count())
    with pytest.raises(ProblemsError) as refused:
        application_transition(actor=officer, application=ready_draft,
                               transition_name="mark_ineligible", reason="  ")
    assert refused.value.problems[0][0] == "reason"
    ready_draft.refresh_from_db()
    assert ready_draft.status == S.SCREENING
    assert (StatusChange.objects.count(), Notification.objects.count(),
            AuditEvent.objects.count()) == before


def test_ineligible_notifies_members_with_the_reason(officer, walk, ready_draft, owner):
    walk(ready_draft, S.SCREENING)
    application_transition(actor=officer, application=ready_draft,
                           transition_name="mark_ineligible", reason="Not an AI project.")
    notice = Notification.objects.get(event="application_ineligible")
    assert notice.recipient == owner
    assert notice.context["reason"] == "Not an AI project."
    assert notice.context["public_status"] == "Not eligible"


def test_owner_may_submit_or_withdraw_a_draft(owner, ready_draft):
    names = {t.name for t in available_transitions(owner, ready_draft)}
    assert names == {"submit", "withdraw"}


def test_viewer_is_offered_no_step(organisation, ready_draft):
    viewer = member(organisation, Membership.Role.VIEWER)
    assert available_transitions(viewer, ready_draft) == []


def test_officer_is_offered_screening_of_a_submitted_application(officer, walk, ready_draft):
    walk(ready_draft, S.SUBMITTED)
    assert [t.name for t in available_transitions(officer, ready_draft)] == ["start_screening"]


@pytest.mark.parametrize("state", sorted(BEFORE_DECISION - {S.DRAFT}))
def test_withdrawal_is_allowed_before_a_decision(owner, walk, ready_draft, state):
    walk(ready_draft, state)
    application_transition(actor=owner, application=ready_draft, transition_name="withdraw")
    ready_draft.refresh_from_db()
    assert ready_draft.status == S.WITHDRAWN


@pytest.mark.parametrize("state", [S.APPROVED, S.REJECTED, S.WAITLISTED, S.OFFERED])
def test_withdrawal_is_refused_after_a_decision(owner, walk, ready_draft, state):
    walk(ready_draft, state)
    with pytest.raises(DomainError, match="not possible"):
        application_transition(actor=owner, application=ready_draft,
                               transition_name="withdraw")


def test_waitlisted_application_can_be_approved(panel_member, walk, ready_draft):
    walk(ready_draft, S.WAITLISTED)
    application_transition(actor=panel_member, application=ready_draft,
                           transition_name="approve", amount=Decimal("500000.00"))
    assert ready_draft.status == S.APPROVED


def test_the_system_lets_an_offer_lapse(walk, ready_draft):
    walk(ready_draft, S.OFFERED)
    Grant.objects.update(offer_expires_at=timezone.now() - timedelta(seconds=1))
    application_transition(actor=None, application=ready_draft, transition_name="lapse_offer")
    assert ready_draft.status == S.LAPSED


def test_an_editor_cannot_accept_an_offer(organisation, walk, ready_draft):
    walk(ready_draft, S.OFFERED)
    editor = member(organisation, Membership.Role.EDITOR)
    with pytest.raises(PermissionDeniedError):
        application_transition(actor=editor, application=ready_draft,
                               transition_name="accept_offer")


def test_active_project_cannot_complete_while_its_grant_has_unpaid_tranches(officer, walk,
                                                                          ready_draft):
    walk(ready_draft, S.ACTIVE)
    with pytest.raises(DomainError, match="not paid yet"):
        application_transition(actor=officer, application=ready_draft,
                               transition_name="complete")
    ready_draft.refresh_from_db()
    assert ready_draft.status == S.ACTIVE


def test_information_request_reopens_only_named_sections(owner, walk, ready_draft):
    walk(ready_draft, S.INFO_REQUESTED)
    with pytest.raises(DomainError, match="Only the sections"):
        application_update_section(actor=owner, application=ready_draft, section="project",
                                   data={}, expected_version=ready_draft.version)


def test_resubmission_makes_a_new_version(owner, walk, ready_draft):
    walk(ready_draft, S.INFO_REQUESTED)
    application_resubmit(actor=owner, application=ready_draft)
    assert ready_draft.status == S.SUBMITTED
    assert list(ready_draft.versions.values_list("number", flat=True)) == [1, 2]
    assert ready_draft.information_requests.get().answered_at is not None


def test_information_request_needs_sections(officer, walk, ready_draft):
    walk(ready_draft, S.SCREENING)
    with pytest.raises(ProblemsError) as refused:
        application_transition(actor=officer, application=ready_draft,
                               transition_name="request_information", question="Why?",
                               sections=[])
    assert [field for field, _ in refused.value.problems] == ["sections"]


def test_public_timeline_shows_assessment_once(walk, ready_draft):
    walk(ready_draft, S.REVIEWED)
    labels = [step["label"] for step in public_timeline(ready_draft.status_changes.all())]
    assert labels == ["Submitted", "Under assessment"]


# --- Nothing else writes a status ------------------------------------------------------------

def test_saving_a_changed_status_outside_the_engine_is_refused(ready_draft):
    ready_draft.status = S.APPROVED
    with pytest.raises(StatusWriteRefused):
        ready_draft.save()


def test_queryset_status_update_outside_the_engine_is_refused(ready_draft):
    with pytest.raises(StatusWriteRefused):
        Application.objects.filter(pk=ready_draft.pk).update(status=S.APPROVED)


def test_bulk_status_update_outside_the_engine_is_refused(ready_draft):
    ready_draft.status = S.APPROVED
    with pytest.raises(StatusWriteRefused):
        Application.objects.bulk_update([ready_draft], ["status"])


def test_a_new_application_must_start_as_a_draft(organisation, round_):
    with pytest.raises(StatusWriteRefused):
        Application.objects.create(round=round_, organisation=organisation,
                                   status=S.SUBMITTED)


def test_only_the_engine_opens_the_status_gate_or_writes_status_in_sql():
    """The runtime guard can only be passed through ``status_gate_open``; no other module
    may use it, nor update the application table in raw SQL."""
    root = Path(settings.BASE_DIR)
    allowed = {root / "applicants" / "workflow" / "engine.py",
               root / "applicants" / "models" / "applications.py",
               root / "applicants" / "models" / "__init__.py"}
    offenders = []
    for path in root.rglob("*.py"):
        parts = path.relative_to(root).parts
        if parts[0] in {".venv", "tests", "node_modules"} or "migrations" in parts:
            continue
        text = path.read_text(encoding="utf-8", errors="ignore")
        if path not in allowed and re.search(r"status_gate|_status_as_loaded", text):
            offenders.append(str(path))
        if re.search(r"update\s+\"?applicants_application\"?\s+set", text, re.IGNORECASE):
            offenders.append(str(path))
    assert offenders == []
