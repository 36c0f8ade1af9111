"""The round's reporting rules: its periods and its outcome indicators, changed by the staff
who manage rounds, each change audited; an indicator with values reported is retired, never
deleted, and a retired one is no longer asked in reports."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from applicants.errors import ProblemsError
from subsidy.platform.errors import DomainError, PermissionDeniedError
from subsidy.platform.models import AuditEvent
from subsidy.platform.roles import Role
from subsidy.progress.models import OutcomeIndicator
from subsidy.progress.services.indicators import (
    outcome_indicator_add,
    outcome_indicator_change,
    outcome_indicator_delete,
    outcome_indicator_move,
    outcome_indicator_retire,
    round_indicators_customise,
    round_reporting_periods_set,
)
from subsidy.progress.services.reports import ReportInput, report_submit
from tests.factories import (
    FundingRoundFactory,
    IndicatorValueFactory,
    OutcomeIndicatorFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def _codes(round_):
    return list(OutcomeIndicator.objects.filter(round=round_).order_by("position", "id")
                .values_list("code", flat=True))


def _audited(action):
    return AuditEvent.objects.filter(action=action).count()


def test_an_officer_sets_the_rounds_periods_and_it_is_audited(officer):
    round_ = FundingRoundFactory()
    round_reporting_periods_set(actor=officer, round_=round_, final_report_due_days=90,
                                report_reminder_days=30, report_escalation_days=7)

    round_.refresh_from_db()
    assert (round_.final_report_due_days, round_.report_reminder_days,
            round_.report_escalation_days) == (90, 30, 7)
    event = AuditEvent.objects.get(action="round.reporting_periods")
    assert event.before["report_reminder_days"] == 14 and event.after["report_reminder_days"] == 30


def test_periods_out_of_range_are_refused_each_on_its_field(officer):
    round_ = FundingRoundFactory()
    with pytest.raises(ProblemsError) as refused:
        round_reporting_periods_set(actor=officer, round_=round_, final_report_due_days=0,
                                    report_reminder_days=91, report_escalation_days=1)
    assert [field for field, _m in refused.value.problems] == ["final_report_due_days",
                                                               "report_reminder_days"]
    round_.refresh_from_db()
    assert round_.final_report_due_days == 60


def test_only_staff_who_manage_rounds_set_the_rules():
    round_ = FundingRoundFactory()
    with pytest.raises(PermissionDeniedError):
        round_reporting_periods_set(actor=UserFactory(roles=[Role.FINANCE_OFFICER]),
                                    round_=round_, final_report_due_days=90,
                                    report_reminder_days=14, report_escalation_days=1)
    with pytest.raises(PermissionDeniedError):
        outcome_indicator_add(actor=UserFactory(), round_=round_, name_en="Patents")
    administrator = UserFactory(roles=[Role.ADMINISTRATOR])
    assert outcome_indicator_add(actor=administrator, round_=round_, name_en="Patents").pk


def test_adding_to_a_round_on_the_default_set_keeps_the_defaults(officer):
    round_ = FundingRoundFactory()
    added = outcome_indicator_add(actor=officer, round_=round_, name_en="Patents filed",
                                  name_zh="已申請專利", unit="patents")

    assert _codes(round_) == ["models-trained", "people-hired", "revenue", "customers",
                              "papers", "aisc-hours", "patents-filed"]
    assert (added.name_zh, added.kind) == ("已申請專利", "count")
    assert _audited("indicator.add") == 1


def test_a_code_is_unique_in_the_round(officer):
    round_ = FundingRoundFactory()
    round_indicators_customise(actor=officer, round_=round_)
    with pytest.raises(ProblemsError) as refused:
        outcome_indicator_add(actor=officer, round_=round_, name_en="Income", code="revenue")
    assert refused.value.field == "code"
    assert outcome_indicator_add(actor=officer, round_=round_, name_en="Revenue").code == (
        "revenue-2")


def test_an_indicator_is_renamed_in_both_languages_and_audited(officer):
    indicator = OutcomeIndicatorFactory()
    outcome_indicator_change(actor=officer, indicator=indicator, name_en="Staff hired",
                             name_zh="已聘員工", unit="staff", kind="count")

    indicator.refresh_from_db()
    assert (indicator.name_en, indicator.name_zh, indicator.unit) == ("Staff hired", "已聘員工",
                                                                      "staff")
    event = AuditEvent.objects.get(action="indicator.change")
    assert (event.before["name_en"], event.after["name_en"]) == ("People hired", "Staff hired")


def test_the_kind_of_an_indicator_with_values_reported_is_fixed(officer):
    value = IndicatorValueFactory()
    with pytest.raises(ProblemsError) as refused:
        outcome_indicator_change(actor=officer, indicator=value.indicator, name_en="People",
                                 name_zh="", unit="", kind="amount")
    assert refused.value.field == "kind"


def test_indicators_move_up_and_down_and_not_past_the_ends(officer):
    round_ = FundingRoundFactory()
    first, second, third = round_indicators_customise(actor=officer, round_=round_)[:3]
    outcome_indicator_move(actor=officer, indicator=third, up=True)
    assert _codes(round_)[:3] == [first.code, third.code, second.code]
    with pytest.raises(DomainError):
        outcome_indicator_move(actor=officer, indicator=first, up=True)
    assert _audited("indicator.move") == 1


def test_an_indicator_with_values_reported_cannot_be_deleted_only_retired(officer):
    value = IndicatorValueFactory()
    OutcomeIndicatorFactory(round=value.indicator.round)  # another one stays in use
    with pytest.raises(DomainError) as refused:
        outcome_indicator_delete(actor=officer, indicator=value.indicator)
    assert refused.value.code == "indicator_reported"

    outcome_indicator_retire(actor=officer, indicator=value.indicator)
    value.indicator.refresh_from_db()
    assert value.indicator.retired_at is not None
    assert value.report.values.get().value == Decimal("2")
    assert _audited("indicator.retire") == 1


def test_an_indicator_without_values_is_deleted_and_audited(officer):
    round_ = FundingRoundFactory()
    indicators = round_indicators_customise(actor=officer, round_=round_)
    outcome_indicator_delete(actor=officer, indicator=indicators[0])
    assert "models-trained" not in _codes(round_)
    assert AuditEvent.objects.get(action="indicator.delete").before["code"] == "models-trained"


def test_the_last_indicator_in_use_stays(officer):
    indicator = OutcomeIndicatorFactory()
    with pytest.raises(DomainError):
        outcome_indicator_retire(actor=officer, indicator=indicator)
    with pytest.raises(DomainError):
        outcome_indicator_delete(actor=officer, indicator=indicator)


def test_a_retired_indicator_is_not_asked_in_reports_and_can_come_back(officer, active_grant):
    requirement = active_grant.reporting_requirements.get(number=1)
    indicators = list(OutcomeIndicator.objects.filter(round=active_grant.round))
    retired = indicators[0]
    outcome_indicator_retire(actor=officer, indicator=retired)

    report = report_submit(actor=active_grant.owner, requirement=requirement, data=ReportInput(
        narrative="On track.", values={i.pk: Decimal("1") for i in indicators[1:]}))
    assert retired.pk not in set(report.values.values_list("indicator_id", flat=True))

    outcome_indicator_retire(actor=officer, indicator=retired, retire=False)
    retired.refresh_from_db()
    assert retired.retired_at is None
    assert _audited("indicator.reinstate") == 1


def test_the_page_keeps_what_was_typed_when_a_period_is_refused(client, officer):
    round_ = FundingRoundFactory()
    client.force_login(officer)
    url = reverse("progress:round_reporting", args=[round_.code])
    response = client.post(url, {"final_report_due_days": "400", "report_reminder_days": "21",
                                 "report_escalation_days": "3"})

    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="form-errors"' in page and 'value="21"' in page and 'value="400"' in page
    response = client.post(url, {"final_report_due_days": "45", "report_reminder_days": "21",
                                 "report_escalation_days": "3"})
    assert response.status_code == 302
    round_.refresh_from_db()
    assert round_.report_reminder_days == 21


def test_the_page_adds_renames_and_retires_indicators(client, officer):
    round_ = FundingRoundFactory()
    client.force_login(officer)
    page = client.get(reverse("progress:round_reporting", args=[round_.code])).content.decode()
    assert "AISC hours used" in page  # the default set, shown before it is copied

    response = client.post(reverse("progress:indicator_add", args=[round_.code]),
                           {"name_en": "", "name_zh": "已申請專利", "kind": "count"})
    assert response.status_code == 400 and "已申請專利" in response.content.decode()
    client.post(reverse("progress:indicator_add", args=[round_.code]),
                {"name_en": "Patents filed", "name_zh": "已申請專利", "kind": "count"})
    patents = OutcomeIndicator.objects.get(round=round_, code="patents-filed")

    client.post(reverse("progress:indicator", args=[patents.pk]),
                {"name_en": "Patents granted", "name_zh": "已獲專利", "unit": "patents",
                 "kind": "count"})
    client.post(reverse("progress:indicator_action", args=[patents.pk]), {"action": "retire"})
    patents.refresh_from_db()
    assert (patents.name_en, patents.retired_at is not None) == ("Patents granted", True)
    page = client.get(reverse("progress:round_reporting", args=[round_.code])).content.decode()
    assert "Patents granted" in page and "Retired" in page


def test_the_rules_page_is_in_chinese(client, settings, officer):
    round_ = FundingRoundFactory()
    client.force_login(officer)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hant"
    page = client.get(reverse("progress:round_reporting", args=[round_.code])).content.decode()
    assert "輪的進度報告規則" in page


def _page_queries(client, round_):
    url = reverse("progress:round_reporting", args=[round_.code])
    client.get(url)  # warm the session and the caches
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_page_asks_the_same_queries_for_six_indicators_or_twelve(client, officer):
    round_ = FundingRoundFactory()
    round_indicators_customise(actor=officer, round_=round_)
    IndicatorValueFactory(indicator=OutcomeIndicator.objects.filter(round=round_).first())
    client.force_login(officer)
    six = _page_queries(client, round_)
    OutcomeIndicatorFactory.create_batch(6, round=round_)

    assert six == _page_queries(client, round_) == 6


def test_the_page_refuses_deleting_an_indicator_with_values_and_deletes_one_without(client,
                                                                                    officer):
    value = IndicatorValueFactory()
    spare = OutcomeIndicatorFactory(round=value.indicator.round)
    client.force_login(officer)

    response = client.post(reverse("progress:indicator_action", args=[value.indicator.pk]),
                           {"action": "delete"}, follow=True)
    assert "retire it instead of deleting it" in response.content.decode()
    response = client.post(reverse("progress:indicator_action", args=[spare.pk]),
                           {"action": "delete"})
    assert response.url.endswith("/reporting/#indicators")
    assert not OutcomeIndicator.objects.filter(pk=spare.pk).exists()
    assert OutcomeIndicator.objects.filter(pk=value.indicator.pk).exists()
