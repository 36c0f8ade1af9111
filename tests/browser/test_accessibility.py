"""Every key page, in English and in Traditional Chinese, checked in Chromium:

- axe-core (tests/browser/vendor/axe.min.js, injected into the page) finds nothing
  critical or serious against WCAG 2.1 A and AA;
- at a phone's 390 px nothing scrolls sideways (the document is no wider than the screen).

The pages are those of the demo (``seed_demo``), as each role sees them."""

import pytest
from django.conf import settings
from django.test import Client

from applicants.models import Application
from reviews.models import Assignment
from subsidy.devdata.demo import demo_seed
from subsidy.platform.models import User
from subsidy.scheme.models import Grant
from tests.browser.axe import serious_findings
from tests.browser.chromium import page  # noqa: F401 - the shared Chromium fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def _pages():
    """(who, path) for each key page of the demo: every role's own pages."""
    submitted = Application.objects.exclude(reference="").order_by("pk").first()
    draft = Application.objects.filter(status="draft").order_by("pk").first()
    assignment = Assignment.objects.order_by("pk").first()
    code = submitted.round.code
    pages = [
        (None, "/"),
        (None, "/accounts/login/"),
        (None, "/accounts/signup/"),
        (None, "/no-such-page/"),
        ("applicant@demo.aiss.hk", "/applicant/"),
        ("applicant@demo.aiss.hk", f"/applicant/applications/{submitted.pk}/"),
        ("applicant@demo.aiss.hk", "/inbox/"),
        ("officer@demo.aiss.hk", "/staff/applications/"),
        ("officer@demo.aiss.hk", f"/staff/applications/{submitted.pk}/"),
        ("officer@demo.aiss.hk", f"/staff/rounds/{code}/ranking/"),
        ("panel@demo.aiss.hk", f"/staff/rounds/{code}/ranking/"),
        ("finance@demo.aiss.hk", "/finance/"),
    ]
    if draft is not None:
        owner = draft.organisation.memberships.filter(role="owner").first().user.email
        pages += [(owner, f"/applicant/applications/{draft.pk}/edit/project/"),
                  (owner, f"/applicant/applications/{draft.pk}/edit/budget/")]
    if assignment is not None:
        pages.append((assignment.reviewer.email, f"/reviews/assignments/{assignment.pk}/"))
    offer = Grant.objects.filter(status="offered").order_by("pk").first()
    if offer is not None:
        pages.append(("applicant.zh@demo.aiss.hk", f"/grants/{offer.pk}/sign/"))
    return pages


def _sign_in(page, live_server, email, language):  # noqa: F811
    context = page.context
    context.clear_cookies()
    cookies = [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language,
                "url": live_server.url}]
    if email:
        client = Client()
        client.force_login(User.objects.get(email=email))
        cookies.append({"name": settings.SESSION_COOKIE_NAME,
                        "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                        "url": live_server.url})
    context.add_cookies(cookies)


@pytest.mark.parametrize("language", ["en", "zh-hant"])
def test_key_pages_have_no_serious_accessibility_findings_and_fit_a_phone(
        page, live_server, language):  # noqa: F811
    demo_seed()
    # axe is injected as an inline script, which the site's CSP rightly refuses: this
    # context alone sets the CSP aside.
    context = page.context.browser.new_context(bypass_csp=True, viewport=PHONE)
    page = context.new_page()
    problems = []
    checked = 0
    for email, path in _pages():
        _sign_in(page, live_server, email, language)
        response = page.goto(f"{live_server.url}{path}")
        assert response.status in (200, 404), (path, response.status)
        assert page.url.endswith(path), (path, page.url)
        checked += 1
        for finding in serious_findings(page):
            problems.append(f"{path} ({email}): {finding}")
        width = page.evaluate("() => document.documentElement.scrollWidth")
        if width > PHONE["width"]:
            problems.append(f"{path} ({email}): {width}px wide at {PHONE['width']}px")
    assert checked >= 12
    assert not problems, "\n".join(problems)


def test_a_button_is_coloured_by_its_consequence_whatever_its_element(page, live_server):  # noqa: F811
    page.goto(f"{live_server.url}/accounts/login/")
    colours = page.evaluate("""() => {
        const main = document.querySelector('main');
        main.insertAdjacentHTML('beforeend',
            '<button type="submit" id="t-primary">Save</button>' +
            '<button type="submit" class="button-danger" id="t-danger">Withdraw</button>' +
            '<button type="submit" class="button button-danger" id="t-danger2">Terminate</button>' +
            '<a class="button button-danger" id="t-danger3" href="#">Withdraw</a>' +
            '<button type="submit" class="button-secondary" id="t-secondary">Back</button>');
        const bg = id => getComputedStyle(document.getElementById(id)).backgroundColor;
        return ['t-primary', 't-danger', 't-danger2', 't-danger3', 't-secondary'].map(bg);
    }""")
    primary, danger, danger2, danger3, secondary = colours
    assert primary == "rgb(0, 76, 151)"
    assert danger == danger2 == danger3 == "rgb(179, 38, 30)"
    assert secondary == "rgb(255, 255, 255)"
