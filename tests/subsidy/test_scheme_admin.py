"""A scheme's budget changes in the admin through ``scheme_set_budget`` (its rule and its
audit record); rounds are read-only there and change on the staff round pages."""

import json
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages

from subsidy.platform.models import AuditEvent
from subsidy.scheme.models import FundingRound
from tests.factories import FundingRoundFactory, SchemeFactory

pytestmark = pytest.mark.django_db


def _messages(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def _scheme_form(scheme, **changes) -> dict:
    return {"code": scheme.code, "name_en": scheme.name_en, "name_zh": scheme.name_zh,
            "budget": str(scheme.budget), **changes}


def test_a_budget_below_the_allocated_envelopes_is_refused(as_site_admin):
    scheme = SchemeFactory(budget=Decimal("300000000.00"))
    FundingRoundFactory(scheme=scheme, envelope=Decimal("200000000.00"))

    response = as_site_admin.post(f"/admin/subsidy/scheme/{scheme.pk}/change/",
                                     _scheme_form(scheme, budget="150000000.00"), follow=True)

    scheme.refresh_from_db()
    assert scheme.budget == Decimal("300000000.00")
    assert any("already allocated to rounds" in text for text in _messages(response))
    assert not AuditEvent.objects.filter(action="scheme.set_budget").exists()


def test_a_budget_change_in_the_admin_is_audited(as_site_admin, site_admin):
    scheme = SchemeFactory(budget=Decimal("300000000.00"))
    FundingRoundFactory(scheme=scheme, envelope=Decimal("200000000.00"))

    response = as_site_admin.post(f"/admin/subsidy/scheme/{scheme.pk}/change/",
                                     _scheme_form(scheme, budget="250000000.00"))

    assert response.status_code == 302
    scheme.refresh_from_db()
    assert scheme.budget == Decimal("250000000.00")
    event = AuditEvent.objects.get(action="scheme.set_budget")
    assert event.actor == site_admin
    assert Decimal(event.before["budget"]) == Decimal("300000000.00")


def test_a_scheme_is_not_renamed_or_deleted_in_the_admin(as_site_admin):
    scheme = SchemeFactory(code="aiss")

    as_site_admin.post(f"/admin/subsidy/scheme/{scheme.pk}/change/",
                          _scheme_form(scheme, code="renamed", name_en="Other"))
    deleted = as_site_admin.post(f"/admin/subsidy/scheme/{scheme.pk}/delete/", {"post": "yes"})

    scheme.refresh_from_db()
    assert scheme.code == "aiss"
    assert deleted.status_code == 403


# --- Rounds: read-only here, changed on the staff round pages ---------------------------------

def test_a_round_envelope_cannot_be_edited_in_the_admin(as_site_admin):
    round_ = FundingRoundFactory(envelope=Decimal("100000000.00"))

    response = as_site_admin.post(f"/admin/subsidy/fundinground/{round_.pk}/change/", {
        "scheme": round_.scheme_id, "code": round_.code, "title_en": round_.title_en,
        "status": round_.status, "opens_at_0": "2026-01-05", "opens_at_1": "09:00:00",
        "closes_at_0": "2026-12-05", "closes_at_1": "09:00:00", "envelope": "1.00",
        "max_subsidy_per_project": "1.00", "max_ratio_percent": "70.00",
        "eligible_categories": '["nlp"]', "required_documents": "[]",
        "gpu_hour_rate": "18.50", "reviewers_per_application": "3",
        "rubric": json.dumps(round_.rubric), "score_scale_max": "5"})

    assert response.status_code == 403
    round_.refresh_from_db()
    assert round_.envelope == Decimal("100000000.00")


def test_the_round_admin_links_to_the_staff_round_page(as_site_admin):
    round_ = FundingRoundFactory(code="2026R7")

    page = as_site_admin.get(f"/admin/subsidy/fundinground/{round_.pk}/change/")

    assert page.status_code == 200
    assert 'href="/staff/rounds/2026R7/edit/"' in page.content.decode()
    assert as_site_admin.get("/admin/subsidy/fundinground/add/").status_code == 403
    assert FundingRound.objects.count() == 1
