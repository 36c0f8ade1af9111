from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from applicants.models import Application, ApplicationStatus, Organisation, status_gate_open
from applicants.services.drafts import application_update_section
from applicants.services.submission import application_resubmit
from applicants.workflow import application_transition
from reviews.services.assignments import assignment_create
from subsidy.devdata.demo import DEMO_PASSWORD, demo_seed
from subsidy.platform.models import User
from subsidy.platform.roles import Role
from subsidy.scheme.models import Grant
from tests.builders.agreements import sign_from_page
from tests.builders.applicants import PROJECT
from tests.builders.reviews import pooled_reviewer, submit_review
from tests.factories import OrganisationFactory, UserFactory

from .decision_helpers import REQUESTED, make_application, make_round, use_private_storage
from .test_screening import confirm_all


@pytest.fixture(autouse=True)
def _storage(settings, tmp_path):
    use_private_storage(settings, tmp_path)


@pytest.fixture
def panel(db):
    return UserFactory(roles=[Role.PANEL_MEMBER])


@pytest.fixture
def round_(db):
    return make_round(code="2026R1")


@pytest.fixture
def login(client):
    def as_user(user):
        client.force_login(user)
        return client

    return as_user


def url(name, *args):
    return reverse(name, args=args)


def _status(application) -> str:
    return Application.objects.get(pk=application.pk).status


def quick_applications(round_, count, status=ApplicationStatus.SUBMITTED):
    """Rows for list pages, made directly: the steps before are covered elsewhere."""
    with status_gate_open():
        for n in range(count):
            Application.objects.create(
                round=round_, organisation=OrganisationFactory(), status=status,
                reference=f"AISS-{round_.code}-{n + 1:05d}", title=f"Project {n}",
                category="nlp", requested_subsidy=Decimal("100000"),
                total_eligible_cost=Decimal("200000"), submitted_at=timezone.now())


# --- Queues -------------------------------------------------------------------------------------

@pytest.mark.parametrize("role", [Role.PROGRAMME_OFFICER, Role.PANEL_MEMBER,
                                  Role.ADMINISTRATOR])
def test_staff_who_assess_see_the_queues(login, round_, role):
    application = make_application(round_)
    page = login(UserFactory(roles=[role])).get(url("staff:queue")).content.decode()
    assert application.reference in page


@pytest.mark.parametrize("role", [Role.REVIEWER, Role.APPLICANT, Role.FINANCE_OFFICER])
def test_others_may_not_see_the_queues(login, db, role):
    assert login(UserFactory(roles=[role])).get(url("staff:queue")).status_code == 403


def test_drafts_are_not_in_the_queues(login, officer, round_):
    make_application(round_)
    with status_gate_open():
        Application.objects.create(round=round_, organisation=OrganisationFactory(),
                                   title="Secret draft")
    page = login(officer).get(url("staff:queue")).content.decode()
    assert "Secret draft" not in page


def test_the_queue_rows_name_status_category_and_sector_in_the_users_language(
        login, officer, round_):
    quick_applications(round_, 2)
    Application.objects.update(category="nlp")
    Organisation.objects.update(sector="nlp")
    client = login(officer)
    client.post(reverse("set_language"), {"language": "zh-hant", "next": "/"})
    rows = client.get(url("staff:queue")).content.decode().split("<tbody>")[1]
    assert rows.count(">已提交</span>") == 2
    assert rows.count(">自然語言處理</span>") == 4  # each row's category and sector


def test_the_queue_filters_by_status(login, officer, round_):
    submitted = make_application(round_, officer=officer)
    screening = make_application(round_, state="screening", officer=officer)
    page = login(officer).get(url("staff:queue"), {"status": "screening"}).content.decode()
    assert screening.reference in page
    assert submitted.reference not in page


def test_the_queue_searches_company_names(login, officer, round_):
    wanted = make_application(round_, name_en="Harbour Vision AI Limited")
    other = make_application(round_)
    page = login(officer).get(url("staff:queue"), {"q": "harbour vision"}).content.decode()
    assert wanted.reference in page
    assert other.reference not in page


def test_the_queue_filters_incubatees(login, officer, round_):
    incubatee = make_application(round_, is_cyberport_incubatee=True)
    other = make_application(round_, is_cyberport_incubatee=False)
    page = login(officer).get(url("staff:queue"), {"incubatee": "yes"}).content.decode()
    assert incubatee.reference in page
    assert other.reference not in page


def test_the_queue_counts_each_state(login, officer, round_):
    quick_applications(round_, 3)
    response = login(officer).get(url("staff:queue"))
    tab = next(t for t in response.context["tabs"] if t["status"] == "submitted")
    assert tab["count"] == 3


def test_the_queue_counts_one_round_when_a_round_is_chosen(login, officer, round_):
    quick_applications(round_, 2)
    quick_applications(make_round(code="2026R8"), 3)
    response = login(officer).get(url("staff:queue"), {"round": round_.code,
                                                       "status": "submitted"})
    tab = next(t for t in response.context["tabs"] if t["status"] == "submitted")
    assert tab["count"] == response.context["page"].paginator.count == 2


def test_the_queue_counts_only_what_a_search_finds(login, officer, round_):
    quick_applications(round_, 3)
    response = login(officer).get(url("staff:queue"), {"q": "Project 1"})
    tab = next(t for t in response.context["tabs"] if t["status"] == "submitted")
    assert tab["count"] == response.context["page"].paginator.count == 1


@pytest.mark.parametrize("many", [5, 50])
def test_the_queue_runs_a_fixed_number_of_queries(login, officer, round_, many,
                                                  django_assert_num_queries):
    quick_applications(round_, many)
    client = login(officer)
    client.get(url("staff:queue"))
    # The tabs' counts and the page's length come from the counts kept per round and state.
    with django_assert_num_queries(7):
        response = client.get(url("staff:queue"), {"round": round_.code})
    assert response.status_code == 200


def test_the_queue_query_count_does_not_grow_with_applications(login, officer, round_,
                                                               django_assert_num_queries):
    client = login(officer)
    quick_applications(round_, 5)
    with django_assert_num_queries(7):
        client.get(url("staff:queue"))
    other_round = make_round(code="2026R9")
    quick_applications(other_round, 50)
    with django_assert_num_queries(7):
        client.get(url("staff:queue"))


# --- One application ----------------------------------------------------------------------------

def test_staff_see_internal_state_names_and_the_public_one(login, officer, round_):
    application = make_application(round_, state="screening", officer=officer)
    page = login(officer).get(url("staff:application", application.pk)).content.decode()
    assert ">Screening<" in page
    assert "The applicant sees: Under assessment" in page


def test_the_detail_page_links_the_documents_for_staff_to_download(login, officer, round_):
    application = make_application(round_)
    document = application.documents.get()
    client = login(officer)
    download = reverse("applicants:document_download", args=[document.pk])
    assert download in client.get(url("staff:application", application.pk)).content.decode()
    assert client.get(download).status_code == 200


def test_the_detail_page_shows_the_history_and_audit_trail(login, officer, round_):
    application = make_application(round_, state="screening", officer=officer)
    page = login(officer).get(url("staff:application", application.pk)).content.decode()
    assert "Submitted → Screening" in page
    audit = page.split("Audit trail", 2)[2]
    assert "application.start_screening" not in audit
    assert "application.save_section" not in audit
    assert "{&#x27;" not in audit and "{'" not in audit
    assert "Section saved" in audit
    assert "<strong>Status</strong>: Submitted → Screening" in audit


def test_the_detail_page_names_each_status_and_recommendation_in_the_users_language(
        login, officer, round_):
    application = make_application(round_, state="in_review", officer=officer)
    Organisation.objects.filter(pk=application.organisation_id).update(sector="nlp")
    submit_review(assignment_create(actor=officer, application=application,
                                    reviewer=pooled_reviewer(round_, officer)), 4,
                  recommendation="fund_with_conditions")
    client = login(officer)
    client.post(reverse("set_language"), {"language": "zh-hant", "next": "/"})
    page = client.get(url("staff:application", application.pk)).content.decode()
    assert '<span class="badge">評審中</span>' in page  # the application's status
    assert "<dd>自然語言處理</dd>" in page  # the company's sector
    assert "資格審查中 → 評審中" in page  # a step of the history
    assert ">已提交評審</span>" in page  # the reviewer's assignment
    assert page.count("有條件資助") == 2  # the review's summary and its recommendation


def test_a_draft_has_no_staff_page(login, officer, round_):
    with status_gate_open():
        draft = Application.objects.create(round=round_, organisation=OrganisationFactory())
    assert login(officer).get(url("staff:application", draft.pk)).status_code == 404


def test_a_reviewer_may_not_open_the_staff_page(login, round_):
    application = make_application(round_)
    reviewer = UserFactory(roles=[Role.REVIEWER])
    assert login(reviewer).get(url("staff:application", application.pk)).status_code == 403


def test_the_officer_is_offered_screening_not_a_decision(login, officer, round_):
    application = make_application(round_, state="screening", officer=officer)
    page = login(officer).get(url("staff:application", application.pk)).content.decode()
    assert url("staff:screening", application.pk) in page
    assert url("staff:decision", application.pk) not in page


def test_the_panel_member_is_offered_the_decision_not_screening(login, panel, round_):
    application = make_application(round_, state="reviewed", panel=panel)
    page = login(panel).get(url("staff:application", application.pk)).content.decode()
    assert url("staff:decision", application.pk) in page
    assert url("staff:screening", application.pk) not in page


def test_versions_are_compared(login, officer, round_):
    application = make_application(round_, state="screening", officer=officer)
    application_transition(actor=officer, application=application,
                           transition_name="request_information",
                           question="Send the accounts.", sections=["project"])
    application.refresh_from_db()
    application_update_section(actor=application.owner, application=application,
                               section="project",
                               data={**PROJECT, "title": "A better title"},
                               expected_version=application.version)
    application_resubmit(actor=application.owner, application=application)
    page = login(officer).get(url("staff:versions", application.pk)).content.decode()
    assert "A better title" in page


def test_a_step_button_takes_the_step(login, officer, round_):
    application = make_application(round_, state="in_review", officer=officer)
    login(officer).post(url("staff:step", application.pk, "complete_review"),
                        {"confirm_missing": "1"})
    assert _status(application) == "reviewed"


def test_completing_the_review_with_reviews_missing_asks_first(login, officer, round_):
    application = make_application(round_, state="in_review", officer=officer)
    response = login(officer).post(url("staff:step", application.pk, "complete_review"))
    page = response.content.decode()
    assert response.status_code == 200
    assert f"has 0 of {round_.reviewers_per_application} reviews" in page
    assert 'name="confirm_missing"' in page
    assert _status(application) == "in_review"


def test_completing_the_review_with_every_review_in_asks_nothing(login, officer, round_):
    application = make_application(round_, state="in_review", officer=officer)
    for _ in range(round_.reviewers_per_application):
        reviewer = pooled_reviewer(round_, officer)
        submit_review(assignment_create(actor=officer, application=application,
                                        reviewer=reviewer), 4)
    response = login(officer).post(url("staff:step", application.pk, "complete_review"))
    assert response.status_code == 302
    assert _status(application) == "reviewed"


def test_a_step_not_allowed_now_changes_nothing(login, officer, round_):
    application = make_application(round_, officer=officer)
    response = login(officer).post(url("staff:step", application.pk, "complete_review"),
                                   follow=True)
    assert "not possible while the application is “Submitted”" in response.content.decode()
    assert _status(application) == "submitted"


def test_a_step_without_a_button_is_not_found(login, panel, round_):
    application = make_application(round_, state="reviewed")
    assert login(panel).post(url("staff:step", application.pk, "approve")).status_code == 404


# --- Screening page -----------------------------------------------------------------------------

def _screening_form(outcome="pass_to_review", **extra):
    data = {f"rule-{code}": "confirm" for code in confirm_all()}
    data["outcome"] = outcome
    data.update(extra)
    return data


def test_the_officer_starts_screening_from_the_page(login, officer, round_):
    application = make_application(round_, officer=officer)
    client = login(officer)
    assert url("staff:screening_start", application.pk) in client.get(
        url("staff:screening", application.pk)).content.decode()
    client.post(url("staff:screening_start", application.pk))
    assert _status(application) == "screening"


def test_the_officer_passes_an_application_to_review(login, officer, round_):
    application = make_application(round_, state="screening", officer=officer)
    response = login(officer).post(url("staff:screening", application.pk), _screening_form())
    assert response.status_code == 302
    assert _status(application) == "in_review"


def test_an_override_without_reason_is_shown_on_the_page(login, officer, round_):
    application = make_application(round_, state="screening", officer=officer)
    response = login(officer).post(url("staff:screening", application.pk),
                                   _screening_form(**{"rule-budget_total": "override"}))
    assert response.status_code == 200
    assert "Give the reason for overriding" in response.content.decode()
    assert _status(application) == "screening"


def test_a_panel_member_may_not_screen(login, panel, round_):
    application = make_application(round_, state="screening")
    client = login(panel)
    assert client.get(url("staff:screening", application.pk)).status_code == 403
    assert client.post(url("staff:screening", application.pk),
                       _screening_form()).status_code == 403
    assert _status(application) == "screening"


# --- Decision pages -----------------------------------------------------------------------------

def test_the_panel_member_approves_from_the_decision_page(login, panel, round_):
    application = make_application(round_, state="reviewed", panel=panel)
    response = login(panel).post(url("staff:decision", application.pk), {
        "decision": "approve", "amount": "650000.00", "conditions": "Monthly reports.",
        "confirm": "1"})
    assert response.status_code == 302
    grant = Grant.objects.get(application=application)
    assert (grant.approved_amount, grant.conditions) == (Decimal("650000.00"),
                                                         "Monthly reports.")
    assert _status(application) == "offered"


def test_a_decision_waits_on_its_check_page_until_confirmed(login, panel, round_):
    application = make_application(round_, state="reviewed", panel=panel)
    client = login(panel)
    decision = {"decision": "reject", "reason": "The market case is weak."}
    check = client.post(url("staff:decision", application.pk), decision).content.decode()
    assert "Check the decision" in check and "The market case is weak." in check
    assert 'name="confirm"' in check and _status(application) == "reviewed"
    change = client.post(url("staff:decision", application.pk), {**decision, "change": "1"})
    assert "The market case is weak." in change.content.decode()
    assert _status(application) == "reviewed"
    response = client.post(url("staff:decision", application.pk), {**decision, "confirm": "1"})
    assert response.status_code == 302 and _status(application) == "rejected"


def test_an_approval_above_the_request_is_refused_on_the_page(login, panel, round_):
    application = make_application(round_, state="reviewed", panel=panel)
    response = login(panel).post(url("staff:decision", application.pk), {
        "decision": "approve", "amount": "800000.00"})
    assert response.status_code == 200
    assert "more than the HK$700,000.00 requested" in response.content.decode()
    assert not Grant.objects.exists()


def test_a_rejection_without_reason_is_refused_on_the_page(login, panel, round_):
    application = make_application(round_, state="reviewed", panel=panel)
    response = login(panel).post(url("staff:decision", application.pk), {"decision": "reject"})
    assert "Give the reason for the rejection" in response.content.decode()
    assert _status(application) == "reviewed"


def test_an_officer_may_not_decide(login, officer, round_):
    application = make_application(round_, state="reviewed", officer=officer)
    client = login(officer)
    assert client.get(url("staff:decision", application.pk)).status_code == 403
    assert client.post(url("staff:decision", application.pk), {
        "decision": "approve", "amount": "1000"}).status_code == 403
    assert _status(application) == "reviewed"


def test_bulk_decisions_report_each_application(login, panel):
    round_ = make_round(code="2026R7", envelope=Decimal("1000000.00"),
                        max_subsidy_per_project=Decimal("1000000.00"))
    first = make_application(round_, state="reviewed", panel=panel)
    second = make_application(round_, state="reviewed", panel=panel)
    response = login(panel).post(url("staff:bulk_decisions"), {
        f"decision-{first.pk}": "approve", f"amount-{first.pk}": "700000.00",
        f"decision-{second.pk}": "approve", f"amount-{second.pk}": "700000.00",
        "confirm": "1"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Approved: an offer of HK$700,000.00 has been sent." in page
    assert "Envelope exhausted" in page
    assert [_status(first), _status(second)] == ["offered", "reviewed"]


def test_an_officer_may_not_use_bulk_decisions(login, officer):
    assert login(officer).get(url("staff:bulk_decisions")).status_code == 403


def test_the_applicant_accepts_the_offer_made_from_the_decision_page(login, panel, round_):
    application = make_application(round_, state="reviewed", panel=panel)
    login(panel).post(url("staff:decision", application.pk),
                      {"decision": "approve", "amount": str(REQUESTED), "confirm": "1"})
    client = login(application.owner)
    page = client.get(reverse("applicants:application", args=[application.pk])).content.decode()
    assert "Offer made" in page
    sign_from_page(client, application)
    assert Grant.objects.get().status == "accepted"


# --- Demo -----------------------------------------------------------------------------------------

def test_the_demo_has_an_application_at_each_step_of_the_assessment(db):
    demo_seed()
    demo_seed()
    states = sorted(Application.objects.values_list("status", flat=True))
    # The accepted one is the finance demo's grant waiting to start; the offered one waits
    # for its owner to sign the agreement; of the two active ones, one reports its progress
    # and the other is paid and ready to close.
    assert states == ["accepted", "active", "active", "in_review", "offered", "reviewed",
                      "submitted"]
    assert all(a.documents.count() == 3 for a in Application.objects.all())


def test_the_demo_panel_takes_the_reviewed_application_to_an_accepted_offer(login, db):
    demo_seed()
    application = Application.objects.get(status="reviewed")
    panel = login(User.objects.get(email="panel@demo.aiss.hk"))
    panel.post(url("staff:panel_declare", application.pk), {"has_conflict": "no"})
    panel.post(url("staff:decision", application.pk),
               {"decision": "approve", "amount": "2000000.00", "confirm": "1"})
    owner = application.organisation.memberships.get(role="owner").user
    sign_from_page(login(owner), application, password=DEMO_PASSWORD)
    assert _status(application) == "accepted"


def test_the_demo_officer_screens_the_submitted_application(login, db):
    demo_seed()
    application = Application.objects.get(status="submitted")
    client = login(User.objects.get(email="officer@demo.aiss.hk"))
    client.post(url("staff:screening_start", application.pk))
    client.post(url("staff:screening", application.pk), _screening_form())
    assert _status(application) == "in_review"


def test_the_applicant_sees_the_amount_conditions_and_expiry_of_the_offer(login, panel, round_):
    application = make_application(round_, state="reviewed", panel=panel)
    login(panel).post(url("staff:decision", application.pk), {
        "decision": "approve", "amount": "650000.00", "conditions": "Monthly reports.",
        "confirm": "1"})
    page = login(application.owner).get(
        reverse("applicants:application", args=[application.pk])).content.decode()
    expires = timezone.localtime(Grant.objects.get().offer_expires_at).strftime("%Y-%m-%d %H:%M")
    assert "HK$650,000.00" in page
    assert "Monthly reports." in page
    assert expires in page


def test_the_officer_is_offered_reviewer_assignment_for_an_application_in_review(
        login, officer, round_):
    application = make_application(round_, state="in_review", officer=officer)
    page = login(officer).get(url("staff:application", application.pk)).content.decode()
    assert reverse("reviews:application_assignments", args=[application.pk]) in page
