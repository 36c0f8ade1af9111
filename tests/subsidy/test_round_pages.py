from decimal import Decimal

import pytest
from django.urls import reverse

from subsidy.platform.models import AuditEvent
from subsidy.platform.roles import Role
from subsidy.scheme.models import FundingRound
from tests.factories import FundingRoundFactory, SchemeFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer_client(client):
    client.force_login(UserFactory(roles=[Role.PROGRAMME_OFFICER]))
    return client


def form_data(scheme, **overrides):
    data = {
        "scheme": scheme.pk, "code": "2027R1", "title_en": "Round one", "title_zh": "第一輪",
        "opens_at": "2027-01-01T09:00", "closes_at": "2027-02-01T18:00",
        "envelope": "100000000.00", "max_subsidy_per_project": "5000000",
        "max_ratio_percent": "70", "gpu_hour_rate": "18.50",
        "reviewers_per_application": "3", "score_scale_max": "5",
        "eligible_categories": ["nlp", "robotics"], "required_documents": ["business_plan"],
        "rubric-TOTAL_FORMS": "2", "rubric-INITIAL_FORMS": "0",
        "rubric-0-code": "merit", "rubric-0-name_en": "Merit", "rubric-0-weight": "60",
        "rubric-1-code": "impact", "rubric-1-name_en": "Impact", "rubric-1-weight": "40",
    }
    data.update(overrides)
    return data


def test_officer_creates_a_round_from_the_staff_page(officer_client):
    scheme = SchemeFactory()
    response = officer_client.post(reverse("rounds:new"), form_data(scheme))
    assert response.status_code == 302
    round_ = FundingRound.objects.get(code="2027R1")
    assert round_.rubric == [
        {"code": "merit", "name_en": "Merit", "name_zh": "", "weight": 60, "guidance": ""},
        {"code": "impact", "name_en": "Impact", "name_zh": "", "weight": 40, "guidance": ""},
    ]
    assert round_.opens_at.isoformat() == "2027-01-01T01:00:00+00:00"  # 09:00 HKT
    assert AuditEvent.objects.filter(action="round.create").exists()


def test_envelope_past_scheme_budget_is_shown_against_the_field_and_input_kept(officer_client):
    scheme = SchemeFactory(budget=Decimal("100000000"))
    FundingRoundFactory(scheme=scheme, envelope=Decimal("90000000"),
                        max_subsidy_per_project=Decimal("1000000"))
    response = officer_client.post(reverse("rounds:new"), form_data(scheme,
                                                                   envelope="20000000"))
    assert response.status_code == 200
    assert "past its budget" in response.context["form"].errors["envelope"][0]
    assert 'value="Round one"' in response.content.decode()
    assert not FundingRound.objects.filter(code="2027R1").exists()


def test_rubric_not_summing_to_100_is_refused(officer_client):
    scheme = SchemeFactory()
    response = officer_client.post(reverse("rounds:new"),
                                   form_data(scheme, **{"rubric-1-weight": "30"}))
    assert response.status_code == 200
    assert "sum to 100" in response.content.decode()
    assert not FundingRound.objects.exists()


def test_officer_edits_closes_and_reopens_a_round(officer_client):
    round_ = FundingRoundFactory(code="R9")
    response = officer_client.post(reverse("rounds:set_status", args=["R9", "close"]))
    assert response.status_code == 302
    round_.refresh_from_db()
    assert round_.status == FundingRound.Status.CLOSED
    officer_client.post(reverse("rounds:set_status", args=["R9", "open"]))
    round_.refresh_from_db()
    assert round_.status == FundingRound.Status.OPEN
    assert list(AuditEvent.objects.filter(object_id=str(round_.pk))
                .order_by("id").values_list("action", flat=True)) == ["round.close", "round.open"]


def test_round_list_shows_rounds_in_a_fixed_number_of_queries(officer_client,
                                                              django_assert_num_queries):
    for _ in range(5):
        FundingRoundFactory(envelope=Decimal("1000000"), max_subsidy_per_project=Decimal("10"))
    with django_assert_num_queries(5):
        response = officer_client.get(reverse("rounds:list"))
    assert response.status_code == 200
    for _ in range(20):
        FundingRoundFactory(envelope=Decimal("1000000"), max_subsidy_per_project=Decimal("10"))
    with django_assert_num_queries(5):
        officer_client.get(reverse("rounds:list"))


@pytest.mark.parametrize("role", [Role.APPLICANT, Role.REVIEWER, Role.FINANCE_OFFICER])
def test_other_roles_cannot_manage_rounds(client, role):
    client.force_login(UserFactory(roles=[role]))
    assert client.get(reverse("rounds:list")).status_code == 403
    assert client.post(reverse("rounds:new"), {}).status_code == 403


def test_officer_dashboard_links_to_the_round_pages(officer_client):
    page = officer_client.get(reverse("core:dashboard_officer")).content.decode()
    assert f'href="{reverse("rounds:list")}"' in page
