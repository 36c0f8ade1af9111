"""The staff's statement pages (upload a CSV: good, malformed, duplicate; the list) and a
grant's compute page, which the company sees too, in English and Chinese."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from subsidy.compute.models import ComputeAllocation, ComputeCharge, UsageStatement
from subsidy.platform.roles import Role
from tests.builders.compute import csv_of, grant_with_allocation, line, post_csv
from tests.factories import GrantFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer_client(client):
    client.force_login(UserFactory(roles=[Role.PROGRAMME_OFFICER]))
    return client


def _upload(client, content: bytes, reference="AISC-2026-11-0001"):
    return client.post(reverse("compute:statements"), {
        "reference": reference,
        "file": SimpleUploadedFile("statement.csv", content, content_type="text/csv")})


def test_an_officer_uploads_a_statement_and_sees_its_lines(officer_client):
    grant = grant_with_allocation()

    response = _upload(officer_client, csv_of(line(grant, 100)))

    statement = UsageStatement.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("compute:statement", args=[statement.pk])
    page = officer_client.get(response.url).content.decode()
    assert grant.application.reference in page and "1,295.00" in page


def test_a_malformed_file_lists_each_bad_line_and_posts_nothing(officer_client):
    grant = grant_with_allocation()
    content = csv_of(line(grant, 1), (grant.application.reference, "2026-13", "H800", "1",
                                      "18.50"))

    response = _upload(officer_client, content)

    assert response.status_code == 400
    assert "Line 3:" in response.content.decode()
    assert not ComputeCharge.objects.exists()


def test_a_malformed_file_is_explained_in_chinese(officer_client):
    grant = grant_with_allocation()
    officer_client.post(reverse("set_language"), {"language": "zh-hant", "next": "/"})

    response = _upload(officer_client, csv_of((grant.application.reference, "2026-11", "H800",
                                               "x", "18.50")))

    page = response.content.decode()
    assert "第 2 行" in page and "AISC 用量結算單" in page


def test_the_same_file_twice_says_it_was_already_received(officer_client):
    grant = grant_with_allocation()
    content = csv_of(line(grant, 10))
    _upload(officer_client, content)

    response = _upload(officer_client, content, reference="AISC-AGAIN")

    assert UsageStatement.objects.count() == 1
    page = officer_client.get(response.url).content.decode()
    assert "already received" in page


def test_the_example_csv_downloads(officer_client):
    response = officer_client.get(reverse("compute:statement_template"))

    assert response.content.decode().startswith("project,period,gpu_type,hours,list_amount")


def test_the_company_sees_its_grant_s_compute_page_but_not_the_statements(client):
    grant = grant_with_allocation()
    post_csv(csv_of(line(grant, 100)))
    client.force_login(grant.owner)

    page = client.get(reverse("compute:grant", args=[grant.pk])).content.decode()
    finance_page = client.get(reverse("finance:grant", args=[grant.pk])).content.decode()

    assert "<svg" in page and "12,950.00" in page and 'id="forecast"' in page
    assert "Set the allocation" not in page
    assert "Computing at the AI Supercomputing Centre" in finance_page
    assert client.get(reverse("compute:statements")).status_code == 403


def test_another_company_does_not_see_the_compute_page(client):
    grant = grant_with_allocation()
    client.force_login(UserFactory())

    assert client.get(reverse("compute:grant", args=[grant.pk])).status_code == 404


def test_an_officer_sets_the_allocation_from_the_grant_s_compute_page(officer_client):
    grant = GrantFactory()

    response = officer_client.post(reverse("compute:allocation", args=[grant.pk]),
                                   {"hours": "500"})

    assert response.status_code == 302
    assert ComputeAllocation.objects.get(grant=grant).amount == (500 * grant.round.gpu_hour_rate
                                                                 * grant.approved_ratio_percent
                                                                 / 100)


def test_the_statement_list_asks_the_same_queries_for_1_or_6_statements(
        officer_client, django_assert_num_queries):
    grant = grant_with_allocation(hours="10000")
    post_csv(csv_of(line(grant, 1)), reference="S0")
    officer_client.get(reverse("compute:statements"))  # session, caches
    with django_assert_num_queries(6) as one:
        officer_client.get(reverse("compute:statements"))
    for n in range(1, 6):
        post_csv(csv_of(line(grant, 1 + n)), reference=f"S{n}")

    with django_assert_num_queries(len(one)):
        officer_client.get(reverse("compute:statements"))
