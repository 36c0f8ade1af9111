import pytest
from django.urls import reverse

from subsidy.compute.models import ComputeAllocation, UsageStatement
from subsidy.devdata.demo import demo_seed
from subsidy.platform.models import User

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_grant_with_compute_usage_posted(client):
    demo_seed()
    demo_seed()  # idempotent

    allocation = ComputeAllocation.objects.get()
    assert UsageStatement.objects.count() == 2
    client.force_login(User.objects.get(email="applicant@demo.aiss.hk"))
    page = client.get(reverse("compute:grant", args=[allocation.grant_id])).content.decode()
    assert "<svg" in page and 'id="forecast"' in page
    client.force_login(User.objects.get(email="officer@demo.aiss.hk"))
    assert "AISC-" in client.get(reverse("compute:statements")).content.decode()
