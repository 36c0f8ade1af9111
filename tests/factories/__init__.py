"""Factories for every model of the three apps, one module per area. Each builds a plain,
valid row; where a test needs a record made the way users make it (a submitted
application, a paid tranche), it uses ``tests.builders``, which goes through the services."""

from .agreements import ConditionPrecedentFactory, GrantAgreementFactory
from .api import ApiKeyFactory, IdempotencyKeyFactory
from .applicants import (
    ApplicationFactory,
    ApplicationStatusCountFactory,
    ApplicationVersionFactory,
    BudgetLineFactory,
    DocumentFactory,
    InformationRequestFactory,
    InvitationFactory,
    LinkRequestFactory,
    MembershipFactory,
    MilestoneFactory,
    OrganisationFactory,
    OrganisationRegistrationFactory,
    PartnerLinkFactory,
    ReferenceSequenceFactory,
    StatusChangeFactory,
    TeamMemberFactory,
)
from .closure import GrantClosureFactory
from .compute import ComputeAllocationFactory, ComputeChargeFactory, UsageStatementFactory
from .finance import (
    AccountingPeriodFactory,
    BankAccountFactory,
    BankStatementEntryFactory,
    BankStatementFactory,
    ClaimEvidenceFactory,
    ClaimFactory,
    ClaimSpendFactory,
    DisbursementFactory,
    PaymentBatchFactory,
    PaymentOutcomeFactory,
    PeriodAdjustmentFactory,
    RecoveryFactory,
    RecoveryReceiptFactory,
    TrancheFactory,
)
from .notifications import NotificationFactory, NotificationPreferenceFactory
from .platform import (
    AuditEventFactory,
    PartnerMemberFactory,
    PartnerOrganisationFactory,
    UserFactory,
    UserRoleFactory,
)
from .privacy import DataAccessRequestFactory
from .progress import (
    IndicatorValueFactory,
    OutcomeIndicatorFactory,
    ProgressReportFactory,
    ReportEvidenceFactory,
    ReportingRequirementFactory,
)
from .reviews import (
    AssignmentFactory,
    ConflictDeclarationFactory,
    CriterionScoreFactory,
    PanelAgendaItemFactory,
    PanelAttendanceFactory,
    PanelDeclarationFactory,
    PanelMeetingFactory,
    PanelVoteFactory,
    ReviewCorrectionRequestFactory,
    ReviewerPoolMemberFactory,
    ReviewFactory,
    RoundAssessmentSettingsFactory,
)
from .scheme import FundingRoundFactory, GrantFactory, SchemeFactory
from .variations import (
    RoundVariationRulesFactory,
    VariationBudgetMoveFactory,
    VariationFactory,
    VariationMilestoneChangeFactory,
)
from .webhooks import WebhookDeliveryFactory, WebhookEndpointFactory

__all__ = [
    "ComputeAllocationFactory",
    "ComputeChargeFactory",
    "UsageStatementFactory",
    "AccountingPeriodFactory", "ApiKeyFactory", "ApplicationFactory",
    "ApplicationStatusCountFactory",
    "ApplicationVersionFactory", "AssignmentFactory",
    "AuditEventFactory", "BankAccountFactory", "BankStatementEntryFactory",
    "BankStatementFactory", "BudgetLineFactory", "ClaimEvidenceFactory",
    "ClaimFactory", "ClaimSpendFactory", "ConditionPrecedentFactory", "GrantClosureFactory",
    "ConflictDeclarationFactory", "GrantAgreementFactory",
    "DataAccessRequestFactory",
    "CriterionScoreFactory", "DisbursementFactory", "DocumentFactory", "FundingRoundFactory",
    "GrantFactory", "IdempotencyKeyFactory", "InformationRequestFactory",
    "InvitationFactory", "LinkRequestFactory", "MembershipFactory", "MilestoneFactory",
    "NotificationFactory",
    "NotificationPreferenceFactory", "OrganisationFactory", "OrganisationRegistrationFactory",
    "PartnerLinkFactory",
    "PanelAgendaItemFactory", "PanelAttendanceFactory", "PanelDeclarationFactory",
    "PanelMeetingFactory", "PanelVoteFactory", "PartnerMemberFactory", "PartnerOrganisationFactory",
    "PaymentBatchFactory", "PaymentOutcomeFactory", "PeriodAdjustmentFactory", "RecoveryFactory",
    "RecoveryReceiptFactory", "ReferenceSequenceFactory", "ReviewCorrectionRequestFactory",
    "ReviewFactory", "ReviewerPoolMemberFactory",
    "RoundAssessmentSettingsFactory", "SchemeFactory", "StatusChangeFactory",
    "TeamMemberFactory", "TrancheFactory", "UserFactory", "UserRoleFactory",
    "RoundVariationRulesFactory", "VariationBudgetMoveFactory", "VariationFactory",
    "VariationMilestoneChangeFactory",
    "WebhookDeliveryFactory", "WebhookEndpointFactory",
    "IndicatorValueFactory", "OutcomeIndicatorFactory", "ProgressReportFactory",
    "ReportEvidenceFactory", "ReportingRequirementFactory",
]
