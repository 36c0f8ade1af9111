"""Idempotency for multipart uploads, on a small view built for the test."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import path
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from subsidy.api.idempotency import IdempotentWritesMixin


class UploadView(IdempotentWritesMixin, APIView):
    required_scopes = ["applications:write"]
    parser_classes = [MultiPartParser]
    runs = []

    def post(self, request):
        content = request.data["file"].read()
        UploadView.runs.append(content)
        return Response({"bytes": len(content), "title": request.data["title"]}, status=201)


urlpatterns = [path("upload/", UploadView.as_view())]

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]


@pytest.fixture(autouse=True)
def _no_runs_yet():
    UploadView.runs.clear()


def upload(client, content, title="Business plan"):
    return client.post("/upload/", {"title": title,
                                    "file": SimpleUploadedFile("plan.pdf", content)},
                       format="multipart", HTTP_IDEMPOTENCY_KEY="upload-1")


def test_same_upload_is_replayed_and_the_view_still_reads_the_whole_file(partner_client):
    first = upload(partner_client, b"%PDF-1.7 plan")
    again = upload(partner_client, b"%PDF-1.7 plan")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() == {"bytes": 13, "title": "Business plan"}
    assert UploadView.runs == [b"%PDF-1.7 plan"]


def test_a_different_file_under_the_same_key_is_422(partner_client):
    upload(partner_client, b"%PDF-1.7 plan")
    assert upload(partner_client, b"%PDF-1.7 other plan").status_code == 422
    assert len(UploadView.runs) == 1


def test_a_different_field_under_the_same_key_is_422(partner_client):
    upload(partner_client, b"%PDF-1.7 plan")
    assert upload(partner_client, b"%PDF-1.7 plan", title="Other").status_code == 422
