"""Finance reports through the API: the registers as JSON pages or CSV, the summary, and who
may read them."""

import csv
import io
from datetime import date

import pytest

from subsidy.api.models import ApiKey
from subsidy.finance.services.tranches import grant_activate
from subsidy.platform.roles import Role
from tests.builders.finance import batched_payment, make_accepted_grant, mark_paid
from tests.factories import FundingRoundFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff():
    return {role: UserFactory(roles=[role]) for role in (
        Role.PROGRAMME_OFFICER, Role.FINANCE_OFFICER, Role.FINANCE_APPROVER)}


def pay(grant, staff, *, value_date=date(2027, 1, 5)):
    grant_activate(actor=staff[Role.PROGRAMME_OFFICER], grant=grant)
    payment, _batch = batched_payment(grant, staff[Role.PROGRAMME_OFFICER],
                                      staff[Role.FINANCE_OFFICER],
                                      staff[Role.FINANCE_APPROVER])
    mark_paid(payment,
              bank_reference=f"HSBC-{payment.pk}", value_date=value_date)
    return payment


@pytest.fixture
def round_():
    return FundingRoundFactory(code="2026R1")


@pytest.fixture
def finance(staff, issue_key, client_for):
    return client_for(issue_key(user=staff[Role.FINANCE_OFFICER], scopes=["reports:read"]))


def test_disbursements_list_each_payment(finance, staff, round_):
    payment = pay(make_accepted_grant(round_=round_), staff)

    response = finance.get("/api/v1/reports/disbursements/")

    assert response.status_code == 200
    [row] = response.json()["results"]
    assert row["id"] == payment.pk and row["status"] == "paid"
    assert row["amount"] == "400000.00" and row["value_date"] == "2027-01-05"
    assert row["round_code"] == "2026R1"


def test_disbursements_filter_by_period(finance, staff, round_):
    pay(make_accepted_grant(round_=round_), staff, value_date=date(2027, 1, 5))
    pay(make_accepted_grant(round_=round_), staff, value_date=date(2027, 3, 5))

    response = finance.get("/api/v1/reports/disbursements/?date_from=2027-02-01")

    assert [r["value_date"] for r in response.json()["results"]] == ["2027-03-05"]


def test_disbursements_as_csv(finance, staff, round_):
    pay(make_accepted_grant(round_=round_), staff)

    response = finance.get("/api/v1/reports/disbursements/csv/")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv"
    lines = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()
    assert lines[0].startswith("id,reference,company,scheme_code,round_code")
    assert "400000.00" in lines[1] and len(lines) == 2


def test_commitments_list_what_each_grant_commits(finance, staff, round_):
    pay(make_accepted_grant(round_=round_, amount="1000000.00"), staff)
    make_accepted_grant(round_=round_, amount="500000.00")

    response = finance.get("/api/v1/reports/commitments/?round=2026R1")

    rows = response.json()["results"]
    assert [(r["committed"], r["paid"], r["recovered"], r["net_paid"], r["outstanding"])
            for r in rows] == [
        ("1000000.00", "400000.00", "0.00", "400000.00", "600000.00"),
        ("500000.00", "0.00", "0.00", "0.00", "500000.00")]


def test_commitments_as_csv(finance, round_):
    make_accepted_grant(round_=round_, amount="500000.00")

    response = finance.get("/api/v1/reports/commitments/csv/", {"round": "2026R1"},
                           HTTP_ACCEPT="text/csv")

    lines = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()
    assert lines[0].startswith("id,reference,company,scheme_code,round_code,category_label")
    assert len(lines) == 2


def test_summary_by_round_category_sector_and_month(finance, staff, round_):
    pay(make_accepted_grant(round_=round_, amount="1000000.00"), staff)
    make_accepted_grant(round_=round_, amount="500000.00", category="computer_vision")

    body = finance.get("/api/v1/reports/summary/").json()

    [figures] = [r for r in body["rounds"] if r["code"] == "2026R1"]
    assert (figures["committed"], figures["paid"]) == ("1500000.00", "400000.00")
    assert {c["key"]: c["committed"] for c in body["categories"]} == {
        "computer_vision": "500000.00", "nlp": "1000000.00"}
    assert body["months"] == [{"month": "2027-01-01", "paid": "400000.00", "count": 1}]
    assert body["sectors"]


def test_a_bad_filter_is_a_problem_even_for_csv(finance):
    response = finance.get("/api/v1/reports/disbursements/?format=csv&status=lost")

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert "status" in response.json()["errors"]


def test_the_1_0_format_parameter_still_gives_csv(finance):
    response = finance.get("/api/v1/reports/commitments/", {"format": "csv"})

    assert response.status_code == 200 and response["Content-Type"] == "text/csv"


def test_the_schema_gives_each_register_one_media_type_per_path(finance):
    paths = finance.get("/api/v1/schema/?format=json").json()["paths"]
    for register in ("disbursements", "commitments"):
        json_path = paths[f"/api/v1/reports/{register}/"]["get"]
        csv_path = paths[f"/api/v1/reports/{register}/csv/"]["get"]

        assert list(json_path["responses"]["200"]["content"]) == ["application/json"]
        assert list(csv_path["responses"]["200"]["content"]) == ["text/csv"]
        assert "format" not in [p["name"] for p in json_path["parameters"]]


def test_an_unknown_format_is_not_found(finance):
    response = finance.get("/api/v1/reports/commitments/?format=xml")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"


@pytest.mark.parametrize("path", ["disbursements/", "commitments/", "summary/"])
def test_a_partner_key_cannot_read_finance_reports(partner, issue_key, client_for, path):
    # A key issued before partner keys were limited to the scopes they can use.
    client = client_for(issue_key(partner=partner, scopes=["rounds:read"]))
    ApiKey.objects.update(scopes=["reports:read"])

    response = client.get(f"/api/v1/reports/{path}")

    assert response.status_code == 403
    assert response.json()["code"] == "finance_role_required"


@pytest.mark.parametrize("path", ["disbursements/", "commitments/", "summary/"])
def test_reports_need_the_reports_scope(staff, issue_key, client_for, path):
    client = client_for(issue_key(user=staff[Role.FINANCE_OFFICER], scopes=["rounds:read"]))

    response = client.get(f"/api/v1/reports/{path}")

    assert response.status_code == 403
    assert response.json()["code"] == "insufficient_scope"


def test_a_staff_member_without_finance_access_is_refused(issue_key, client_for):
    reviewer = UserFactory(roles=[Role.REVIEWER])
    client = client_for(issue_key(user=reviewer, scopes=["reports:read"]))

    assert client.get("/api/v1/reports/summary/").status_code == 403


@pytest.mark.parametrize("path", ["disbursements/", "commitments/"])
def test_registers_run_a_fixed_number_of_queries(finance, staff, round_, path,
                                                 django_assert_num_queries):
    pay(make_accepted_grant(round_=round_), staff)
    # The key's first request records its last use (refreshed at most once a minute).
    with django_assert_num_queries(4):
        finance.get(f"/api/v1/reports/{path}?page_size=200")
    for _ in range(4):
        pay(make_accepted_grant(round_=round_), staff)

    with django_assert_num_queries(3):
        response = finance.get(f"/api/v1/reports/{path}?page_size=200")
    assert len(response.json()["results"]) == 5


def _csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(body, newline="")))


@pytest.mark.parametrize("path", ["/api/v1/reports/disbursements/",
                                  "/api/v1/reports/commitments/"])
def test_csv_header_and_labels_are_the_same_in_every_language(finance, staff, round_, path):
    pay(make_accepted_grant(round_=round_), staff)

    english = _csv(finance.get(path, {"format": "csv"}, HTTP_ACCEPT_LANGUAGE="en"))
    chinese = _csv(finance.get(path, {"format": "csv"}, HTTP_ACCEPT_LANGUAGE="zh-hant"))

    assert english[0][:3] == ["id", "reference", "company"]
    assert chinese == english


def test_summary_shows_the_chosen_scheme_only(finance, staff, round_):
    pay(make_accepted_grant(round_=round_), staff)
    other = FundingRoundFactory(code="2026R9")

    body = finance.get("/api/v1/reports/summary/", {"scheme": round_.scheme.code}).json()
    elsewhere = finance.get("/api/v1/reports/summary/", {"scheme": other.scheme.code}).json()

    assert [r["code"] for r in body["rounds"]] == ["2026R1"]
    assert [r["code"] for r in elsewhere["rounds"]] == ["2026R9"]
    assert elsewhere["months"] == []


def test_summary_months_run_without_gaps(finance, staff, round_):
    pay(make_accepted_grant(round_=round_), staff, value_date=date(2027, 1, 5))
    pay(make_accepted_grant(round_=round_), staff, value_date=date(2027, 3, 5))

    months = finance.get("/api/v1/reports/summary/").json()["months"]

    assert [(m["month"], m["paid"]) for m in months] == [
        ("2027-01-01", "400000.00"), ("2027-02-01", "0.00"), ("2027-03-01", "400000.00")]
