"""Factories for reviewer pools, assignments, declarations, reviews and their corrections,
and panel members' declarations, meetings, attendance, agenda items and votes."""

from datetime import timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from applicants.models import ApplicationStatus
from reviews.models import (
    Assignment,
    ConflictDeclaration,
    CriterionScore,
    PanelAgendaItem,
    PanelAttendance,
    PanelDeclaration,
    PanelMeeting,
    PanelVote,
    Recommendation,
    Review,
    ReviewCorrectionRequest,
    ReviewerPoolMember,
    RoundAssessmentSettings,
)
from subsidy.platform.roles import Role

from .applicants import ApplicationFactory
from .platform import UserFactory
from .scheme import FundingRoundFactory


class ReviewerPoolMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReviewerPoolMember

    round = factory.SubFactory(FundingRoundFactory)
    reviewer = factory.SubFactory(UserFactory, roles=[Role.REVIEWER])
    expertise = factory.LazyFunction(lambda: ["nlp"])


class RoundAssessmentSettingsFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RoundAssessmentSettings

    round = factory.SubFactory(FundingRoundFactory)


class AssignmentFactory(factory.django.DjangoModelFactory):
    """An assignment awaiting the reviewer's conflict declaration."""

    class Meta:
        model = Assignment

    application = factory.SubFactory(ApplicationFactory, status=ApplicationStatus.IN_REVIEW)
    reviewer = factory.SubFactory(UserFactory, roles=[Role.REVIEWER])
    assigned_by = factory.SubFactory(UserFactory, roles=[Role.PROGRAMME_OFFICER])
    due_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=14))


class ConflictDeclarationFactory(factory.django.DjangoModelFactory):
    """No conflict declared, on an assignment that this makes active."""

    class Meta:
        model = ConflictDeclaration

    assignment = factory.SubFactory(AssignmentFactory, status=Assignment.Status.ACTIVE)
    reviewer = factory.SelfAttribute("assignment.reviewer")
    organisation = factory.SelfAttribute("assignment.application.organisation")
    has_conflict = False


class ReviewFactory(factory.django.DjangoModelFactory):
    """A draft review."""

    class Meta:
        model = Review

    assignment = factory.SubFactory(AssignmentFactory, status=Assignment.Status.ACTIVE)
    recommendation = Recommendation.FUND
    overall_comment = "Solid plan."


class CriterionScoreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CriterionScore

    review = factory.SubFactory(ReviewFactory)
    criterion = factory.Sequence(lambda n: f"criterion{n}")
    score = 4
    comment = "Clear plan."


class ReviewCorrectionRequestFactory(factory.django.DjangoModelFactory):
    """A reviewer's pending request to correct the review they submitted."""

    class Meta:
        model = ReviewCorrectionRequest

    assignment = factory.SubFactory(AssignmentFactory, status=Assignment.Status.SUBMITTED)
    reason = "I scored the wrong criterion for the team's experience."


class PanelDeclarationFactory(factory.django.DjangoModelFactory):
    """A panel member's declaration of no conflict on an application before the panel."""

    class Meta:
        model = PanelDeclaration

    application = factory.SubFactory(ApplicationFactory, status=ApplicationStatus.REVIEWED)
    member = factory.SubFactory(UserFactory, roles=[Role.PANEL_MEMBER])
    has_conflict = False


class PanelMeetingFactory(factory.django.DjangoModelFactory):
    """An open panel meeting of a round, chaired by a panel member."""

    class Meta:
        model = PanelMeeting

    round = factory.SubFactory(FundingRoundFactory)
    title = factory.Sequence(lambda n: f"Panel meeting {n}")
    held_on = factory.LazyFunction(lambda: timezone.localdate())
    chair = factory.SubFactory(UserFactory, roles=[Role.PANEL_MEMBER])
    quorum = 3


class PanelAttendanceFactory(factory.django.DjangoModelFactory):
    """A panel member present at a meeting."""

    class Meta:
        model = PanelAttendance

    meeting = factory.SubFactory(PanelMeetingFactory)
    member = factory.SubFactory(UserFactory, roles=[Role.PANEL_MEMBER])


class PanelAgendaItemFactory(factory.django.DjangoModelFactory):
    """A reviewed application on a meeting's agenda, not yet decided."""

    class Meta:
        model = PanelAgendaItem

    meeting = factory.SubFactory(PanelMeetingFactory)
    application = factory.SubFactory(ApplicationFactory, status=ApplicationStatus.REVIEWED)
    position = factory.Sequence(lambda n: n + 1)
    requested_amount = Decimal("700000.00")
    recommended_amount = Decimal("700000.00")


class PanelVoteFactory(factory.django.DjangoModelFactory):
    """A member's vote on an agenda item."""

    class Meta:
        model = PanelVote

    item = factory.SubFactory(PanelAgendaItemFactory)
    member = factory.SubFactory(UserFactory, roles=[Role.PANEL_MEMBER])
    choice = PanelVote.Choice.APPROVE
