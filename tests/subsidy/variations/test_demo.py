import pytest
from django.urls import reverse

from subsidy.devdata.demo import demo_seed
from subsidy.platform.models import User
from subsidy.variations.models import Variation

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_variation_waiting_for_the_officer(client):
    demo_seed()
    demo_seed()  # idempotent

    variation = Variation.objects.get()
    assert variation.status == "requested" and variation.decider == "officer"
    client.force_login(User.objects.get(email="officer@demo.aiss.hk"))
    page = client.get(reverse("variations:pending")).content.decode()
    assert reverse("variations:detail", args=[variation.pk]) in page
    assert client.get(reverse("variations:detail", args=[variation.pk])).status_code == 200
