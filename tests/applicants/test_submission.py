import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from applicants.checks import application_submission_problems, section_of
from applicants.errors import ProblemsError
from applicants.models import Application, ApplicationVersion, Membership
from applicants.services.drafts import application_create_draft
from applicants.services.submission import application_submit
from subsidy.notifications.models import Notification
from subsidy.platform.errors import PermissionDeniedError
from subsidy.platform.roles import Role
from tests.builders.applicants import BUDGET, MILESTONES, PROJECT, fill, member, save
from tests.factories import FundingRoundFactory, MembershipFactory, UserFactory


def fields(application):
    return [field for field, _ in application_submission_problems(application)]


def messages(application, field):
    return [m for f, m in application_submission_problems(application) if f == field]


def test_a_complete_draft_has_no_problems(ready_draft):
    assert application_submission_problems(ready_draft) == []


def test_an_empty_draft_names_every_missing_part(draft):
    assert set(fields(draft)) == {
        "title", "summary", "category", "start_date", "end_date", "total_eligible_cost",
        "requested_subsidy", "budget", "milestones", "team", "rai_safety", "rai_human",
        "rai_transparency", "documents-business_plan", "declares_accurate",
        "declares_no_double_funding", "declares_compliance", "privacy_notice"}


def test_every_problem_belongs_to_a_section(draft):
    assert all(section_of(field) for field in fields(draft))


def test_a_closed_round_is_named(ready_draft):
    round_ = ready_draft.round
    round_.closes_at = timezone.now() - timedelta(minutes=1)
    round_.opens_at = round_.closes_at - timedelta(days=30)
    round_.save()
    assert "closed" in messages(ready_draft, "round")[0]


def test_budget_lines_must_sum_to_the_total(owner, ready_draft):
    save(owner, ready_draft, "project", {**PROJECT, "total_eligible_cost": "1000001"})
    assert "add up to HK$1,000,000.00" in messages(ready_draft, "budget")[0]


def test_requested_subsidy_within_the_round_maximum(owner, ready_draft):
    round_ = ready_draft.round
    round_.max_subsidy_per_project = Decimal("600000")
    round_.save()
    assert "maximum" in messages(ready_draft, "requested_subsidy")[0]


def test_requested_subsidy_within_the_ratio_of_eligible_cost(owner, ready_draft):
    save(owner, ready_draft, "project", {**PROJECT, "requested_subsidy": "700000.01"})
    assert "70%" in messages(ready_draft, "requested_subsidy")[0]


def test_the_ratio_cap_allows_exactly_the_maximum(ready_draft):
    assert ready_draft.requested_subsidy == ready_draft.total_eligible_cost * Decimal("0.7")
    assert messages(ready_draft, "requested_subsidy") == []


def test_milestone_shares_must_sum_to_100(owner, ready_draft):
    save(owner, ready_draft, "milestones",
         [{**MILESTONES[0], "share_percent": "39"}] + MILESTONES[1:])
    assert "99%" in messages(ready_draft, "milestones")[0]


def test_milestones_are_due_within_the_project(owner, ready_draft):
    save(owner, ready_draft, "milestones",
         [{**MILESTONES[0], "due_date": "2028-01-01"}] + MILESTONES[1:])
    assert messages(ready_draft, "milestones-0-due_date")


def test_required_documents_must_be_present(owner, draft):
    fill(owner, draft, documents=False)
    assert fields(draft) == ["documents-business_plan"]


def test_category_must_be_eligible_in_the_round(owner, ready_draft):
    save(owner, ready_draft, "project", {**PROJECT, "category": "defi"})
    assert "does not fund" in messages(ready_draft, "category")[0]


def test_declarations_and_privacy_notice_are_required(owner, ready_draft):
    save(owner, ready_draft, "declarations", {})
    assert set(fields(ready_draft)) == {"declares_accurate", "declares_no_double_funding",
                                        "declares_compliance", "privacy_notice"}


def test_a_budget_needs_lines(owner, ready_draft):
    save(owner, ready_draft, "budget", [])
    assert messages(ready_draft, "budget")


# --- Submitting -------------------------------------------------------------------------------

def test_submission_gives_the_first_reference_of_the_round(owner, ready_draft):
    application_submit(actor=owner, application=ready_draft)
    assert ready_draft.reference == "AISS-2026R1-00001"
    assert ready_draft.status == Application.Status.SUBMITTED


def test_references_count_up_within_a_round(owner, ready_draft, round_):
    application_submit(actor=owner, application=ready_draft)
    other = MembershipFactory(user=UserFactory(roles=[Role.APPLICANT]))
    second = application_create_draft(actor=other.user, organisation=other.organisation,
                                      round_=round_)
    fill(other.user, second)
    application_submit(actor=other.user, application=second)
    assert second.reference == "AISS-2026R1-00002"


def test_each_round_numbers_from_one(owner, organisation):
    round_b = FundingRoundFactory(code="2026R9", required_documents=[])
    application = application_create_draft(actor=owner, organisation=organisation,
                                           round_=round_b)
    fill(owner, application)
    application_submit(actor=owner, application=application)
    assert application.reference == "AISS-2026R9-00001"


def test_submission_freezes_a_snapshot(owner, ready_draft):
    application_submit(actor=owner, application=ready_draft)
    version = ApplicationVersion.objects.get(application=ready_draft)
    assert version.number == 1
    assert version.snapshot["reference"] == "AISS-2026R1-00001"
    assert version.snapshot["requested_subsidy"] == "700000.00"
    assert [line["amount"] for line in version.snapshot["budget_lines"]] == ["370000.00",
                                                                               "630000.00"]
    assert version.snapshot["documents"][0]["document_type"] == "business_plan"


def test_submission_sends_a_receipt_to_every_member(owner, organisation, ready_draft):
    viewer = member(organisation, Membership.Role.VIEWER)
    application_submit(actor=owner, application=ready_draft)
    receipts = Notification.objects.filter(event="application_submitted")
    assert {n.recipient for n in receipts} == {owner, viewer}
    assert receipts.first().context["reference"] == "AISS-2026R1-00001"


def test_each_receipt_names_the_company_in_its_reader_s_language(
        owner, organisation, ready_draft, django_capture_on_commit_callbacks):
    organisation.name_en, organisation.name_zh = "Tsing Yi Vision Limited", "青衣視覺有限公司"
    organisation.save()
    chinese = member(organisation, Membership.Role.VIEWER)
    chinese.language = "zh-hant"
    chinese.save()
    with django_capture_on_commit_callbacks(execute=True):
        application_submit(actor=owner, application=ready_draft)
    bodies = {m.to[0]: m.body for m in mail.outbox if "AISS-2026R1-00001" in m.subject}
    assert "Tsing Yi Vision Limited" in bodies[owner.email]
    assert "青衣視覺有限公司" not in bodies[owner.email]
    assert "青衣視覺有限公司" in bodies[chinese.email]
    assert "Tsing Yi Vision Limited" not in bodies[chinese.email]


def test_submission_notifies_programme_officers(owner, officer, ready_draft):
    application_submit(actor=owner, application=ready_draft)
    assert Notification.objects.get(event="application_received").recipient == officer


def test_a_refused_submission_keeps_the_draft_and_lists_every_problem(owner, draft):
    fill(owner, draft, documents=False)
    save(owner, draft, "project", {**PROJECT, "title": ""})
    with pytest.raises(ProblemsError) as refused:
        application_submit(actor=owner, application=draft)
    assert [f for f, _ in refused.value.problems] == ["title", "documents-business_plan"]
    draft.refresh_from_db()
    assert (draft.status, draft.reference, draft.title) == ("draft", None, "")
    assert not Notification.objects.exists()


def test_submission_after_the_round_closes_is_refused_and_the_draft_stays(owner, ready_draft):
    round_ = ready_draft.round
    round_.closes_at = timezone.now() - timedelta(seconds=1)
    round_.opens_at = round_.closes_at - timedelta(days=30)
    round_.save()
    with pytest.raises(ProblemsError, match="Your draft has been kept"):
        application_submit(actor=owner, application=ready_draft)
    ready_draft.refresh_from_db()
    assert ready_draft.status == "draft"
    assert ready_draft.budget_lines.count() == len(BUDGET)


def test_a_double_submit_gives_one_reference(owner, ready_draft):
    application_submit(actor=owner, application=ready_draft)
    again = Application.objects.get(pk=ready_draft.pk)
    application_submit(actor=owner, application=again)
    assert again.reference == "AISS-2026R1-00001"
    assert ApplicationVersion.objects.filter(application=ready_draft).count() == 1
    assert Notification.objects.filter(event="application_submitted").count() == 1


def test_a_viewer_cannot_submit(organisation, ready_draft):
    viewer = member(organisation, Membership.Role.VIEWER)
    with pytest.raises(PermissionDeniedError):
        application_submit(actor=viewer, application=ready_draft)


def test_someone_from_another_company_cannot_submit(ready_draft):
    stranger = MembershipFactory(user=UserFactory(roles=[Role.APPLICANT])).user
    with pytest.raises(PermissionDeniedError):
        application_submit(actor=stranger, application=ready_draft)


# --- Concurrency on PostgreSQL ----------------------------------------------------------------

@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_submissions_take_consecutive_references_without_gaps():
    round_ = FundingRoundFactory(code="2026R7", required_documents=[])
    drafts = []
    for _ in range(20):
        membership = MembershipFactory(user=UserFactory(roles=[Role.APPLICANT]))
        application = application_create_draft(actor=membership.user,
                                               organisation=membership.organisation,
                                               round_=round_)
        drafts.append((membership.user, fill(membership.user, application)))
    barrier = threading.Barrier(len(drafts))
    errors = []

    def submit(user, application):
        try:
            barrier.wait(timeout=30)
            application_submit(actor=user, application=application)
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=pair) for pair in drafts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    references = sorted(Application.objects.filter(round=round_)
                        .values_list("reference", flat=True))
    assert references == [f"AISS-2026R7-{n:05d}" for n in range(1, 21)]


def test_the_reference_statement_names_the_sequence_model_s_table():
    from applicants.models import ReferenceSequence
    from applicants.versions import NEXT_REFERENCE_NUMBER

    assert f'"{ReferenceSequence._meta.db_table}"' in NEXT_REFERENCE_NUMBER
