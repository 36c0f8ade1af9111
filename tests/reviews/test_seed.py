import pytest
from django.core.management import call_command

from reviews.models import ReviewerPoolMember

pytestmark = pytest.mark.django_db


def test_seed_demo_puts_the_three_demo_reviewers_in_the_open_rounds_pool():
    call_command("seed_demo")
    call_command("seed_demo")
    assert sorted(ReviewerPoolMember.objects.filter(round__code="2026R1", active=True)
                  .values_list("reviewer__email", flat=True)) == [
        "reviewer1@demo.aiss.hk", "reviewer2@demo.aiss.hk", "reviewer3@demo.aiss.hk"]
