"""Error pages in the site's design, in English and Chinese together, and a favicon."""

import pytest
from django.test import Client, override_settings
from django.urls import include, path, reverse

from subsidy.platform.roles import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _branded_and_bilingual(response, english, chinese):
    page = response.content.decode()
    assert 'class="site-header"' in page
    assert english in page and chinese in page
    assert 'lang="zh-Hant-HK"' in page


@override_settings(DEBUG=False)
def test_a_missing_page_is_branded_and_bilingual(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    _branded_and_bilingual(response, "Page not found", "找不到此頁")


@override_settings(DEBUG=False)
def test_a_refused_page_is_branded_and_bilingual(client):
    client.force_login(UserFactory(roles=[Role.APPLICANT]))
    response = client.get(reverse("finance:dashboard"))
    assert response.status_code == 403
    _branded_and_bilingual(response, "You may not open this page", "你無權開啟此頁")


def _broken(request):
    raise RuntimeError("a fault in a page")


# This module is also the URL configuration of the server-error test: the site's pages,
# one page that fails, and the site's own handler500.
urlpatterns = [path("broken/", _broken), path("", include("config.urls"))]
handler500 = "subsidy.api.errors.server_error"


@override_settings(DEBUG=False, ROOT_URLCONF=__name__)
def test_a_server_error_is_branded_and_bilingual():
    client = Client(raise_request_exception=False)
    response = client.get("/broken/")
    assert response.status_code == 500
    _branded_and_bilingual(response, "something went wrong on our side", "系統出現問題")


def test_the_favicon_is_served_by_the_site(client):
    page = client.get("/accounts/login/").content.decode()
    assert 'rel="icon" href="/static/favicon.svg"' in page
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"] == "/static/favicon.svg"
