from datetime import timedelta

import pytest
import time_machine
from django.db import IntegrityError
from django.utils import timezone
from rest_framework.test import APIClient

from subsidy.api.models import ApiKey
from subsidy.api.services.keys import api_key_authenticate, api_key_create, api_key_revoke
from subsidy.platform.errors import DomainError, PermissionDeniedError
from subsidy.platform.models import AuditEvent
from subsidy.platform.roles import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ROUNDS = "/api/v1/rounds/"


def assert_unauthorised(response, code):
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response["WWW-Authenticate"].startswith("Bearer")
    body = response.json()
    assert body["status"] == 401
    assert body["code"] == code
    assert body["title"] == "Unauthorized"


def test_request_without_a_key_is_401_missing_key():
    assert_unauthorised(APIClient().get(ROUNDS), "missing_key")


def test_non_bearer_authorization_is_treated_as_missing():
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Basic dXNlcjpwYXNz")
    assert_unauthorised(client.get(ROUNDS), "missing_key")


def test_unknown_key_is_401(client_for):
    assert_unauthorised(client_for("aiss_deadbeef_notarealsecret").get(ROUNDS), "unknown_key")


def test_malformed_key_is_401_unknown(client_for):
    assert_unauthorised(client_for("not-a-key").get(ROUNDS), "unknown_key")


def test_right_prefix_with_wrong_secret_is_401_unknown(partner, issue_key, client_for):
    plaintext = issue_key(partner=partner)
    tampered = plaintext[:-4] + ("AAAA" if not plaintext.endswith("AAAA") else "BBBB")
    assert_unauthorised(client_for(tampered).get(ROUNDS), "unknown_key")


def test_revoked_key_is_401(partner, issue_key, client_for, administrator):
    plaintext = issue_key(partner=partner)
    api_key_revoke(actor=administrator, api_key=ApiKey.objects.get())
    assert_unauthorised(client_for(plaintext).get(ROUNDS), "revoked_key")


def test_expired_key_is_401(partner, issue_key, client_for):
    plaintext = issue_key(partner=partner, expires_at=timezone.now() + timedelta(days=1))
    with time_machine.travel(timezone.now() + timedelta(days=2)):
        assert_unauthorised(client_for(plaintext).get(ROUNDS), "expired_key")


def test_key_of_inactive_partner_is_refused(partner, issue_key, client_for):
    plaintext = issue_key(partner=partner)
    partner.active = False
    partner.save()
    assert_unauthorised(client_for(plaintext).get(ROUNDS), "revoked_key")


def test_key_without_the_scope_is_403(partner, issue_key, client_for):
    client = client_for(issue_key(partner=partner, scopes=["webhooks:manage"]))
    response = client.get(ROUNDS)
    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "insufficient_scope"
    assert "rounds:read" in response.json()["detail"]


def test_key_with_the_scope_is_let_in(partner, issue_key, client_for):
    client = client_for(issue_key(partner=partner, scopes=["rounds:read"]))
    assert client.get(ROUNDS).status_code == 200


def test_staff_user_key_authenticates_as_that_user(issue_key, client_for):
    finance = UserFactory(roles=[Role.FINANCE_OFFICER])
    client = client_for(issue_key(user=finance, scopes=["rounds:read"]))
    assert client.get(ROUNDS).status_code == 200


def test_only_the_digest_of_the_key_is_stored(partner, issue_key):
    plaintext = issue_key(partner=partner)
    api_key = ApiKey.objects.get()
    secret = plaintext.split("_", 2)[2]
    assert plaintext.startswith(f"aiss_{api_key.prefix}_")
    assert secret not in api_key.hashed_key
    assert len(api_key.hashed_key) == 64


def test_authentication_records_last_use(partner, issue_key):
    plaintext = issue_key(partner=partner)
    api_key_authenticate(plaintext)
    assert ApiKey.objects.get().last_used_at is not None


def test_only_administrators_issue_keys(partner):
    officer = UserFactory(roles=[Role.PROGRAMME_OFFICER])
    with pytest.raises(PermissionDeniedError):
        api_key_create(actor=officer, name="x", scopes=["rounds:read"], partner=partner)


def test_keys_for_people_go_to_staff_only(administrator):
    applicant = UserFactory(roles=[Role.APPLICANT])
    with pytest.raises(DomainError):
        api_key_create(actor=administrator, name="x", scopes=["rounds:read"], user=applicant)


def test_unknown_scope_is_refused(administrator, partner):
    with pytest.raises(DomainError) as error:
        api_key_create(actor=administrator, name="x", scopes=["everything"], partner=partner)
    assert error.value.field == "scopes"


def test_issuing_and_revoking_are_audited(administrator, partner, issue_key):
    issue_key(partner=partner)
    api_key = ApiKey.objects.get()
    api_key_revoke(actor=administrator, api_key=api_key)
    actions = list(AuditEvent.objects.filter(object_id=str(api_key.pk))
                   .order_by("at", "id").values_list("action", "actor"))
    assert actions == [("api_key.create", administrator.pk),
                       ("api_key.revoke", administrator.pk)]


def test_a_key_has_exactly_one_holder_in_the_database(partner, administrator):
    with pytest.raises(IntegrityError):
        ApiKey.objects.create(partner=partner, user=administrator, name="both",
                              prefix="abcd1234", hashed_key="0" * 64, scopes=[])


def test_staff_key_stops_working_when_the_user_loses_the_staff_role(issue_key, client_for):
    finance = UserFactory(roles=[Role.FINANCE_OFFICER])
    client = client_for(issue_key(user=finance, scopes=["rounds:read"]))
    finance.role_grants.all().delete()
    assert_unauthorised(client.get(ROUNDS), "revoked_key")


def test_staff_key_stops_working_when_the_account_is_deactivated(issue_key, client_for):
    finance = UserFactory(roles=[Role.FINANCE_OFFICER])
    client = client_for(issue_key(user=finance, scopes=["rounds:read"]))
    finance.is_active = False
    finance.save()
    assert_unauthorised(client.get(ROUNDS), "revoked_key")


def test_a_request_refused_for_a_missing_scope_is_audited_against_the_key(
        partner, issue_key, client_for):
    client = client_for(issue_key(partner=partner, scopes=["webhooks:manage"]))

    client.get(ROUNDS)

    event = AuditEvent.objects.get(action="security.request_refused")
    assert event.object_id == str(ApiKey.objects.get().pk)
    assert event.actor_label.startswith(f"partner:{partner.name}")
    assert (event.after["path"], event.after["status"]) == (ROUNDS, 403)
