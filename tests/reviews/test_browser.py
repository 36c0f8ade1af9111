import pytest
from django.conf import settings
from django.test import Client

from reviews.models import Assignment
from reviews.services.assignments import assignment_create
from subsidy.platform.roles import Role
from tests.browser.chromium import page  # noqa: F401
from tests.builders.reviews import application_in_review, pooled_reviewer
from tests.factories import FundingRoundFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, live_server, user):  # noqa: F811
    client = Client()
    client.force_login(user)
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME,
                               "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                               "url": live_server.url}])


def test_reviewer_declares_then_scores_with_a_live_total_and_submits(page, live_server):  # noqa: F811
    officer = UserFactory(roles=[Role.PROGRAMME_OFFICER])
    round_ = FundingRoundFactory(reviewers_per_application=1)
    reviewer = pooled_reviewer(round_, officer)
    application = application_in_review(round_)
    assignment = assignment_create(actor=officer, application=application, reviewer=reviewer)
    sign_in(page, live_server, reviewer)

    page.goto(f"{live_server.url}/reviews/")
    page.get_by_role("link", name=application.title, exact=False).click()
    page.get_by_label("No, I have no conflict of interest").check()
    page.get_by_role("button", name="Declare").click()

    scores = page.locator("input[type=number]")
    for index in range(scores.count()):
        scores.nth(index).fill("4")
    page.locator("output[data-review-total]").filter(has_text="80.00").wait_for()
    page.get_by_label("Recommendation").select_option("fund")
    page.get_by_label("Overall comment").fill("A credible team and a clear plan.")
    page.get_by_role("button", name="Submit review").click()
    page.get_by_text("Your review has been submitted.").wait_for()

    assignment.refresh_from_db()
    assert assignment.status == Assignment.Status.SUBMITTED
    application.refresh_from_db()
    assert application.status == "reviewed"
