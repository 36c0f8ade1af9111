"""The audit-trail page for auditors: filtered by object, actor and period, downloaded as
CSV or XLSX, and a grant's own history one link away from its page."""

import csv
import io
from datetime import datetime, timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from subsidy.finance.services.tranches import grant_activate
from subsidy.platform.audit import audit_record
from subsidy.platform.roles import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

URL = "finance:audit_trail"


@pytest.fixture
def auditor():
    return UserFactory(roles=[Role.FINANCE_APPROVER])


@pytest.fixture
def activated(accepted_grant, officer):
    grant_activate(actor=officer, grant=accepted_grant)
    return accepted_grant


def _body(response) -> str:
    content = (b"".join(response.streaming_content) if response.streaming
               else response.content)
    return content.decode("utf-8-sig")


def test_auditor_filters_by_object_and_sees_the_grant_history_from_its_page(
        client, auditor, activated):
    client.force_login(auditor)

    grant_page = client.get(reverse("finance:grant", args=[activated.pk])).content.decode()
    history = client.get(reverse(URL), {"object_type": "subsidy.grant",
                                        "object_id": str(activated.pk)})

    assert reverse("finance:grant_history", args=[activated.pk]) in grant_page
    assert [row["action"] for row in history.context["rows"]] == ["grant.activate"]


def test_auditor_filters_by_actor_and_period(client, auditor, activated, officer):
    # The audit trail is append-only: an old event is recorded at its time.
    with time_machine.travel(timezone.now() - timedelta(days=40)):
        audit_record(actor=officer, action="grant.old_note", obj=activated, after={"n": 0})
    audit_record(actor=officer, action="grant.note", obj=activated, after={"n": 1})
    client.force_login(auditor)
    today = timezone.localdate()

    by_actor = client.get(reverse(URL), {"actor": officer.email})
    recent = client.get(reverse(URL), {"date_from": (today - timedelta(days=7)).isoformat(),
                                       "date_to": today.isoformat()})
    nobody = client.get(reverse(URL), {"actor": "nobody@example.org"})

    assert {row["action"] for row in by_actor.context["rows"]} >= {"grant.old_note",
                                                                   "grant.note"}
    assert "grant.old_note" not in {row["action"] for row in recent.context["rows"]}
    assert "grant.note" in {row["action"] for row in recent.context["rows"]}
    assert list(nobody.context["rows"]) == []


def test_audit_trail_downloads_as_csv_and_xlsx(client, auditor, activated):
    client.force_login(auditor)

    rows = list(csv.reader(io.StringIO(_body(client.get(reverse(URL), {
        "object_type": "subsidy.grant", "format": "csv"})), newline="")))
    sheet = load_workbook(io.BytesIO(b"".join(client.get(reverse(URL), {
        "format": "xlsx"}).streaming_content))).active

    assert rows[0][:4] == ["When", "Who", "Email", "Action"]
    assert rows[1][3] == "grant.activate" and rows[1][0].endswith("+08:00")
    assert sheet.cell(1, 4).value == "Action" and sheet.freeze_panes == "A2"


@pytest.mark.parametrize("role", [Role.APPLICANT, Role.REVIEWER, Role.FINANCE_OFFICER])
def test_others_are_refused_the_audit_trail(client, role):
    client.force_login(UserFactory(roles=[role]))

    assert client.get(reverse(URL)).status_code == 403


def test_audit_trail_asks_the_same_number_of_queries_for_5_or_50_events(
        client, auditor, activated, officer, django_assert_num_queries):
    client.force_login(auditor)

    def add(count):
        for n in range(count):
            audit_record(actor=officer, action="grant.note", obj=activated, after={"n": n})

    add(4)
    client.get(reverse(URL))
    with django_assert_num_queries(6):
        client.get(reverse(URL))
    add(45)
    with django_assert_num_queries(6):
        page = client.get(reverse(URL))
    assert len(page.context["rows"]) == 50


def test_datetime_filter_uses_hong_kong_days(client, auditor, activated, officer):
    # 00:30 on 2 March in Hong Kong is 16:30 UTC on 1 March.
    hk = timezone.get_fixed_timezone(8 * 60)
    with time_machine.travel(datetime(2026, 3, 2, 0, 30, tzinfo=hk)):
        audit_record(actor=officer, action="grant.note", obj=activated, after={"n": 1})
    client.force_login(auditor)

    march_2 = client.get(reverse(URL), {"date_from": "2026-03-02", "date_to": "2026-03-02"})

    assert [row["action"] for row in march_2.context["rows"]] == ["grant.note"]
