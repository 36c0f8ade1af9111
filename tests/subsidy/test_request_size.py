"""A body declared larger than REQUEST_MAX_BYTES is answered 413 before it is read."""

import pytest
from django.conf import settings

from applicants import rules

pytestmark = pytest.mark.django_db


class UnreadableBody:
    """A request body that fails the test if anything reads it."""

    def read(self, *args):
        raise AssertionError("the body was read")

    readline = read


@pytest.mark.parametrize("path", [
    "/applications/1/documents/",
    "/api/v1/applications/00000000-0000-0000-0000-000000000000/documents/",
    "/accounts/login/",
])
def test_a_huge_body_is_refused_with_413_unread(client, path):
    response = client.generic("POST", path, b"",
                              content_type="multipart/form-data; boundary=xyz",
                              CONTENT_LENGTH=str(300 * 1024 * 1024),
                              **{"wsgi.input": UnreadableBody()})
    assert response.status_code == 413
    text = response.content.decode()
    assert "The request is too large: at most 11 MB" in text
    assert "請求過大" in text


def test_the_limit_leaves_room_for_the_largest_document_and_its_form():
    assert settings.REQUEST_MAX_BYTES >= rules.DOCUMENT_MAX_BYTES + 512 * 1024
