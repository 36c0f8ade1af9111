"""The claim and bank account forms show the site's one error pattern: a summary headed
"There is a problem", focusable, each error a link to its field."""

import re

import pytest
from django.urls import reverse

from tests.builders.accounts import confirm_identity

pytestmark = pytest.mark.django_db


def _summary(response):
    page = response.content.decode()
    assert response.status_code == 200
    match = re.search(r'<div class="error-summary" role="alert" tabindex="-1"[^>]*>(.*?)</div>',
                      page, re.S)
    assert match, "no error summary"
    assert "There is a problem" in match.group(1)
    return match.group(1)


def test_a_refused_claim_has_the_error_summary(client, active_grant):
    client.force_login(active_grant.owner)
    response = client.post(reverse("finance:tranche_claim", args=[active_grant.pk, 1]),
                           {"amount": "", "narrative": ""})
    summary = _summary(response)
    assert 'href="#id_amount"' in summary


def test_a_refused_bank_account_has_the_error_summary(client, active_grant):
    organisation = active_grant.application.organisation
    client.force_login(active_grant.owner)
    confirm_identity(client)
    response = client.post(reverse("finance:bank_account", args=[organisation.pk]),
                           {"account_name": ""})
    _summary(response)
