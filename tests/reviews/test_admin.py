import pytest
from django.urls import reverse

from reviews.services.assignments import assignment_create
from tests.builders.reviews import application_in_review, pooled_reviewer, submit_review

pytestmark = pytest.mark.django_db


def test_admin_lists_reviews_but_cannot_change_them(admin_client, round_, officer):
    assignment = assignment_create(actor=officer, application=application_in_review(round_),
                                   reviewer=pooled_reviewer(round_, officer))
    review = submit_review(assignment, 4)
    assert admin_client.get(reverse("admin:reviews_review_changelist")).status_code == 200
    page = admin_client.get(reverse("admin:reviews_review_change", args=[review.pk]))
    assert page.status_code == 200
    assert b'name="recommendation"' not in page.content
    assert admin_client.post(reverse("admin:reviews_review_delete", args=[review.pk]),
                             {"post": "yes"}).status_code == 403
