"""The AI Supercomputing Centre's usage statements through the API: only its own signed
key; a statement checked whole through the same service as a CSV upload (a bad line named
by its number, nothing posted), refused or answered as posted when sent twice, idempotent
with an Idempotency-Key, audited, and drawing exactly what the same CSV draws."""

import time
from decimal import Decimal

import pytest
from django.db import IntegrityError

from subsidy.api.models import ApiKey
from subsidy.api.services.keys import api_key_create
from subsidy.compute.models import ComputeCharge, UsageStatement
from subsidy.compute.selectors import compute_drawn_by_round, grant_compute_summaries
from subsidy.platform.errors import DomainError
from subsidy.platform.models import AuditEvent
from subsidy.platform.roles import Role
from subsidy.platform.signing import SIGNATURE_HEADER
from tests.builders.compute import (
    STATEMENTS,
    AiscApi,
    aisc_key,
    csv_of,
    grant_with_allocation,
    line,
    post_csv,
)
from tests.factories import ApiKeyFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def aisc():
    return AiscApi(aisc_key())


@pytest.fixture
def grant():
    return grant_with_allocation()  # 1,000 h at 18.50 x 70%: HK$12,950.00


def test_a_good_statement_is_posted_and_answered_with_what_each_line_drew(aisc, grant):
    response = aisc.statement("AISC-2026-11-0001", line(grant, 100),
                              line(grant, "20.5", gpu="A100"))

    assert response.status_code == 201, response.json()
    body = response.json()
    assert [(row["line"], row["list_amount"], row["subsidy_amount"], row["company_amount"],
             row["excess_amount"]) for row in body["lines"]] == [
        (1, "1850.00", "1295.00", "555.00", "0.00"),
        (2, "379.25", "265.48", "113.77", "0.00")]
    assert body["totals"]["subsidy_amount"] == "1560.48"
    assert (body["period"], body["source"], body["duplicate"]) == ("2026-11", "api", False)
    assert body["organisation"]["id"] == grant.application.organisation_id
    statement = UsageStatement.objects.get()
    assert (statement.source, statement.api_key) == ("api", aisc.issued.api_key)


def test_the_drawn_subsidy_is_the_same_after_the_api_as_after_a_csv(aisc):
    by_csv, by_api = grant_with_allocation(hours="100"), grant_with_allocation(hours="100")
    rows = lambda grant: [line(grant, 60), line(grant, 60, gpu="A100")]  # noqa: E731

    post_csv(csv_of(*rows(by_csv)))
    assert aisc.statement("AISC-2026-11-0001", *rows(by_api)).status_code == 201

    summaries = grant_compute_summaries([by_csv.pk, by_api.pk])
    figures = [(s.drawn_amount, s.company_amount, s.excess_amount, s.used_hours,
                s.remaining_amount) for s in (summaries[by_csv.pk], summaries[by_api.pk])]
    assert figures[0] == figures[1]
    assert figures[1][0] == Decimal("1295.00")  # capped at the allocation
    assert figures[1][2] > 0  # and the excess named
    drawn = compute_drawn_by_round([by_csv.round_id, by_api.round_id])
    assert drawn[by_csv.round_id] == drawn[by_api.round_id] == Decimal("1295.00")


def test_a_malformed_line_refuses_the_statement_with_its_line_number(aisc, grant):
    response = aisc.statement("AISC-2026-11-0001", line(grant, 10),
                              (grant.application.reference, "2026-11", "H800", "ten", "185.00"))

    assert response.status_code == 400
    errors = response.json()["errors"]
    assert list(errors) == ["lines.1.hours"]
    assert errors["lines.1.hours"][0].startswith("Line 2: ")
    assert not UsageStatement.objects.exists() and not ComputeCharge.objects.exists()


@pytest.mark.parametrize(("lines", "path"), [([None], "lines.0"), ([5], "lines.0.non_field_errors"),
                                             ([{}], "lines.0.project")])
def test_a_line_that_is_not_a_line_is_named_by_its_number(aisc, lines, path):
    response = aisc.post({"reference": "AISC-2026-11-0001", "lines": lines})

    assert response.status_code == 400
    assert response.json()["errors"][path][0].startswith("Line 1: ")


def test_a_line_the_rules_refuse_rejects_it_all_with_the_same_messages_as_a_csv(aisc, grant):
    response = aisc.statement("AISC-2026-11-0001", line(grant, 10),
                              (grant.application.reference, "2026-11", "H800", "10", "200.00"),
                              ("AISS-NOPE-00001", "2026-11", "H800", "1", "18.50"))

    assert response.status_code == 400
    errors = response.json()["errors"]
    assert errors["lines.1.list_amount"] == [
        "Line 2: the list amount 200.00 is not the hours × the list rate 18.50 = 185.00."]
    assert errors["lines.2.project"] == [
        "Line 3: no grant has the project reference AISS-NOPE-00001."]
    assert not UsageStatement.objects.exists() and not ComputeCharge.objects.exists()


def test_the_same_statement_sent_again_posts_nothing_and_answers_what_was_posted(aisc, grant):
    first = aisc.statement("AISC-2026-11-0001", line(grant, 10)).json()

    again = aisc.statement("AISC-2026-11-0001", line(grant, 10))

    assert again.status_code == 200
    assert again.json() == {**first, "duplicate": True}
    assert ComputeCharge.objects.count() == 1


def test_another_statement_with_a_reference_already_received_is_refused_by_name(aisc, grant):
    aisc.statement("AISC-2026-11-0001", line(grant, 10))

    response = aisc.statement("AISC-2026-11-0001", line(grant, 12))

    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "duplicate_statement"
    assert "AISC-2026-11-0001" in body["detail"] and "nothing was posted" in body["detail"]
    assert ComputeCharge.objects.count() == 1


def test_a_retry_with_the_same_idempotency_key_replays_the_first_answer(aisc, grant):
    key = {"Idempotency-Key": "statement-2026-11-0001"}
    first = aisc.statement("AISC-2026-11-0001", line(grant, 10), headers=key)

    retry = aisc.statement("AISC-2026-11-0001", line(grant, 10), headers=key)

    assert (first.status_code, retry.status_code) == (201, 201)
    assert retry["Idempotent-Replayed"] == "true"
    assert retry.json() == first.json()
    assert UsageStatement.objects.get().idempotency_key == "statement-2026-11-0001"
    assert ComputeCharge.objects.count() == 1


def test_the_same_idempotency_key_with_another_statement_is_refused(aisc, grant):
    key = {"Idempotency-Key": "statement-2026-11-0001"}
    aisc.statement("AISC-2026-11-0001", line(grant, 10), headers=key)

    response = aisc.statement("AISC-2026-11-0002", line(grant, 12), headers=key)

    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_reused"
    assert UsageStatement.objects.count() == 1


def test_each_statement_posted_is_audited_as_the_centre_s(aisc, grant):
    aisc.statement("AISC-2026-11-0001", line(grant, 10))

    event = AuditEvent.objects.get(action="compute.statement_post")
    assert event.actor is None
    assert event.actor_label == f"aisc (key {aisc.issued.api_key.prefix})"
    assert (event.after["source"], event.after["lines"]) == ("api", 1)


def test_the_centre_reads_a_statement_as_posted(aisc, grant):
    posted = aisc.statement("AISC-2026-11-0001", line(grant, 10)).json()

    response = aisc.get(f"{STATEMENTS}{posted['id']}/")

    assert response.status_code == 200
    assert response.json() == posted
    assert aisc.get(f"{STATEMENTS}{posted['id'] + 1}/").status_code == 404


# --- Whose key, and signed ------------------------------------------------------------------

def test_a_partner_key_cannot_send_or_read_statements(partner_client, grant):
    sent = partner_client.post(STATEMENTS, {"reference": "X", "lines": []}, format="json")
    read = partner_client.get(f"{STATEMENTS}1/")

    for response in (sent, read):
        assert response.status_code == 403
        assert response.json()["code"] == "insufficient_scope"
    assert not UsageStatement.objects.exists()


def test_a_staff_key_cannot_send_statements(issue_key, client_for):
    officer = UserFactory(roles=[Role.FINANCE_OFFICER])
    response = client_for(issue_key(user=officer)).post(
        STATEMENTS, {"reference": "X", "lines": []}, format="json")

    assert response.status_code == 403
    assert response.json()["code"] == "insufficient_scope"


def test_a_key_that_is_not_the_centre_s_is_refused_even_with_the_scope(client_for):
    # A row the service would never issue: a partner's key carrying the Centre's scope.
    api_key = ApiKeyFactory(scopes=["aisc:statements"])

    response = client_for(f"aiss_{api_key.prefix}_{api_key.prefix}").post(
        STATEMENTS, {"reference": "X", "lines": []}, format="json")

    assert response.status_code == 403
    assert response.json()["code"] == "aisc_key_required"


def test_the_centre_s_key_calls_no_other_endpoint(aisc):
    response = aisc.get("/api/v1/rounds/")

    assert response.status_code == 403
    assert response.json()["code"] == "insufficient_scope"


def test_the_centre_s_scope_goes_on_its_key_only(administrator, partner):
    with pytest.raises(DomainError, match="aisc:statements"):
        api_key_create(actor=administrator, name="P", partner=partner,
                       scopes=["aisc:statements"])
    with pytest.raises(DomainError, match="rounds:read"):
        api_key_create(actor=administrator, name="AISC", aisc=True,
                       scopes=["aisc:statements", "rounds:read"])


def test_only_the_centre_s_key_has_a_signing_secret_in_the_database(partner, administrator):
    with pytest.raises(IntegrityError):
        ApiKey.objects.create(partner=partner, name="P", prefix="abcd1234",
                              hashed_key="0" * 64, scopes=[], signing_secret="aiscsig_x")


def test_an_unsigned_request_is_refused(aisc, grant):
    response = aisc.client.post(STATEMENTS, {"reference": "AISC-1", "lines": []},
                                format="json")

    assert response.status_code == 401
    assert response.json()["code"] == "missing_signature"
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize(("how", "code"), [
    ({"secret": "aiscsig_not-the-key-s"}, "bad_signature"),
    ({"signed": b'{"reference": "something else"}'}, "bad_signature"),
    ({"at": time.time() - 600}, "stale_signature"),
])
def test_a_badly_signed_request_posts_nothing(aisc, grant, how, code):
    response = aisc.statement("AISC-2026-11-0001", line(grant, 10), **how)

    assert response.status_code == 401
    assert response.json()["code"] == code
    assert not UsageStatement.objects.exists()


def test_a_badly_signed_read_is_refused(aisc, grant):
    posted = aisc.statement("AISC-2026-11-0001", line(grant, 10)).json()

    response = aisc.client.get(f"{STATEMENTS}{posted['id']}/",
                               headers={SIGNATURE_HEADER: "t=1,v1=00"})

    assert response.status_code == 401
    assert response.json()["code"] == "stale_signature"
