"""Factories for grants' reporting: plain rows. A report sent and reviewed the way users do
it comes from the services (``subsidy.progress.services``)."""

from datetime import date
from decimal import Decimal

import factory

from subsidy.progress.models import (
    IndicatorValue,
    OutcomeIndicator,
    ProgressReport,
    ReportEvidence,
    ReportingRequirement,
)

from .platform import UserFactory
from .scheme import FundingRoundFactory, GrantFactory


class OutcomeIndicatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OutcomeIndicator

    round = factory.SubFactory(FundingRoundFactory)
    code = factory.Sequence(lambda n: f"people-hired-{n}")
    name_en = "People hired"
    name_zh = "聘用人數"
    unit = "people"
    kind = OutcomeIndicator.Kind.COUNT


class ReportingRequirementFactory(factory.django.DjangoModelFactory):
    """A milestone report owed by an active grant."""

    class Meta:
        model = ReportingRequirement

    grant = factory.SubFactory(GrantFactory, status="active")
    number = factory.Sequence(lambda n: n + 1)
    kind = ReportingRequirement.Kind.MILESTONE
    title = "Prototype delivered"
    due_date = date(2027, 6, 30)


class ProgressReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProgressReport

    requirement = factory.SubFactory(ReportingRequirementFactory)
    narrative = "The prototype runs on the AISC cluster; two engineers joined."
    submitted_by = factory.SubFactory(UserFactory)


class IndicatorValueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IndicatorValue

    report = factory.SubFactory(ProgressReportFactory)
    indicator = factory.SubFactory(
        OutcomeIndicatorFactory, round=factory.SelfAttribute("..report.requirement.grant.round"))
    value = Decimal("2")


class ReportEvidenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReportEvidence

    report = factory.SubFactory(ProgressReportFactory)
    file = factory.Sequence(lambda n: f"reports/00/evidence{n}.pdf")
    original_name = "evidence.pdf"
    size = 2048
    mime_type = "application/pdf"
