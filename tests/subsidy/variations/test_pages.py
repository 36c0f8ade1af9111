"""The variation pages: the company asks on its grant, the officer or the panel decides
with the re-profiled tranches in view, and the officers' list of what waits."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from applicants.models import Application, Membership
from subsidy.agreements.models import GrantAgreement
from subsidy.finance.models import Tranche
from subsidy.platform.roles import Role
from subsidy.variations.models import Variation
from tests.builders.variations import active_grant, lines
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def request_form(grant, **values):
    data = {"reason": "The pilot clinics start three months later.", **values}
    return reverse("variations:request", args=[grant.pk]), data


def test_the_grant_page_links_to_its_changes_and_the_owner_may_ask(client, grant):
    client.force_login(grant.owner)
    page = client.get(reverse("finance:grant", args=[grant.pk])).content.decode()
    assert reverse("variations:grant", args=[grant.pk]) in page

    changes = client.get(reverse("variations:grant", args=[grant.pk])).content.decode()
    assert reverse("variations:request", args=[grant.pk]) in changes


def test_an_owner_asks_for_a_later_end_date_through_the_form(client, grant, officer):
    client.force_login(grant.owner)
    url, data = request_form(grant, new_end_date="2028-03-31")

    response = client.post(url, data)

    variation = Variation.objects.get(grant=grant)
    assert response.status_code == 302
    assert response["Location"] == reverse("variations:detail", args=[variation.pk])
    assert variation.new_end_date == date(2028, 3, 31)
    assert variation.decider == "officer"


def test_a_refused_request_comes_back_with_everything_entered_and_the_reason(client, grant):
    compute, people = lines(grant)
    client.force_login(grant.owner)
    url, data = request_form(grant, new_end_date="2028-03-31", **{
        "move-0-from_line": compute.pk, "move-0-to_line": people.pk,
        "move-0-amount": "90000.00"})

    response = client.post(url, data)

    page = response.content.decode()
    assert response.status_code == 400
    assert "the round allows at most 10%" in page
    assert "The pilot clinics start three months later." in page
    assert 'value="2028-03-31"' in page and 'value="90000.00"' in page
    assert not Variation.objects.exists()


def test_an_editor_of_the_company_cannot_ask(client, grant):
    editor = MembershipFactory(organisation=grant.application.organisation,
                               role=Membership.Role.EDITOR).user
    client.force_login(editor)
    url, data = request_form(grant, new_end_date="2028-03-31")

    assert client.post(url, data).status_code == 403
    assert not Variation.objects.exists()


def test_the_officer_sees_the_reprofiled_tranches_then_approves(client, grant, officer):
    client.force_login(grant.owner)
    client.post(*request_form(grant, new_amount="900000.00"))
    variation = Variation.objects.get(grant=grant)
    client.force_login(officer)

    page = client.get(reverse("variations:detail", args=[variation.pk])).content.decode()
    assert 'id="reprofile-preview"' in page and "HK$360,000.00" in page

    response = client.post(reverse("variations:decide", args=[variation.pk]),
                           {"decision": "approve", "reason": "The scope is smaller."})

    assert response.status_code == 302
    assert [t.amount for t in Tranche.objects.filter(grant=grant).order_by("number")] == [
        Decimal("360000.00"), Decimal("270000.00"), Decimal("270000.00")]
    assert GrantAgreement.objects.filter(grant=grant).count() == 1
    company = client.get(reverse("variations:detail", args=[variation.pk])).content.decode()
    assert reverse("agreements:signed_document", args=[grant.pk, 1]) in company


def test_an_increase_is_decided_on_the_panels_page_not_the_officers(
        client, grant, officer, panel_member):
    client.force_login(grant.owner)
    client.post(*request_form(grant, new_amount="1100000.00"))
    variation = Variation.objects.get(grant=grant)
    decide = reverse("variations:decide", args=[variation.pk])

    client.force_login(officer)
    assert client.post(decide, {"decision": "approve", "reason": "Yes"}).status_code == 403
    client.force_login(panel_member)
    page = client.get(reverse("variations:detail", args=[variation.pk])).content.decode()
    assert "The panel&#x27;s decision" in page or "The panel's decision" in page
    assert client.post(decide, {"decision": "approve", "reason": "Yes"}).status_code == 302

    grant.refresh_from_db()
    assert grant.approved_amount == Decimal("1100000.00")


def test_a_decision_without_a_reason_is_refused_on_the_page(client, grant, officer):
    client.force_login(grant.owner)
    client.post(*request_form(grant, new_end_date="2028-03-31"))
    variation = Variation.objects.get(grant=grant)
    client.force_login(officer)

    response = client.post(reverse("variations:decide", args=[variation.pk]),
                           {"decision": "approve"})

    assert response.status_code == 400
    variation.refresh_from_db()
    assert variation.status == "requested"
    assert Application.objects.get(pk=grant.application_id).end_date == date(2027, 12, 31)


def test_the_owner_withdraws_the_request(client, grant):
    client.force_login(grant.owner)
    client.post(*request_form(grant, new_end_date="2028-03-31"))
    variation = Variation.objects.get(grant=grant)

    client.post(reverse("variations:withdraw", args=[variation.pk]))

    variation.refresh_from_db()
    assert variation.status == "withdrawn"


def test_the_request_page_speaks_chinese(client, grant):
    client.force_login(grant.owner)
    client.post(reverse("set_language"), {"language": "zh-hant", "next": "/"})

    page = client.get(reverse("variations:request", args=[grant.pk])).content.decode()

    assert "申請更改資助" in page and "資助需要更改的原因" in page


def _ask(grant):
    from subsidy.variations.services.proposal import VariationInput
    from subsidy.variations.services.requests import variation_request
    variation_request(actor=grant.owner, grant=grant, data=VariationInput(
        reason="Later start.", new_end_date=date(2028, 6, 30)))


def test_the_pending_list_asks_the_same_queries_for_one_or_many(
        client, round_, officer, django_assert_num_queries):
    grant = active_grant(round_, officer, amount="100000.00")
    _ask(grant)
    client.force_login(officer)
    url = reverse("variations:pending")
    client.get(url)
    with django_assert_num_queries(5) as few:
        assert grant.application.reference in client.get(url).content.decode()
    for _ in range(3):
        _ask(active_grant(round_, officer, amount="100000.00"))
    with django_assert_num_queries(len(few.captured_queries)):
        client.get(url)


def test_a_panel_member_sees_only_the_panels_variations(client, grant, officer):
    _ask(grant)
    client.force_login(UserFactory(roles=[Role.PANEL_MEMBER]))

    page = client.get(reverse("variations:pending")).content.decode()

    assert grant.application.reference not in page


def test_staff_who_manage_rounds_set_its_variation_rules_and_the_next_request_follows(
        client, grant):
    from subsidy.platform.models import AuditEvent
    from subsidy.variations.models import RoundVariationRules
    admin = UserFactory(roles=[Role.ADMINISTRATOR])
    client.force_login(admin)
    url = reverse("variations:round_rules", args=[grant.round.code])
    assert client.post(url, {"budget_tolerance_percent": "150",
                             "panel_threshold": "1000"}).status_code == 400

    client.post(url, {"budget_tolerance_percent": "25", "panel_threshold": "1000.00"})

    rules = RoundVariationRules.objects.get(round=grant.round)
    assert (rules.budget_tolerance_percent, rules.panel_threshold) == (25, 1000)
    assert AuditEvent.objects.filter(action="round.variation_rules").exists()
    client.force_login(grant.owner)
    client.post(*request_form(grant, new_amount="950000.00"))
    assert Variation.objects.get(grant=grant).decider == "panel"
