from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from subsidy.devdata.applications import demo_pdf
from subsidy.finance.models import BankAccount, Claim, Disbursement
from subsidy.finance.services.claims import ClaimInput, claim_submit, claim_verify
from subsidy.finance.services.payments import (
    payment_approve,
    payment_prepare,
)
from subsidy.finance.services.tranches import grant_activate
from subsidy.platform.roles import Role
from tests.builders.accounts import confirm_identity
from tests.builders.finance import (
    batched_payment,
    claim_first_tranche,
    make_accepted_grant,
    mark_paid,
    settler,
)
from tests.factories import FundingRoundFactory, MembershipFactory, UserFactory
from tests.subsidy.test_list_query_counts import DASHBOARD_QUERIES

pytestmark = pytest.mark.django_db


def _login(client, user):
    client.force_login(user)
    return client


@pytest.mark.parametrize("role", [Role.FINANCE_OFFICER, Role.FINANCE_APPROVER,
                                  Role.PROGRAMME_OFFICER, Role.ADMINISTRATOR])
def test_finance_and_programme_staff_see_the_dashboard(client, role, active_grant):
    response = _login(client, UserFactory(roles=[role])).get(reverse("finance:dashboard"))

    assert response.status_code == 200
    assert b"<svg" in response.content


@pytest.mark.parametrize("role", [Role.APPLICANT, Role.REVIEWER, Role.PANEL_MEMBER])
def test_other_roles_are_refused_the_dashboard_and_registers(client, role):
    _login(client, UserFactory(roles=[role]))

    for name in ["finance:dashboard", "finance:disbursement_register",
                 "finance:commitments_register"]:
        assert client.get(reverse(name)).status_code == 403


def test_applicant_claims_a_tranche_from_the_claim_page(client, active_grant):
    _login(client, active_grant.owner)
    url = reverse("finance:tranche_claim", args=[active_grant.pk, 1])

    response = client.post(url, {"amount": "400000.00", "narrative": "Prototype delivered."})

    claim = Claim.objects.get()
    assert response.status_code == 302
    assert claim.amount == Decimal("400000.00")


def test_claim_page_shows_the_refusal_for_an_amount_above_the_tranche(client, active_grant):
    _login(client, active_grant.owner)
    url = reverse("finance:tranche_claim", args=[active_grant.pk, 1])

    response = client.post(url, {"amount": "400000.01", "narrative": "Too much."})

    assert response.status_code == 200
    assert "above the tranche" in response.content.decode()
    assert not Claim.objects.exists()


def test_someone_outside_the_company_cannot_see_its_grant(client, active_grant):
    _login(client, MembershipFactory().user)

    response = client.get(reverse("finance:grant", args=[active_grant.pk]))

    assert response.status_code == 404


def test_applicant_sees_only_a_masked_account_number(client, active_grant):
    _login(client, active_grant.owner)

    page = client.get(reverse("finance:grant", args=[active_grant.pk])).content.decode()

    assert "456789-001" not in page
    assert "9001" in page


def test_finance_officer_sees_the_full_account_number(client, active_grant, finance_officer):
    page = _login(client, finance_officer).get(
        reverse("finance:grant", args=[active_grant.pk])).content.decode()

    assert "004-123-456789-001" in page


def test_applicant_records_the_bank_account(client, active_grant):
    organisation = active_grant.application.organisation
    confirm_identity(_login(client, active_grant.owner))

    client.post(reverse("finance:bank_account", args=[organisation.pk]), {
        "bank_name": "Bank of China (Hong Kong)", "account_name": organisation.name_en,
        "account_number": "012-345-67890123"})

    assert BankAccount.objects.get(organisation=organisation).account_number == (
        "012-345-67890123")


def test_viewer_member_cannot_change_the_bank_account(client, active_grant):
    organisation = active_grant.application.organisation
    viewer = MembershipFactory(organisation=organisation, role="viewer").user

    response = _login(client, viewer).post(
        reverse("finance:bank_account", args=[organisation.pk]),
        {"bank_name": "X", "account_name": "Y", "account_number": "12345678"})

    assert response.status_code == 403
    assert BankAccount.objects.get(organisation=organisation).bank_name == "HSBC"


def test_the_preparer_cannot_approve_from_the_payment_page(client, active_grant, officer):
    both = UserFactory(roles=[Role.FINANCE_OFFICER, Role.FINANCE_APPROVER])
    claim = claim_first_tranche(active_grant)

    claim_verify(actor=officer, claim=claim)
    _login(client, both)
    client.post(reverse("finance:prepare", args=[claim.pk]))
    payment = Disbursement.objects.get()

    client.post(reverse("finance:approve", args=[payment.pk]))

    assert Disbursement.objects.get().status == Disbursement.Status.PREPARED


def test_applicant_cannot_open_the_payment_queue(client, active_grant):
    assert _login(client, active_grant.owner).get(
        reverse("finance:payments")).status_code == 403


def test_programme_officer_cannot_open_a_batch_with_bank_details(
        client, active_grant, officer, finance_officer, finance_approver):
    _payment, batch = batched_payment(active_grant, officer, finance_officer, finance_approver)

    assert _login(client, officer).get(
        reverse("finance:batch", args=[batch.pk])).status_code == 403


def test_batch_downloads_as_csv_and_xlsx_for_the_bank(
        client, active_grant, officer, finance_officer, finance_approver):
    _payment, batch = batched_payment(active_grant, officer, finance_officer, finance_approver)
    _login(client, finance_officer)
    url = reverse("finance:batch", args=[batch.pk])

    csv_body = b"".join(client.get(url + "?format=csv").streaming_content).decode()
    xlsx = client.get(url + "?format=xlsx")

    assert "004-123-456789-001" in csv_body and "400000.00" in csv_body
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")


def test_another_finance_officer_marks_a_payment_paid_from_the_batch_page(
        client, active_grant, officer, finance_officer, finance_approver):
    payment, _batch = batched_payment(active_grant, officer, finance_officer, finance_approver)

    _login(client, settler()).post(reverse("finance:paid", args=[payment.pk]), {
        "bank_reference": "HSBC-001", "value_date": timezone.localdate().isoformat()})

    assert Disbursement.objects.get().status == Disbursement.Status.PAID


def _many_payments(count, officer, finance_officer, finance_approver, *, round_=None):
    for _ in range(count):
        grant = make_accepted_grant(round_=round_)
        grant_activate(actor=officer, grant=grant)
        payment, _batch = batched_payment(grant, officer, finance_officer, finance_approver)
        mark_paid(payment, bank_reference=f"R-{payment.pk}",
                  value_date=date(2027, 1, 5))


def _get(client, url, queries, expected):
    with queries(expected):
        assert client.get(url).status_code == 200


# The dashboard's figures are read after their version (one query for the cache, which the
# test's uncommitted data does not use): 32.
@pytest.mark.parametrize(("name", "expected"), [
    ("finance:disbursement_register", 10), ("finance:commitments_register", 11),
    ("finance:dashboard", DASHBOARD_QUERIES), ("finance:grants", 5)])
def test_finance_pages_ask_the_same_number_of_queries_for_5_or_50_rows(
        client, name, expected, officer, finance_officer, finance_approver,
        django_assert_num_queries):
    _login(client, finance_officer)
    url = reverse(name)
    round_ = FundingRoundFactory()
    _many_payments(5, officer, finance_officer, finance_approver, round_=round_)
    _get(client, url, django_assert_num_queries, expected)
    _many_payments(45, officer, finance_officer, finance_approver, round_=round_)

    _get(client, url, django_assert_num_queries, expected)


def _schedule_post(rows):
    data = {"tranche-TOTAL_FORMS": str(len(rows)), "tranche-INITIAL_FORMS": "0"}
    for index, (description, due, amount) in enumerate(rows):
        data.update({f"tranche-{index}-description": description,
                     f"tranche-{index}-due_date": due, f"tranche-{index}-amount": amount})
    return data


def test_officer_adjusts_the_schedule_before_the_grant_starts(client, accepted_grant, officer):
    url = reverse("finance:grant_schedule", args=[accepted_grant.pk])

    response = _login(client, officer).post(url, _schedule_post([
        ("Kick-off", "2027-01-01", "600000.00"), ("Final", "2027-12-01", "400000.00")]))

    assert response.status_code == 302
    assert list(accepted_grant.tranches.values_list("amount", flat=True)) == [
        Decimal("600000.00"), Decimal("400000.00")]


def test_schedule_page_shows_why_a_schedule_that_does_not_add_up_is_refused(
        client, accepted_grant, officer):
    url = reverse("finance:grant_schedule", args=[accepted_grant.pk])

    response = _login(client, officer).post(url, _schedule_post([
        ("Kick-off", "2027-01-01", "600000.00"), ("Final", "2027-12-01", "300000.00")]))

    assert "must be equal" in response.content.decode()
    assert not accepted_grant.tranches.exists()


def test_finance_officer_cannot_change_the_schedule(client, accepted_grant, finance_officer):
    assert _login(client, finance_officer).get(
        reverse("finance:grant_schedule", args=[accepted_grant.pk])).status_code == 403


def _claim_with_evidence(grant, settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(tmp_path)}}}
    tranche = grant.tranches.get(number=1)
    pdf = SimpleUploadedFile("report.pdf", demo_pdf("Progress"), content_type="application/pdf")
    claim = claim_submit(actor=grant.owner, tranche=tranche, data=ClaimInput(
        amount=tranche.amount, narrative="Report.", evidence=[pdf]))
    return claim.evidence.get()


def test_officer_downloads_the_evidence_of_a_claim(client, active_grant, officer, settings,
                                                   tmp_path):
    evidence = _claim_with_evidence(active_grant, settings, tmp_path)

    response = _login(client, officer).get(reverse("finance:evidence", args=[evidence.pk]))

    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_another_company_cannot_download_the_evidence(client, active_grant, settings,
                                                      tmp_path):
    evidence = _claim_with_evidence(active_grant, settings, tmp_path)

    response = _login(client, MembershipFactory().user).get(
        reverse("finance:evidence", args=[evidence.pk]))

    assert response.status_code == 404


def test_payment_queue_asks_the_same_number_of_queries_for_5_or_50_payments(
        client, officer, finance_officer, finance_approver, django_assert_num_queries):

    def approved(count):
        for _ in range(count):
            grant = make_accepted_grant()
            grant_activate(actor=officer, grant=grant)
            claim = claim_first_tranche(grant)
            claim_verify(actor=officer, claim=claim)

            payment_approve(actor=finance_approver, payment=payment_prepare(
                actor=finance_officer, claim=claim))

    _login(client, finance_officer)
    url = reverse("finance:payments")
    approved(5)
    _get(client, url, django_assert_num_queries, 8)
    approved(45)

    _get(client, url, django_assert_num_queries, 8)


def test_applicant_home_leads_to_the_grants_and_claims(client, active_grant):
    page = _login(client, active_grant.owner).get(reverse("applicants:dashboard"))

    assert reverse("finance:grants") in page.content.decode()
