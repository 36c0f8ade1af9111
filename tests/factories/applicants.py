"""Factories for organisations, applications and what an application contains.

``ApplicationFactory`` makes a draft. Asked for another status, it writes the row in that
state directly, as the seed data does; a test of how an application reaches a state goes
through the workflow (``tests.builders``)."""

from datetime import date, timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from applicants.models import (
    Application,
    ApplicationStatus,
    ApplicationStatusCount,
    ApplicationVersion,
    BudgetLine,
    Document,
    InformationRequest,
    Invitation,
    LinkRequest,
    Membership,
    Milestone,
    Organisation,
    OrganisationRegistration,
    PartnerLink,
    ReferenceSequence,
    StatusChange,
    TeamMember,
    status_gate_open,
)
from subsidy.scheme.models import DocumentType, Sector

from .platform import PartnerOrganisationFactory, UserFactory
from .scheme import FundingRoundFactory


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name_en = factory.Sequence(lambda n: f"Startup {n} Limited")
    name_zh = factory.Sequence(lambda n: f"初創{n}有限公司")
    br_number = factory.Sequence(lambda n: f"{10000000 + n}")
    incorporation_date = date(2023, 1, 15)
    size = Organisation.Size.MICRO
    sector = Sector.NLP


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    organisation = factory.SubFactory(OrganisationFactory)
    user = factory.SubFactory(UserFactory)
    role = Membership.Role.OWNER


class InvitationFactory(factory.django.DjangoModelFactory):
    """A pending invitation; its token is unknown (only the hash is kept), so a test that
    accepts one invites through ``invitation_create``."""

    class Meta:
        model = Invitation

    organisation = factory.SubFactory(OrganisationFactory)
    email = factory.Sequence(lambda n: f"invitee{n}@example.hk")
    role = Membership.Role.EDITOR
    token_hash = factory.Sequence(lambda n: f"{n:064x}")
    invited_by = factory.SubFactory(UserFactory)
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=7))


class PartnerLinkFactory(factory.django.DjangoModelFactory):
    """An active link, as after registration through the API or an owner's approval."""

    class Meta:
        model = PartnerLink

    partner = factory.SubFactory(PartnerOrganisationFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    created_via = PartnerLink.Origin.API
    requested_at = factory.LazyFunction(timezone.now)
    linked_at = factory.SelfAttribute("requested_at")


class LinkRequestFactory(factory.django.DjangoModelFactory):
    """A partner's open request for a number no company has (yet)."""

    class Meta:
        model = LinkRequest

    partner = factory.SubFactory(PartnerOrganisationFactory)
    br_number = factory.Sequence(lambda n: f"{70000000 + n:08d}")
    requested_at = factory.LazyFunction(timezone.now)


class OrganisationRegistrationFactory(factory.django.DjangoModelFactory):
    """A company a partner registered, waiting for the person it named as owner."""

    class Meta:
        model = OrganisationRegistration

    request = factory.SubFactory(LinkRequestFactory)
    profile = factory.LazyAttribute(lambda o: {
        "name_en": "Kowloon Vision Limited", "name_zh": "", "br_number": o.request.br_number,
        "cr_number": "", "district": "", "incorporation_date": "2024-02-01", "size": "1-9",
        "sector": "computer_vision", "is_cyberport_incubatee": False, "website": ""})
    owner_email = factory.Sequence(lambda n: f"founder{n}@example.hk")
    token_hash = factory.Sequence(lambda n: f"{n:064x}")
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=14))


class ApplicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Application

    round = factory.SubFactory(FundingRoundFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    title = factory.Sequence(lambda n: f"Cantonese speech recognition {n}")
    summary = "A speech model that transcribes Cantonese consultations."
    category = Sector.NLP
    start_date = date(2027, 1, 1)
    end_date = date(2027, 12, 31)
    total_eligible_cost = Decimal("2000000.00")
    requested_subsidy = Decimal("1000000.00")
    created_by = factory.SubFactory(UserFactory)
    reference = factory.LazyAttributeSequence(
        lambda o, n: None if o.status == ApplicationStatus.DRAFT
        else f"AISS-{o.round.code}-{n + 1:05d}")
    submitted_at = factory.LazyAttribute(
        lambda o: None if o.status == ApplicationStatus.DRAFT else timezone.now())
    status = ApplicationStatus.DRAFT

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        with status_gate_open():
            return super()._create(model_class, *args, **kwargs)


class ReferenceSequenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReferenceSequence

    round = factory.SubFactory(FundingRoundFactory)
    last_number = 0


class ApplicationStatusCountFactory(factory.django.DjangoModelFactory):
    """A count as the database's triggers keep it; tests of the counts make applications
    and read what the triggers wrote."""

    class Meta:
        model = ApplicationStatusCount

    round = factory.SubFactory(FundingRoundFactory)
    status = ApplicationStatus.SUBMITTED
    applications = 0


class StatusChangeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StatusChange

    application = factory.SubFactory(ApplicationFactory, status=ApplicationStatus.SUBMITTED)
    transition = "submit"
    from_status = ApplicationStatus.DRAFT
    to_status = ApplicationStatus.SUBMITTED


class InformationRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InformationRequest

    application = factory.SubFactory(ApplicationFactory,
                                     status=ApplicationStatus.INFO_REQUESTED)
    question = "Please attach the audited accounts for 2025."
    sections = factory.LazyFunction(lambda: ["budget"])
    created_by = factory.SubFactory(UserFactory)


class BudgetLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BudgetLine

    application = factory.SubFactory(ApplicationFactory)
    category = BudgetLine.Category.PERSONNEL
    description = "ML engineers"
    quantity = Decimal("2")
    unit_cost = Decimal("315000.00")
    amount = factory.LazyAttribute(lambda o: o.quantity * o.unit_cost)


class MilestoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Milestone

    application = factory.SubFactory(ApplicationFactory)
    deliverable = factory.Sequence(lambda n: f"Milestone {n}")
    due_date = date(2027, 6, 30)
    share_percent = Decimal("100")


class TeamMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TeamMember

    application = factory.SubFactory(ApplicationFactory)
    name = "Chan Tai Man"
    role = "Lead engineer"
    expertise = "Speech recognition"


class DocumentFactory(factory.django.DjangoModelFactory):
    """A document row naming a stored file that is not written; a test that reads the file
    uploads it through ``document_upload``."""

    class Meta:
        model = Document

    application = factory.SubFactory(ApplicationFactory)
    document_type = DocumentType.BUSINESS_PLAN
    file = factory.Sequence(lambda n: f"applications/00/document{n}.pdf")
    original_name = "plan.pdf"
    size = 1024
    sha256 = "0" * 64
    mime_type = "application/pdf"
    uploaded_by = factory.SubFactory(UserFactory)


class ApplicationVersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ApplicationVersion

    application = factory.SubFactory(ApplicationFactory, status=ApplicationStatus.SUBMITTED)
    number = 1
    snapshot = factory.LazyAttribute(lambda o: {"title": o.application.title})
    created_by = factory.SubFactory(UserFactory)
