"""The application pages through the client: who may see them, drafting, documents,
submission, requests for information, offers, query counts and the Chinese pages."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from applicants.models import Application, Membership
from applicants.services.documents import document_upload
from applicants.services.drafts import application_create_draft
from applicants.services.submission import application_resubmit, application_submit
from applicants.workflow import application_transition
from subsidy.platform.roles import Role
from tests.builders.agreements import sign_from_page
from tests.builders.applicants import (
    BUDGET,
    MILESTONES,
    PROJECT,
    TEAM,
    member,
    pdf_bytes,
    save,
    stranger,
    upload,
)
from tests.builders.reviews import panel_declared
from tests.factories import MembershipFactory, UserFactory


def url(name, *args):
    return reverse(f"applicants:{name}", args=args)


def rows(prefix, data):
    post = {f"{prefix}-TOTAL_FORMS": str(len(data)), f"{prefix}-INITIAL_FORMS": "0"}
    for i, row in enumerate(data):
        post.update({f"{prefix}-{i}-{k}": v for k, v in row.items()})
    return post


# --- Access -----------------------------------------------------------------------------------

def test_pages_need_a_signed_in_user(client, draft):
    response = client.get(url("application", draft.pk))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("name", ["application", "section", "documents", "submit", "print",
                                  "withdraw"])
def test_another_companys_application_is_not_found(client_for, draft, name):
    args = (draft.pk, "project") if name == "section" else (draft.pk,)
    assert client_for(stranger()).get(url(name, *args)).status_code == 404


def test_another_companys_document_is_not_found(client_for, owner, draft):
    document = document_upload(actor=owner, application=draft, document_type="business_plan",
                               uploaded_file=upload("plan.pdf", pdf_bytes()))
    assert client_for(stranger()).get(url("document_download", document.pk)).status_code == 404


def test_a_viewer_may_read_but_not_edit_a_draft(client_for, organisation, draft):
    client = client_for(member(organisation, Membership.Role.VIEWER))
    assert client.get(url("application", draft.pk)).status_code == 200
    assert client.get(url("section", draft.pk, "project")).status_code == 403


def test_a_viewer_cannot_submit(client_for, organisation, ready_draft):
    client = client_for(member(organisation, Membership.Role.VIEWER))
    assert client.post(url("submit", ready_draft.pk)).status_code == 403
    ready_draft.refresh_from_db()
    assert ready_draft.status == "draft"


# --- Drafting ---------------------------------------------------------------------------------

def test_starting_a_draft(client_for, owner, organisation, round_):
    response = client_for(owner).post(url("application_new"),
                                      {"organisation": organisation.pk, "round": round_.pk,
                                       "category": "nlp"})
    application = Application.objects.get()
    assert response["Location"] == url("section", application.pk, "project")
    assert application.category == "nlp"


def test_saving_the_project_section(client_for, owner, draft):
    response = client_for(owner).post(url("section", draft.pk, "project"),
                                      {**PROJECT, "version": draft.version})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.title == PROJECT["title"]


def test_a_bad_amount_is_shown_against_its_field_and_the_input_kept(client_for, owner, draft):
    response = client_for(owner).post(url("section", draft.pk, "project"), {
        **PROJECT, "requested_subsidy": "-5", "version": draft.version})
    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_requested_subsidy_error"' in page
    assert PROJECT["summary"] in page


def test_a_stale_form_is_refused_with_a_clear_message_and_the_input_kept(client_for, owner,
                                                                         draft):
    opened = draft.version
    save(owner, draft, "project", PROJECT)
    response = client_for(owner).post(url("section", draft.pk, "project"),
                                      {**PROJECT, "title": "My edit", "version": opened})
    page = response.content.decode()
    assert "Someone else saved this draft" in page
    assert 'value="My edit"' in page
    assert Application.objects.get(pk=draft.pk).title == PROJECT["title"]


def test_budget_lines_are_saved_from_the_formset(client_for, owner, draft):
    client_for(owner).post(url("section", draft.pk, "budget"),
                           {**rows("budget", BUDGET), "version": draft.version})
    assert draft.budget_lines.count() == 2


def test_adding_a_row_keeps_what_was_typed_and_saves_nothing(client_for, owner, draft):
    response = client_for(owner).post(url("section", draft.pk, "budget"), {
        **rows("budget", BUDGET[:1]), "version": draft.version, "add_row": "1"})
    page = response.content.decode()
    assert 'name="budget-1-description"' in page
    assert 'value="Model training"' in page
    assert not draft.budget_lines.exists()


def test_a_bad_budget_row_is_shown_against_its_field(client_for, owner, draft):
    bad = [BUDGET[0], {**BUDGET[1], "quantity": "lots"}]
    response = client_for(owner).post(url("section", draft.pk, "budget"),
                                      {**rows("budget", bad), "version": draft.version})
    assert 'id="id_budget-1-quantity_error"' in response.content.decode()


def test_deleted_and_blank_rows_are_left_out(client_for, owner, draft):
    data = [{**MILESTONES[0], "DELETE": "on"}, MILESTONES[1],
            {"deliverable": "", "due_date": "", "share_percent": ""}]
    client_for(owner).post(url("section", draft.pk, "milestones"),
                           {**rows("milestones", data), "version": draft.version})
    assert list(draft.milestones.values_list("deliverable", flat=True)) == ["Model in pilot"]


def test_every_section_page_renders(client_for, owner, ready_draft):
    client = client_for(owner)
    for section in ["project", "budget", "milestones", "team", "responsible_ai",
                    "declarations"]:
        assert client.get(url("section", ready_draft.pk, section)).status_code == 200
    assert client.get(url("documents", ready_draft.pk)).status_code == 200


# --- Documents --------------------------------------------------------------------------------

def test_uploading_a_document(client_for, owner, draft):
    response = client_for(owner).post(url("documents", draft.pk), {
        "document_type": "business_plan", "file": upload("plan.pdf", pdf_bytes())})
    assert response.status_code == 302
    assert draft.documents.get().mime_type == "application/pdf"


def test_a_renamed_executable_is_refused_on_the_page(client_for, owner, draft):
    response = client_for(owner).post(url("documents", draft.pk), {
        "document_type": "business_plan", "file": upload("plan.pdf", b"MZ\x90\x00" * 40)})
    assert "recognised by their content" in response.content.decode()
    assert not draft.documents.exists()


def test_a_member_downloads_a_document(client_for, owner, draft):
    document = document_upload(actor=owner, application=draft, document_type="business_plan",
                               uploaded_file=upload("plan.pdf", pdf_bytes()))
    response = client_for(owner).get(url("document_download", document.pk))
    assert b"".join(response.streaming_content) == pdf_bytes()
    assert 'attachment; filename="plan.pdf"' == response["Content-Disposition"]


def test_a_download_is_named_by_the_detected_type_never_the_uploaders_extension(
        client_for, owner, draft):
    document = document_upload(actor=owner, application=draft, document_type="business_plan",
                               uploaded_file=upload("evil.html", pdf_bytes()))
    response = client_for(owner).get(url("document_download", document.pk))
    assert response["Content-Disposition"] == 'attachment; filename="evil.pdf"'
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_an_officer_may_download_a_document(client_for, owner, officer, draft):
    document = document_upload(actor=owner, application=draft, document_type="business_plan",
                               uploaded_file=upload("plan.pdf", pdf_bytes()))
    assert client_for(officer).get(url("document_download", document.pk)).status_code == 200


# --- Submission -------------------------------------------------------------------------------

def test_the_submit_page_lists_what_is_missing(client_for, owner, draft):
    page = client_for(owner).get(url("submit", draft.pk)).content.decode()
    assert "Give the project a title." in page
    assert url("section", draft.pk, "project") + "#id_title" in page


def test_submitting_shows_the_reference(client_for, owner, ready_draft):
    response = client_for(owner).post(url("submit", ready_draft.pk), follow=True)
    assert "AISS-2026R1-00001" in response.content.decode()


def test_a_double_clicked_submit_gives_one_reference(client_for, owner, ready_draft):
    client = client_for(owner)
    client.post(url("submit", ready_draft.pk))
    client.post(url("submit", ready_draft.pk))
    assert Application.objects.get().reference == "AISS-2026R1-00001"
    assert ready_draft.versions.count() == 1


def test_submitting_after_the_close_keeps_the_draft(client_for, owner, ready_draft):
    round_ = ready_draft.round
    round_.opens_at, round_.closes_at = (timezone.now() - timedelta(days=10),
                                         timezone.now() - timedelta(minutes=1))
    round_.save()
    response = client_for(owner).post(url("submit", ready_draft.pk))
    assert "no longer accepts submissions" in response.content.decode()
    ready_draft.refresh_from_db()
    assert ready_draft.status == "draft"


def test_the_applicant_sees_public_status_names(client_for, owner, officer, ready_draft):
    application_submit(actor=owner, application=ready_draft)
    application_transition(actor=officer, application=ready_draft,
                           transition_name="start_screening")
    page = client_for(owner).get(url("application", ready_draft.pk)).content.decode()
    assert "Under assessment" in page
    assert "Screening" not in page


def test_withdrawing_needs_confirmation(client_for, owner, ready_draft):
    client = client_for(owner)
    client.post(url("withdraw", ready_draft.pk), {"reason": "Changed plans"})
    assert Application.objects.get().status == "draft"
    client.post(url("withdraw", ready_draft.pk), {"reason": "Changed plans", "confirm": "on"})
    assert Application.objects.get().status == "withdrawn"


def test_the_printable_summary_shows_the_reference(client_for, owner, ready_draft):
    application_submit(actor=owner, application=ready_draft)
    page = client_for(owner).get(url("print", ready_draft.pk)).content.decode()
    assert "AISS-2026R1-00001" in page
    assert "Cantonese speech recognition for clinics" in page


def test_the_countdown_shows_in_the_last_72_hours(client_for, owner, draft):
    round_ = draft.round
    round_.closes_at = timezone.now() + timedelta(hours=10, minutes=30)
    round_.save()
    page = client_for(owner).get(url("application", draft.pk)).content.decode()
    assert "10 hours left" in page


def test_no_countdown_earlier(client_for, owner, draft):
    page = client_for(owner).get(url("application", draft.pk)).content.decode()
    assert "hours left" not in page


# --- Query counts ------------------------------------------------------------------------------

def _grow(owner, application, n):
    save(owner, application, "budget", [BUDGET[1]] * n)
    save(owner, application, "milestones", [MILESTONES[0]] * n)
    save(owner, application, "team", TEAM * n)
    for _ in range(n):
        document_upload(actor=owner, application=application, document_type="other",
                        uploaded_file=upload("x.pdf", pdf_bytes()))


def _get(client, path, queries, expected):
    with queries(expected):
        assert client.get(path).status_code == 200


# The exact count, the same for one row of each part as for thirteen, so a creep shows. The
# application page asks once more whether the reader may invite colleagues to co-edit.
@pytest.mark.parametrize(("name", "expected"), [
    ("application", 15), ("print", 11), ("submit", 14), ("documents", 14), ("budget", 14),
    ("milestones", 14), ("team", 14)])
def test_application_pages_run_a_fixed_number_of_queries(client_for, owner, draft, name,
                                                         expected, django_assert_num_queries):
    client = client_for(owner)
    path = (url(name, draft.pk) if name in {"application", "print", "submit", "documents"}
            else url("section", draft.pk, name))
    _grow(owner, draft, 1)
    _get(client, path, django_assert_num_queries, expected)
    _grow(owner, draft, 12)
    _get(client, path, django_assert_num_queries, expected)


def test_the_dashboard_runs_a_fixed_number_of_queries(client_for, owner, round_,
                                                      django_assert_num_queries):
    client = client_for(owner)

    def add_company():
        membership = MembershipFactory(user=owner, role="owner")
        application_create_draft(actor=owner, organisation=membership.organisation,
                                 round_=round_)

    add_company()
    owner.__dict__.pop("_membership_role_cache", None)
    _get(client, url("dashboard"), django_assert_num_queries, 8)
    for _ in range(8):
        add_company()
    _get(client, url("dashboard"), django_assert_num_queries, 8)


# --- Request for information ------------------------------------------------------------------

@pytest.fixture
def asked(owner, officer, ready_draft):
    application_submit(actor=owner, application=ready_draft)
    application_transition(actor=officer, application=ready_draft,
                           transition_name="start_screening")
    application_transition(actor=officer, application=ready_draft,
                           transition_name="request_information",
                           question="Please add the audited accounts.", sections=["documents"])
    return ready_draft


def test_the_question_and_the_reopened_sections_are_shown(client_for, owner, asked):
    page = client_for(owner).get(url("application", asked.pk)).content.decode()
    assert "Please add the audited accounts." in page
    assert url("documents", asked.pk) in page
    assert url("section", asked.pk, "project") not in page


def test_a_section_not_reopened_stays_closed(client_for, owner, asked):
    response = client_for(owner).get(url("section", asked.pk, "project"))
    assert response["Location"] == url("application", asked.pk)


def test_answering_makes_a_new_version(client_for, owner, asked):
    client = client_for(owner)
    client.post(url("documents", asked.pk), {"document_type": "financial_statements",
                                             "file": upload("accounts.pdf", pdf_bytes())})
    client.post(url("resubmit", asked.pk))
    asked.refresh_from_db()
    assert asked.status == "submitted"
    assert asked.versions.count() == 2


# --- Admin ------------------------------------------------------------------------------------

def test_the_admin_lists_and_shows_applications_read_only(client_for, owner, ready_draft):
    admin = UserFactory(roles=[Role.ADMINISTRATOR], is_staff=True, is_superuser=True)
    client = client_for(admin)
    assert client.get(reverse("admin:applicants_application_changelist")).status_code == 200
    response = client.get(reverse("admin:applicants_application_change",
                                  args=[ready_draft.pk]))
    assert response.status_code == 200
    assert "Cantonese speech recognition" in response.content.decode()


def test_a_submitted_application_has_no_edit_pages(client_for, owner, ready_draft):
    application_submit(actor=owner, application=ready_draft)
    response = client_for(owner).get(url("section", ready_draft.pk, "project"))
    assert response["Location"] == url("application", ready_draft.pk)


# --- Offers -----------------------------------------------------------------------------------

@pytest.fixture
def offered(owner, officer, panel_member, ready_draft):
    application_submit(actor=owner, application=ready_draft)
    for name, actor in [("start_screening", officer), ("pass_to_review", officer),
                        ("complete_review", officer), ("approve", panel_member),
                        ("make_offer", officer)]:
        if name == "approve":
            panel_declared(panel_member, ready_draft)
        application_transition(actor=actor, application=ready_draft, transition_name=name,
                               **({"amount": "500000.00"} if name == "approve" else {}))
    return ready_draft


def test_the_owner_accepts_the_offer(client_for, owner, offered):
    client = client_for(owner)
    assert url("offer_response", offered.pk) in client.get(
        url("application", offered.pk)).content.decode()
    response = client.post(url("offer_response", offered.pk), {"decision": "accept"})
    # Accepting is signing: the old button leads to the signing page.
    assert response.url == reverse("agreements:sign", args=[offered.grant.pk])
    assert Application.objects.get().status == "offered"
    sign_from_page(client, offered)
    assert Application.objects.get().status == "accepted"


def test_declining_needs_confirmation(client_for, owner, offered):
    client = client_for(owner)
    client.post(url("offer_response", offered.pk), {"decision": "decline"})
    assert Application.objects.get().status == "offered"
    client.post(url("offer_response", offered.pk), {"decision": "decline", "confirm": "on"})
    assert Application.objects.get().status == "declined"


def test_an_editor_is_not_offered_the_offer_buttons(client_for, organisation, offered):
    client = client_for(member(organisation, Membership.Role.EDITOR))
    page = client.get(url("application", offered.pk)).content.decode()
    assert url("offer_response", offered.pk) not in page
    client.post(url("offer_response", offered.pk), {"decision": "accept"})
    assert Application.objects.get().status == "offered"


def test_a_tampered_row_count_is_refused_without_an_error_page(client_for, owner, draft):
    response = client_for(owner).post(url("section", draft.pk, "budget"), {
        "budget-TOTAL_FORMS": "many", "budget-INITIAL_FORMS": "0", "version": draft.version,
        "add_row": "1"})
    assert response.status_code == 200
    assert not draft.budget_lines.exists()


def test_the_application_page_runs_a_fixed_number_of_queries_whatever_the_versions(
        client_for, owner, officer, ready_draft, django_assert_num_queries):
    def another_round_of_questions():
        application_transition(actor=officer, application=ready_draft,
                               transition_name="start_screening")
        application_transition(actor=officer, application=ready_draft,
                               transition_name="request_information", question="More?",
                               sections=["team"])
        application_resubmit(actor=owner, application=ready_draft)

    client = client_for(owner)
    application_submit(actor=owner, application=ready_draft)
    another_round_of_questions()
    _get(client, url("application", ready_draft.pk), django_assert_num_queries, 13)
    for _ in range(4):
        another_round_of_questions()
    assert ready_draft.versions.count() == 6
    _get(client, url("application", ready_draft.pk), django_assert_num_queries, 13)


# --- Traditional Chinese ----------------------------------------------------------------------

ENGLISH_LABELS = ["My applications", "Save and continue", "Still needed before you can submit",
                  "Check and submit", "Project title", "Sections of the application",
                  "Total eligible cost", "Upload a document", "Printable summary",
                  "things to fix before you can submit", "Draft started", "Reference"]


@pytest.mark.parametrize("name", ["dashboard", "application", "project", "budget",
                                  "documents", "submit", "print"])
def test_pages_in_chinese_have_no_english_labels(client_for, owner, draft, name):
    owner.language = "zh-hant"
    owner.save()
    client = client_for(owner)
    client.cookies["django_language"] = "zh-hant"
    path = {"dashboard": url("dashboard"),
            "project": url("section", draft.pk, "project"),
            "budget": url("section", draft.pk, "budget")}.get(name) or url(name, draft.pk)
    page = client.get(path).content.decode()
    assert 'lang="zh-Hant-HK"' in page
    assert [label for label in ENGLISH_LABELS if label in page] == []
