"""Factories for compute at the AI Supercomputing Centre: plain rows. Statements posted the
way the Centre's files and API post them come from ``subsidy.compute.services``."""

import hashlib
from datetime import date
from decimal import Decimal

import factory

from subsidy.compute.models import ComputeAllocation, ComputeCharge, UsageStatement

from .applicants import OrganisationFactory
from .scheme import GrantFactory


class ComputeAllocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ComputeAllocation

    grant = factory.SubFactory(GrantFactory)
    hours = Decimal("1000.00")
    list_rate = factory.LazyAttribute(lambda row: row.grant.round.gpu_hour_rate)
    ratio_percent = factory.LazyAttribute(lambda row: row.grant.approved_ratio_percent)
    amount = factory.LazyAttribute(
        lambda row: (row.hours * row.list_rate * row.ratio_percent / 100).quantize(
            Decimal("0.01")))


class UsageStatementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = UsageStatement

    organisation = factory.SubFactory(OrganisationFactory)
    period = date(2026, 11, 1)
    reference = factory.Sequence(lambda n: f"AISC-2026-11-{n:04d}")
    source = UsageStatement.Source.CSV
    file_sha256 = factory.LazyAttribute(
        lambda row: hashlib.sha256(row.reference.encode()).hexdigest())


class ComputeChargeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ComputeCharge

    allocation = factory.SubFactory(ComputeAllocationFactory)
    grant = factory.SelfAttribute("allocation.grant")
    statement = factory.SubFactory(
        UsageStatementFactory,
        organisation=factory.SelfAttribute("..allocation.grant.application.organisation"))
    line_number = factory.Sequence(lambda n: n + 2)
    period = factory.SelfAttribute("statement.period")
    gpu_type = "H800"
    hours = Decimal("10.00")
    list_amount = factory.LazyAttribute(lambda row: row.hours * row.allocation.list_rate)
    subsidy_amount = factory.LazyAttribute(
        lambda row: (row.list_amount * row.allocation.ratio_percent / 100).quantize(
            Decimal("0.01")))
    company_amount = factory.LazyAttribute(lambda row: row.list_amount - row.subsidy_amount)
