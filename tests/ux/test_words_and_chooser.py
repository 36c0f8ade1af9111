"""Words that mean two things carry a context, and the language chooser changes the
language only when its button is pressed (WCAG 3.2.2, on input)."""

import pytest
from django.urls import reverse
from django.utils import timezone

from subsidy.notifications.models import Notification
from subsidy.platform.roles import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_open_in_the_chinese_inbox_means_open_the_message(client):
    user = UserFactory(roles=[Role.APPLICANT], language="zh-hant")
    Notification.objects.create(recipient=user, to_email=user.email,
                                event="application_submitted",
                                context={"reference": "AISS-2026R1-00001", "url": "/applicant/"},
                                status=Notification.Status.SENT, sent_at=timezone.now())
    client.force_login(user)
    page = client.get(reverse("notifications:inbox")).content.decode()
    button = page.split('name="open"', 1)[1].split("</button>", 1)[0]
    assert "開啟" in button
    assert "開放中" not in button


def test_the_language_chooser_waits_for_its_button(client):
    page = client.get("/accounts/login/").content.decode()
    chooser = page.split('class="language-switcher"', 1)[1].split("</form>", 1)[0]
    assert "data-autosubmit" not in chooser
    assert "js-hide" not in chooser
    assert 'type="submit"' in chooser
    with open("static/js/app.js", encoding="utf-8") as script:
        assert ".submit()" not in script.read()
