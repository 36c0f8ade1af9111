"""Pages: role dashboards, the profile, and the browser-side security of every page
(Content-Security-Policy without inline code, security headers)."""

import re

import pytest
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.urls import reverse

from subsidy.devdata.demo import demo_seed
from subsidy.platform.models import User
from subsidy.platform.roles import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "Correct-Horse-Battery-9"

# Each demo account, the dashboard it owns, and one it may not open.
DEMO_DASHBOARDS = [
    ("applicant@demo.aiss.hk", "applicants:dashboard", "core:dashboard_officer"),
    ("reviewer1@demo.aiss.hk", "core:dashboard_reviewer", "core:dashboard_panel"),
    ("officer@demo.aiss.hk", "core:dashboard_officer", "core:dashboard_finance"),
    ("panel@demo.aiss.hk", "core:dashboard_panel", "core:dashboard_reviewer"),
    ("finance@demo.aiss.hk", "core:dashboard_finance", "core:dashboard_admin"),
    ("approver@demo.aiss.hk", "core:dashboard_finance", "core:dashboard_applicant"),
    ("admin@demo.aiss.hk", "core:dashboard_admin", "core:dashboard_applicant"),
]
ALL_DASHBOARDS = ["core:dashboard_applicant", "core:dashboard_reviewer", "core:dashboard_officer",
                  "core:dashboard_panel", "core:dashboard_finance", "core:dashboard_admin"]


@pytest.fixture(autouse=True)
def _no_staff_2fa(settings):
    # Two-factor enforcement has tests of its own (test_accounts.py).
    settings.STAFF_REQUIRE_2FA = False


@pytest.fixture
def demo():
    demo_seed()


# --- Role dashboards -----------------------------------------------------------------------

@pytest.mark.parametrize(("email", "own", "_other"), DEMO_DASHBOARDS)
def test_each_demo_role_reaches_its_dashboard(client, demo, email, own, _other):
    client.force_login(User.objects.get(email=email))

    assert client.get(reverse(own)).status_code == 200


@pytest.mark.parametrize(("email", "_own", "other"), DEMO_DASHBOARDS)
def test_each_demo_role_is_refused_another_roles_dashboard(client, demo, email, _own, other):
    client.force_login(User.objects.get(email=email))

    assert client.get(reverse(other)).status_code == 403


@pytest.mark.parametrize(("email", "own", "_other"), DEMO_DASHBOARDS)
def test_dashboard_link_leads_each_role_to_its_own_page(client, demo, email, own, _other):
    client.force_login(User.objects.get(email=email))

    response = client.get(reverse("core:dashboard"))

    assert response.status_code == 302
    assert response.url == reverse(own)


def test_demo_accounts_sign_in_with_the_printed_password(client, demo):
    from subsidy.devdata.demo import DEMO_PASSWORD

    response = client.post(reverse("account_login"),
                           {"login": "applicant@demo.aiss.hk", "password": DEMO_PASSWORD})

    assert response.status_code == 302
    assert client.get(reverse("applicants:dashboard")).status_code == 200


def test_a_user_without_a_role_is_told_access_is_pending(client):
    client.force_login(UserFactory())

    response = client.get(reverse("core:dashboard"))

    assert response.status_code == 200
    assert "has no role yet" in response.content.decode()


def test_a_partner_is_taken_to_the_partner_portal(client, demo):
    client.force_login(User.objects.get(email="partner@demo.aiss.hk"))

    response = client.get(reverse("core:dashboard"), follow=True)

    assert response.redirect_chain == [(reverse("partner:dashboard"), 302)]
    assert reverse("api:docs") in response.content.decode()
    for url_name in ALL_DASHBOARDS:
        assert client.get(reverse(url_name)).status_code == 403


@pytest.mark.parametrize("url_name", ["core:dashboard", *ALL_DASHBOARDS, "core:profile"])
def test_anonymous_visitors_are_sent_to_sign_in(client, url_name):
    response = client.get(reverse(url_name))

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login") + "?next=")


def test_navigation_shows_only_the_users_own_role_pages(client, demo):
    client.force_login(User.objects.get(email="finance@demo.aiss.hk"))

    page = client.get(reverse("core:dashboard_finance")).content.decode()
    nav = re.search(r'<nav class="site-nav".*?</nav>', page, re.S).group(0)

    assert reverse("core:dashboard_finance") in nav
    assert reverse("core:dashboard_officer") not in nav
    assert reverse("core:dashboard_admin") not in nav


# The officer's adds two for each of the ten queues of work waiting (variations to decide
# is the tenth).
@pytest.mark.parametrize(("email", "expected"), [
    ("applicant@demo.aiss.hk", 8), ("reviewer1@demo.aiss.hk", 6), ("officer@demo.aiss.hk", 27),
    ("panel@demo.aiss.hk", 6), ("finance@demo.aiss.hk", 6), ("approver@demo.aiss.hk", 6),
    ("admin@demo.aiss.hk", 7)])
def test_dashboards_need_a_fixed_number_of_queries(client, demo, email, expected,
                                                    django_assert_num_queries):
    user = User.objects.get(email=email)
    client.force_login(user)
    own = dict((row[0], row[1]) for row in DEMO_DASHBOARDS)[email]

    with django_assert_num_queries(expected):
        assert client.get(reverse(own)).status_code == 200


# --- Profile -------------------------------------------------------------------------------

def test_profile_links_to_password_change_and_two_factor_set_up(client):
    client.force_login(UserFactory())

    page = client.get(reverse("core:profile")).content.decode()

    assert f'href="{reverse("account_change_password")}"' in page
    assert f'href="{reverse("mfa_index")}"' in page
    assert f'href="{reverse("account_email")}"' in page


def test_profile_saves_name_and_language_and_switches_the_site_language(client):
    user = UserFactory(full_name="Amy Cheung", language="en")
    client.force_login(user)

    response = client.post(reverse("core:profile"), {"full_name": "張美儀", "language": "zh-hant"})

    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.full_name, user.language) == ("張美儀", "zh-hant")
    assert 'lang="zh-Hant-HK"' in client.get(reverse("core:profile")).content.decode()


def test_profile_refuses_an_empty_name_with_the_error_on_the_field(client):
    user = UserFactory(full_name="Amy Cheung")
    client.force_login(user)

    response = client.post(reverse("core:profile"), {"full_name": "", "language": "en"})

    page = response.content.decode()
    assert response.status_code == 200
    assert re.search(r'<input[^>]*aria-invalid="true"[^>]*id="id_full_name"', page) or \
        re.search(r'<input[^>]*id="id_full_name"[^>]*aria-invalid="true"', page)
    assert 'id="id_full_name_error"' in page
    user.refresh_from_db()
    assert user.full_name == "Amy Cheung"


def test_profile_changes_are_audited(client):
    from subsidy.platform.models import AuditEvent

    user = UserFactory(full_name="Amy Cheung")
    client.force_login(user)

    client.post(reverse("core:profile"), {"full_name": "Amy Cheung Mei-yi", "language": "en"})

    event = AuditEvent.objects.get(action="user.update_profile")
    assert event.before["full_name"] == "Amy Cheung"
    assert event.after["full_name"] == "Amy Cheung Mei-yi"


# --- Content-Security-Policy and security headers -------------------------------------------

# JSON data blocks (type="application/json", as allauth's security-key pages pass their
# options) are data, not code: the policy does not run them.
INLINE_SCRIPT = re.compile(
    r"<script(?![^>]*\b(?:src=|type=\"application/json\"))[^>]*>(.*?)</script>",
    re.S | re.I)
STYLE_ATTRIBUTE = re.compile(r"<[^>]+\sstyle\s*=", re.I)
EVENT_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)


FIELD_TAG = re.compile(r"<(input|select|textarea)\b([^>]*)>", re.I)


def _unlabelled_fields(html: str) -> list[str]:
    """Form controls a screen reader could not name: no <label for=...> and no aria-label."""
    unlabelled = []
    for _tag, attrs in FIELD_TAG.findall(html):
        if re.search(r'type="(hidden|submit|button)"', attrs) or "aria-label" in attrs:
            continue
        field_id = re.search(r'\bid="([^"]+)"', attrs)
        if not field_id or f'for="{field_id.group(1)}"' not in html:
            unlabelled.append(attrs.strip())
    return unlabelled


@pytest.mark.parametrize("url_name", ["account_login", "account_signup", "account_reset_password"])
def test_every_field_of_the_public_account_forms_has_a_label(client, url_name):
    assert _unlabelled_fields(client.get(reverse(url_name)).content.decode()) == []


@pytest.mark.parametrize("url_name", ["core:profile", "account_change_password", "account_email"])
def test_every_field_of_the_account_settings_forms_has_a_label(client, url_name):
    client.force_login(UserFactory())

    assert _unlabelled_fields(client.get(reverse(url_name)).content.decode()) == []


def _directives(header: str) -> dict[str, list[str]]:
    parts = (p.strip().split() for p in header.split(";") if p.strip())
    return {p[0]: p[1:] for p in parts}


def _assert_no_inline_code(response):
    html = response.content.decode()
    inline = [code for code in INLINE_SCRIPT.findall(html) if code.strip()]
    assert inline == [], f"inline script on {response.request['PATH_INFO']}"
    assert not STYLE_ATTRIBUTE.search(html), f"style attribute on {response.request['PATH_INFO']}"
    assert not EVENT_HANDLER.search(html), f"event handler on {response.request['PATH_INFO']}"


@pytest.mark.parametrize("url_name", ["core:home", "account_login", "account_signup",
                                      "account_reset_password", "account_reset_password_done",
                                      "account_email_verification_sent"])
def test_public_pages_carry_no_inline_code(client, url_name):
    _assert_no_inline_code(client.get(reverse(url_name)))


@pytest.mark.parametrize(("email", "own", "_other"), DEMO_DASHBOARDS)
def test_dashboards_carry_no_inline_code(client, demo, email, own, _other):
    client.force_login(User.objects.get(email=email))

    _assert_no_inline_code(client.get(reverse(own)))


@pytest.mark.parametrize("url_name", ["core:profile", "mfa_index", "account_change_password",
                                      "account_logout", "account_email",
                                      "account_reauthenticate",
                                      "account_request_reauthentication_code"])
def test_account_pages_carry_no_inline_code(client, url_name):
    client.force_login(UserFactory())

    response = client.get(reverse(url_name))

    assert response.status_code == 200
    _assert_no_inline_code(response)


def test_totp_set_up_and_recovery_code_pages_carry_no_inline_code(client):
    user = UserFactory(roles=[Role.PROGRAMME_OFFICER])
    client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})

    activate = client.get(reverse("mfa_activate_totp"))

    assert activate.status_code == 200
    _assert_no_inline_code(activate)
    TOTP.activate(user, generate_totp_secret())
    RecoveryCodes.activate(user)
    for url_name in ("mfa_index", "mfa_view_recovery_codes", "mfa_generate_recovery_codes"):
        response = client.get(reverse(url_name))
        assert response.status_code == 200
        _assert_no_inline_code(response)


def test_two_factor_sign_in_page_carries_no_inline_code(client):
    user = UserFactory()
    TOTP.activate(user, generate_totp_secret())
    client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})

    response = client.get(reverse("mfa_authenticate"))

    assert response.status_code == 200
    _assert_no_inline_code(response)


def test_lockout_page_carries_no_inline_code(client, settings):
    user = UserFactory()
    for _attempt in range(settings.AXES_FAILURE_LIMIT + 1):
        response = client.post(reverse("account_login"),
                                {"login": user.email, "password": "wrong-password"})

    assert "account/lockout.html" in [t.name for t in response.templates]
    _assert_no_inline_code(response)


def test_pages_send_a_content_security_policy_without_inline_scripts(client):
    response = client.get(reverse("account_login"))

    policy = _directives(response["Content-Security-Policy"])
    script_src = policy.get("script-src", policy.get("default-src"))
    assert script_src == ["'self'"]
    assert "'unsafe-inline'" not in policy.get("style-src", [])
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]


def test_pages_send_the_security_headers(client):
    response = client.get(reverse("core:home"))

    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_forms_carry_a_csrf_token(client):
    page = client.get(reverse("account_login")).content.decode()

    assert 'name="csrfmiddlewaretoken"' in page


def test_the_panel_dashboard_leads_to_each_rounds_ranking_and_meetings(client):
    """A panel member starts from their dashboard: each recent round links to its ranking and
    its panel meetings, the pages the panel works on."""
    demo_seed()
    panel = User.objects.get(email="panel@demo.aiss.hk")
    client.force_login(panel)
    page = client.get(reverse("core:dashboard_panel")).content.decode()
    from subsidy.scheme.models import FundingRound

    codes = list(FundingRound.objects.values_list("code", flat=True))
    assert codes
    for code in codes:
        assert reverse("reviews:ranking", args=[code]) in page
        assert reverse("reviews:meetings", args=[code]) in page
    client.cookies["django_language"] = "zh-hant"
    assert "排名及評審委員會會議" in client.get(
        reverse("core:dashboard_panel"), HTTP_ACCEPT_LANGUAGE="zh-hant").content.decode()
