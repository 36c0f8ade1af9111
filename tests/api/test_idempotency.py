import json
import threading
from datetime import timedelta
from unittest import mock

import pytest
import time_machine
from django.db import connection
from django.utils import timezone

from subsidy.api.models import IdempotencyKey
from subsidy.api.services.idempotency import idempotency_keys_purge, request_fingerprint
from subsidy.api.tasks import purge_idempotency_keys
from subsidy.webhooks.models import WebhookEndpoint
from subsidy.webhooks.services import delivery as webhooks

URL = "/api/v1/webhooks/"
BODY = {"url": "https://93.184.216.34/hooks", "event_types": ["application.submitted"]}


def post(client, body, key="key-1"):
    return client.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY=key)


@pytest.mark.django_db
def test_same_key_and_body_replays_the_first_response(partner_client):
    first = post(partner_client, BODY)
    again = post(partner_client, BODY)

    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert WebhookEndpoint.objects.count() == 1


@pytest.mark.django_db
def test_same_body_reordered_is_the_same_request(partner_client):
    post(partner_client, BODY)
    reordered = json.dumps({"event_types": BODY["event_types"], "url": BODY["url"]},
                           indent=2)
    again = partner_client.generic("POST", URL, reordered, content_type="application/json",
                                   HTTP_IDEMPOTENCY_KEY="key-1")
    assert again.status_code == 201
    assert WebhookEndpoint.objects.count() == 1


@pytest.mark.django_db
def test_same_key_with_a_different_body_is_422(partner_client):
    post(partner_client, BODY)
    response = post(partner_client, {**BODY, "url": "https://93.184.216.34/other"})

    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "idempotency_key_reused"
    assert WebhookEndpoint.objects.count() == 1


@pytest.mark.django_db
def test_a_refused_request_is_not_kept_so_the_corrected_retry_runs(partner_client):
    first = post(partner_client, {"url": "https://93.184.216.34/hooks", "event_types": []})
    corrected = post(partner_client, BODY)

    assert first.status_code == 400
    assert corrected.status_code == 201, corrected.json()
    assert "Idempotent-Replayed" not in corrected
    assert WebhookEndpoint.objects.count() == 1
    assert IdempotencyKey.objects.get().response_status == 201


@pytest.mark.django_db
def test_a_business_refusal_is_not_kept_either(partner_client, created, english,
                                               private_storage):
    from tests.builders.partner_applications import url

    refused = partner_client.patch(url(created), {"version": 99, "title": "T"},
                                   format="json", HTTP_IDEMPOTENCY_KEY="w-1")

    assert refused.status_code == 422 and refused.json()["code"] == "stale"
    assert not IdempotencyKey.objects.filter(key="w-1").exists()


@pytest.mark.django_db
def test_a_server_error_releases_the_key_so_a_retry_runs_again(partner_client):
    with mock.patch.object(webhooks, "webhook_endpoint_create", side_effect=RuntimeError):
        assert post(partner_client, BODY).status_code == 500
    assert post(partner_client, BODY).status_code == 201
    assert WebhookEndpoint.objects.count() == 1


@pytest.mark.django_db
def test_keys_belong_to_one_api_key(partner, issue_key, client_for):
    first = client_for(issue_key(partner=partner))
    second = client_for(issue_key(partner=partner))
    post(first, BODY)
    assert post(second, BODY).status_code == 201
    assert WebhookEndpoint.objects.count() == 2


@pytest.mark.django_db
def test_writes_without_the_header_are_not_recorded(partner_client):
    partner_client.post(URL, BODY, format="json")
    partner_client.post(URL, BODY, format="json")
    assert WebhookEndpoint.objects.count() == 2
    assert not IdempotencyKey.objects.exists()


@pytest.mark.django_db
def test_keys_older_than_24_hours_are_purged(partner_client):
    post(partner_client, BODY, key="old")
    with time_machine.travel(timezone.now() + timedelta(hours=23)):
        post(partner_client, BODY, key="recent")
        assert idempotency_keys_purge() == 0
    with time_machine.travel(timezone.now() + timedelta(hours=24, minutes=1)):
        assert purge_idempotency_keys.delay().get() == 1
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["recent"]


@pytest.mark.django_db
def test_after_purge_the_key_can_be_used_again(partner_client):
    post(partner_client, BODY)
    with time_machine.travel(timezone.now() + timedelta(hours=25)):
        idempotency_keys_purge()
        assert post(partner_client, {**BODY, "url": "https://93.184.216.34/new"}).status_code \
            == 201


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_duplicate_is_409_while_the_first_runs(partner, issue_key, client_for):
    plaintext = issue_key(partner=partner)
    first_client, second_client = client_for(plaintext), client_for(plaintext)
    started, release = threading.Event(), threading.Event()
    real_create = webhooks.webhook_endpoint_create
    results = {}

    def slow_create(**kwargs):
        started.set()
        assert release.wait(10)
        return real_create(**kwargs)

    def first_request():
        try:
            results["first"] = post(first_client, BODY)
        finally:
            connection.close()

    with mock.patch.object(webhooks, "webhook_endpoint_create", side_effect=slow_create):
        thread = threading.Thread(target=first_request)
        thread.start()
        assert started.wait(10)
        duplicate = post(second_client, BODY)
        release.set()
        thread.join(10)

    assert duplicate.status_code == 409
    assert duplicate.json()["code"] == "idempotency_conflict"
    assert results["first"].status_code == 201
    assert post(second_client, BODY).json() == results["first"].json()
    assert WebhookEndpoint.objects.count() == 1


def test_purge_runs_on_the_beat_schedule(settings):
    from config.celery import app

    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    ours = {"subsidy.tasks.purge_idempotency_keys", "subsidy.tasks.sweep_webhook_deliveries"}
    assert ours <= scheduled
    assert ours <= set(app.tasks)


@pytest.mark.django_db
def test_a_claim_abandoned_by_a_dead_process_is_taken_over_by_the_retry(partner_client):
    from subsidy.api.models import ApiKey

    IdempotencyKey.objects.create(
        api_key=ApiKey.objects.get(), key="key-1", request_method="POST", request_path=URL,
        request_fingerprint=request_fingerprint(method="POST", path=URL,
                                                body=json.dumps(BODY).encode()))
    assert post(partner_client, BODY).status_code == 409
    with time_machine.travel(timezone.now() + timedelta(minutes=6)):
        assert post(partner_client, BODY).status_code == 201
    assert post(partner_client, BODY)["Idempotent-Replayed"] == "true"
