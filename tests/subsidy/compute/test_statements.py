"""Usage statements: validated whole (every bad line named, nothing half-posted), refused
when received twice, posted capped at the allocation with the excess named, and the 80% and
100% alerts sent once each to the company and the programme officers."""

from decimal import Decimal

import pytest

from subsidy.compute.models import ComputeCharge, UsageStatement
from subsidy.compute.selectors import grant_compute_summaries
from subsidy.compute.services.allocations import compute_allocation_release
from subsidy.compute.services.statements import StatementDuplicate, StatementRejected
from subsidy.notifications.models import Notification
from subsidy.platform.roles import Role
from tests.builders.compute import csv_of, grant_with_allocation, line, post_csv
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_good_statement_posts_subsidy_and_the_company_s_share_per_line():
    grant = grant_with_allocation()  # 1,000 h at 18.50 x 70% = 12,950.00

    statement = post_csv(csv_of(line(grant, 100), line(grant, "20.5", gpu="A100")))

    charges = list(statement.charges.order_by("line_number"))
    assert [(c.line_number, c.list_amount, c.subsidy_amount, c.company_amount)
            for c in charges] == [(2, Decimal("1850.00"), Decimal("1295.00"), Decimal("555.00")),
                                  (3, Decimal("379.25"), Decimal("265.48"), Decimal("113.77"))]
    assert statement.organisation_id == grant.application.organisation_id
    assert statement.period.isoformat() == "2026-11-01"


def test_a_bad_line_rejects_the_whole_file_with_its_line_number():
    grant = grant_with_allocation()
    content = csv_of(line(grant, 10), (grant.application.reference, "2026-11", "H800", "ten",
                                       "185.00"), ("AISS-NOPE-00001", "2026-11", "H800", "1",
                                                    "18.50"))

    with pytest.raises(StatementRejected) as rejected:
        post_csv(content)

    assert [p.line for p in rejected.value.problems] == [3, 4]
    assert "AISS-NOPE-00001" in str(rejected.value.problems[1])
    assert not UsageStatement.objects.exists() and not ComputeCharge.objects.exists()


def test_a_list_amount_that_is_not_hours_at_the_rate_is_named():
    grant = grant_with_allocation()

    with pytest.raises(StatementRejected) as rejected:
        post_csv(csv_of((grant.application.reference, "2026-11", "H800", "10", "200.00")))

    assert "185.00" in str(rejected.value.problems[0])


def test_lines_of_two_months_or_two_companies_are_refused():
    grant, other = grant_with_allocation(), grant_with_allocation()

    with pytest.raises(StatementRejected) as rejected:
        post_csv(csv_of(line(grant, 1), line(grant, 1, period="2026-10"), line(other, 1)))

    assert [p.line for p in rejected.value.problems] == [3, 4]


def test_a_file_without_the_header_is_refused_on_line_1():
    with pytest.raises(StatementRejected) as rejected:
        post_csv(b"project,hours\nAISS-X,1\n")

    assert rejected.value.problems[0].line == 1


def test_the_same_file_twice_is_refused_and_posts_nothing_again():
    grant = grant_with_allocation()
    content = csv_of(line(grant, 10))
    first = post_csv(content)

    with pytest.raises(StatementDuplicate) as duplicate:
        post_csv(content, reference="AISC-OTHER")

    assert duplicate.value.statement == first and duplicate.value.same_content
    assert ComputeCharge.objects.count() == 1


def test_another_file_with_the_same_reference_for_the_same_month_is_refused():
    grant = grant_with_allocation()
    post_csv(csv_of(line(grant, 10)))

    with pytest.raises(StatementDuplicate) as duplicate:
        post_csv(csv_of(line(grant, 11)))

    assert not duplicate.value.same_content
    assert ComputeCharge.objects.count() == 1


def test_use_beyond_the_allocation_is_capped_and_the_excess_named():
    grant = grant_with_allocation(hours="100")  # 1,295.00

    statement = post_csv(csv_of(line(grant, 80), line(grant, 40)))

    second = statement.charges.get(line_number=3)
    # 40 h: 740.00 list, 518.00 uncapped; only 259.00 left (20 h).
    assert (second.subsidy_amount, second.excess_amount, second.company_amount) == (
        Decimal("259.00"), Decimal("259.00"), Decimal("481.00"))
    summary = grant_compute_summaries([grant.pk])[grant.pk]
    assert summary.drawn_amount == summary.allocation_amount == Decimal("1295.00")


def test_the_80_and_100_percent_alerts_go_once_each_to_the_company_and_officers():
    officer = UserFactory(roles=[Role.PROGRAMME_OFFICER])
    grant = grant_with_allocation(hours="100")

    def alerts():
        # The threshold is read from the whole context: SQLite's JSON key lookup would
        # answer "80" as the number 80.
        return [(recipient_id, context["threshold"]) for recipient_id, context
                in Notification.objects.filter(event__startswith="compute_allocation_alert")
                .values_list("recipient_id", "context")]

    post_csv(csv_of(line(grant, 50)), reference="S1")
    assert alerts() == []
    post_csv(csv_of(line(grant, 35)), reference="S2")
    assert sorted(alerts()) == sorted([(grant.owner.pk, "80"), (officer.pk, "80")])
    post_csv(csv_of(line(grant, 5)), reference="S3")
    assert len(alerts()) == 2
    post_csv(csv_of(line(grant, 20)), reference="S4")
    assert sorted(alerts()) == sorted([(grant.owner.pk, "80"), (officer.pk, "80"),
                                       (grant.owner.pk, "100"), (officer.pk, "100")])
    post_csv(csv_of(line(grant, 1)), reference="S5")
    assert len(alerts()) == 4


def test_nothing_is_posted_after_the_allocation_was_released():
    grant = grant_with_allocation()
    compute_allocation_release(grant=grant, actor=None)

    with pytest.raises(StatementRejected) as rejected:
        post_csv(csv_of(line(grant, 1)))

    assert rejected.value.problems[0].line == 2
