import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, close_old_connections, connection, transaction
from django.utils import timezone

from subsidy.platform.errors import DomainError, PermissionDeniedError
from subsidy.platform.models import AuditEvent
from subsidy.platform.roles import Role
from subsidy.scheme.models import FundingRound, Scheme, default_rubric
from subsidy.scheme.services.rounds import (
    round_create,
    round_update,
    rubric_validate,
    scheme_set_budget,
)
from tests.factories import FundingRoundFactory, SchemeFactory, UserFactory

pytestmark = pytest.mark.django_db


def round_values(**overrides):
    now = timezone.now()
    values = {
        "code": "2027R1",
        "title_en": "Round 1",
        "opens_at": now,
        "closes_at": now + timedelta(days=30),
        "envelope": Decimal("100000000.00"),
        "max_subsidy_per_project": Decimal("5000000.00"),
        "gpu_hour_rate": Decimal("18.50"),
    }
    values.update(overrides)
    return values


@pytest.fixture
def officer():
    return UserFactory(roles=[Role.PROGRAMME_OFFICER])


@pytest.fixture
def scheme():
    return SchemeFactory(budget=Decimal("500000000.00"))


def test_round_create_saves_round_with_default_rubric_and_audits(officer, scheme):
    round_ = round_create(actor=officer, scheme=scheme, **round_values())

    assert round_.pk
    assert sum(c["weight"] for c in round_.rubric) == 100
    assert round_.max_ratio_percent == Decimal("70.00")
    event = AuditEvent.objects.get(action="round.create")
    assert event.actor == officer
    assert event.after["envelope"] == "100000000.00"


def test_envelope_beyond_scheme_budget_is_refused_with_clear_message_and_nothing_saved(
    officer, scheme
):
    round_create(actor=officer, scheme=scheme,
                 **round_values(code="R1", envelope=Decimal("450000000.00"),
                                max_subsidy_per_project=Decimal("1000000")))

    with pytest.raises(DomainError) as excinfo:
        round_create(actor=officer, scheme=scheme,
                     **round_values(code="R2", envelope=Decimal("60000000.00")))

    assert excinfo.value.field == "envelope"
    assert "HK$50,000,000.00" in str(excinfo.value.message)
    assert "past its budget" in str(excinfo.value.message)
    assert not FundingRound.objects.filter(code="R2").exists()
    assert not AuditEvent.objects.filter(object_repr__startswith="R2").exists()


def test_envelope_exactly_filling_the_budget_is_accepted(officer, scheme):
    round_create(actor=officer, scheme=scheme,
                 **round_values(code="R1", envelope=Decimal("500000000.00")))
    assert FundingRound.objects.filter(scheme=scheme).count() == 1


def test_raising_an_envelope_past_the_budget_is_refused_and_round_unchanged(officer, scheme):
    round_ = round_create(actor=officer, scheme=scheme,
                          **round_values(code="R1", envelope=Decimal("400000000.00")))
    with pytest.raises(DomainError):
        round_update(actor=officer, round_=round_, envelope=Decimal("500000000.01"))
    round_.refresh_from_db()
    assert round_.envelope == Decimal("400000000.00")


def test_lowering_an_envelope_is_accepted_and_audited_with_before_and_after(officer, scheme):
    round_ = round_create(actor=officer, scheme=scheme, **round_values(code="R1"))
    round_update(actor=officer, round_=round_, envelope=Decimal("80000000.00"))
    event = AuditEvent.objects.get(action="round.update")
    assert event.before["envelope"] == "100000000.00"
    assert event.after["envelope"] == "80000000.00"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"closes_at": timezone.now() - timedelta(days=1)}, "closes_at"),
        ({"max_ratio_percent": Decimal("90.01")}, "max_ratio_percent"),
        ({"max_ratio_percent": Decimal("0")}, "max_ratio_percent"),
        ({"envelope": Decimal("-1")}, "envelope"),
        ({"max_subsidy_per_project": Decimal("200000000.00")}, "max_subsidy_per_project"),
        ({"gpu_hour_rate": Decimal("-0.01")}, "gpu_hour_rate"),
        ({"eligible_categories": ["quantum"]}, "eligible_categories"),
        ({"required_documents": ["hkid_copy"]}, "required_documents"),
        ({"reviewers_per_application": 0}, "reviewers_per_application"),
    ],
)
def test_inconsistent_round_rules_are_refused_against_their_field(officer, scheme, overrides,
                                                                   field):
    with pytest.raises(DomainError) as excinfo:
        round_create(actor=officer, scheme=scheme, **round_values(**overrides))
    assert excinfo.value.field == field
    assert FundingRound.objects.count() == 0


def test_ratio_cap_of_90_percent_is_allowed(officer, scheme):
    round_ = round_create(actor=officer, scheme=scheme,
                          **round_values(max_ratio_percent=Decimal("90")))
    assert round_.max_ratio_percent == Decimal("90")


def test_rubric_weights_must_sum_to_100():
    rubric = default_rubric()
    rubric[0]["weight"] = 30
    with pytest.raises(DomainError, match="sum to 100; they sum to 105"):
        rubric_validate(rubric)


@pytest.mark.parametrize("weight", [0, 101, 12.5, "25", True])
def test_rubric_weight_must_be_whole_number_from_1_to_100(weight):
    rubric = [{"code": "a", "name_en": "A", "weight": weight}]
    with pytest.raises(DomainError):
        rubric_validate(rubric)


def test_rubric_criterion_codes_must_be_unique():
    rubric = [{"code": "a", "name_en": "A", "weight": 50},
              {"code": "a", "name_en": "B", "weight": 50}]
    with pytest.raises(DomainError, match="unique"):
        rubric_validate(rubric)


def test_round_create_refuses_a_bad_rubric(officer, scheme):
    with pytest.raises(DomainError) as excinfo:
        round_create(actor=officer, scheme=scheme,
                     **round_values(rubric=[{"code": "a", "name_en": "A", "weight": 99}]))
    assert excinfo.value.field == "rubric"


def test_duplicate_round_code_is_refused(officer, scheme):
    round_create(actor=officer, scheme=scheme, **round_values(code="R1",
                                                               envelope=Decimal("10000000")))
    with pytest.raises(DomainError, match="code already exists"):
        round_create(actor=officer, scheme=scheme, **round_values(code="R1",
                                                                   envelope=Decimal("10000000")))


@pytest.mark.parametrize("role", [Role.APPLICANT, Role.REVIEWER, Role.FINANCE_OFFICER,
                                  Role.PANEL_MEMBER])
def test_only_programme_officers_and_administrators_manage_rounds(scheme, role):
    user = UserFactory(roles=[role])
    with pytest.raises(PermissionDeniedError):
        round_create(actor=user, scheme=scheme, **round_values())
    assert FundingRound.objects.count() == 0


def test_scheme_budget_cannot_shrink_below_allocated_envelopes(officer, scheme):
    round_create(actor=officer, scheme=scheme,
                 **round_values(envelope=Decimal("300000000.00")))
    with pytest.raises(DomainError, match="HK\\$300,000,000.00"):
        scheme_set_budget(actor=officer, scheme=scheme, budget=Decimal("299999999.99"))
    scheme.refresh_from_db()
    assert scheme.budget == Decimal("500000000.00")


def test_database_refuses_round_closing_before_it_opens(scheme):
    now = timezone.now()
    with pytest.raises(IntegrityError), transaction.atomic():
        FundingRoundFactory(scheme=scheme, opens_at=now, closes_at=now - timedelta(hours=1))


def test_database_refuses_ratio_cap_above_90_percent(scheme):
    with pytest.raises(IntegrityError), transaction.atomic():
        FundingRoundFactory(scheme=scheme, max_ratio_percent=Decimal("95"))


@pytest.mark.postgres
def test_database_refuses_envelopes_past_budget_even_without_the_service(scheme):
    FundingRoundFactory(scheme=scheme, envelope=Decimal("400000000"))
    with pytest.raises(IntegrityError, match="exceed the budget"), transaction.atomic():
        FundingRoundFactory(scheme=scheme, envelope=Decimal("100000000.01"))


@pytest.mark.postgres
def test_database_refuses_rubric_whose_weights_do_not_sum_to_100(scheme):
    with pytest.raises(IntegrityError, match="round_rubric_weights_sum_100"), \
            transaction.atomic():
        FundingRoundFactory(scheme=scheme,
                            rubric=[{"code": "a", "name_en": "A", "weight": 60}])


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_rounds_created_at_the_same_moment_cannot_exceed_the_scheme_budget():
    """Each envelope fits alone, both together do not: exactly one is saved."""
    officer = UserFactory(roles=[Role.PROGRAMME_OFFICER])
    scheme = SchemeFactory(budget=Decimal("500000000.00"))
    FundingRoundFactory(scheme=scheme, envelope=Decimal("300000000.00"))
    barrier = threading.Barrier(2)
    outcomes = []

    def create(code):
        try:
            barrier.wait(timeout=10)
            round_create(actor=officer, scheme=scheme,
                         **round_values(code=code, envelope=Decimal("150000000.00")))
            outcomes.append("saved")
        except DomainError as exc:
            outcomes.append(exc.code)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=create, args=(code,)) for code in ("RA", "RB")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes) == ["saved", "scheme_budget_exceeded"]
    total = sum(r.envelope for r in FundingRound.objects.filter(scheme=scheme))
    assert total == Decimal("450000000.00")
    assert Scheme.objects.get(pk=scheme.pk).budget >= total


@pytest.mark.postgres
def test_audit_events_cannot_be_updated_or_deleted_in_the_database(officer, scheme):
    round_create(actor=officer, scheme=scheme, **round_values())
    with pytest.raises(Exception, match="append-only"), transaction.atomic(), \
            connection.cursor() as cursor:
        cursor.execute("UPDATE subsidy_auditevent SET action = 'tampered'")
    with pytest.raises(Exception, match="append-only"), transaction.atomic(), \
            connection.cursor() as cursor:
        cursor.execute("DELETE FROM subsidy_auditevent")
    assert AuditEvent.objects.filter(action="round.create").count() == 1


@pytest.mark.parametrize("language", ["en", "zh-hant"])
def test_ratio_cap_message_reads_correctly_in_each_language(officer, scheme, language):
    from django.utils import translation

    with translation.override(language), pytest.raises(DomainError) as excinfo:
        round_create(actor=officer, scheme=scheme,
                     **round_values(max_ratio_percent=Decimal("95")))
    message = str(excinfo.value.message)
    assert "90%" in message
    assert "0%" in message
    assert "{" not in message and "%%" not in message
