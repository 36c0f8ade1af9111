"""Variations waiting for a decision are a queue on the officer's dashboard: how many, the
age of the oldest, and a link to the list of variations to decide."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from subsidy.scheme.workload import officer_workload
from tests.factories import VariationFactory

pytestmark = pytest.mark.django_db


def test_variations_waiting_are_counted_oldest_first_and_link_to_the_list(client, officer):
    newer = VariationFactory(requested_at=timezone.now() - timedelta(days=2, hours=1))
    older = VariationFactory(requested_at=timezone.now() - timedelta(days=6, hours=1),
                             decider="panel")
    VariationFactory(status="withdrawn", withdrawn_at=timezone.now())

    queue = next(q for q in officer_workload() if q.code == "variations_to_decide")

    assert queue.count == 2
    assert queue.oldest_days == 6
    assert queue.url == reverse("variations:pending")
    assert [item.url for item in queue.items] == [
        reverse("variations:detail", args=[older.pk]),
        reverse("variations:detail", args=[newer.pk])]


@pytest.mark.parametrize(("language", "label"), [("en", "Variations to decide"),
                                                  ("zh-hant", "待決定的更改")])
def test_the_officers_dashboard_shows_the_queue_in_both_languages(client, officer, language,
                                                                   label):
    VariationFactory(requested_at=timezone.now() - timedelta(days=3, hours=1))
    client.force_login(officer)
    client.post(reverse("set_language"), {"language": language, "next": "/"})

    page = client.get(reverse("core:dashboard_officer")).content.decode()

    assert label in page
    assert reverse("variations:pending") in page
