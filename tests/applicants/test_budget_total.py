"""The budget section's live total: each line's amount and the total eligible cost come
from the server, by the rule the budget is saved with, and saving the budget sets the
total eligible cost to what its lines come to."""

from decimal import Decimal

import pytest
from django.urls import reverse

from applicants.models import Application, Membership
from tests.builders.applicants import member


def rows(data, **extra):
    post = {"budget-TOTAL_FORMS": str(len(data)), "budget-INITIAL_FORMS": "0", **extra}
    for i, row in enumerate(data):
        post.update({f"budget-{i}-{k}": v for k, v in row.items()})
    return post


LINES = [
    {"category": "compute", "description": "Training", "gpu_hours": "1000"},
    {"category": "personnel", "description": "Engineer", "quantity": "1.5",
     "unit_cost": "0.77"},
    {"category": "equipment", "description": "Old laptop", "quantity": "1",
     "unit_cost": "9999", "DELETE": "on"},
    {"category": "", "description": "", "quantity": "", "unit_cost": ""},
    {"category": "other", "description": "Half typed", "quantity": "2", "unit_cost": "x"},
]


def test_the_server_works_out_each_line_and_the_total(client_for, owner, draft):
    response = client_for(owner).post(reverse("applicants:budget_total", args=[draft.pk]),
                                      rows(LINES))
    assert response.status_code == 200
    body = response.json()
    # 1,000 GPU-hours at the round's HK$18.50, and 1.5 x 0.77 rounded half up to the cent;
    # the deleted and the empty rows have no amount, an unreadable figure counts as nothing.
    assert body["lines"] == {"0": "18,500.00", "1": "1.16", "4": "0.00"}
    assert body["total"] == "18,501.16"


def test_saving_the_budget_sets_the_total_eligible_cost(client_for, owner, draft):
    client = client_for(owner)
    client.post(reverse("applicants:section", args=[draft.pk, "budget"]),
                rows(LINES[:2], version=draft.version, save="1"))
    saved = Application.objects.get(pk=draft.pk)
    assert saved.total_eligible_cost == Decimal("18501.16")
    page = client.get(reverse("applicants:section", args=[draft.pk, "budget"])).content.decode()
    assert "Total eligible cost, worked out from the budget lines" in page
    assert "HK$18,501.16" in page
    assert reverse("applicants:budget_total", args=[draft.pk]) in page


def test_the_project_section_shows_the_total_as_worked_out(client_for, owner, draft):
    page = client_for(owner).get(
        reverse("applicants:section", args=[draft.pk, "project"])).content.decode()
    assert "Worked out from the budget lines" in page
    assert 'name="total_eligible_cost"' in page and "readonly" in page


def test_a_viewer_gets_no_figures(client_for, draft):
    viewer = member(draft.organisation, Membership.Role.VIEWER)
    response = client_for(viewer).post(reverse("applicants:budget_total", args=[draft.pk]),
                                       rows(LINES))
    assert response.status_code == 403


def test_another_company_gets_nothing(client_for, draft):
    from tests.builders.applicants import stranger

    response = client_for(stranger()).post(
        reverse("applicants:budget_total", args=[draft.pk]), rows(LINES))
    assert response.status_code == 404


@pytest.mark.parametrize("method", ["get"])
def test_only_posts_are_answered(client_for, owner, draft, method):
    response = getattr(client_for(owner), method)(
        reverse("applicants:budget_total", args=[draft.pk]))
    assert response.status_code == 405
