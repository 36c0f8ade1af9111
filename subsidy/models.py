"""Where Django finds the ``subsidy`` app's models: each package owns its own records and
this module only loads them. Code imports a model from its package, never from here."""

from subsidy.agreements.models import ConditionPrecedent, GrantAgreement  # noqa: F401
from subsidy.api.models import ApiKey, IdempotencyKey  # noqa: F401
from subsidy.closure.models import GrantClosure  # noqa: F401
from subsidy.compute.models import ComputeAllocation, ComputeCharge, UsageStatement  # noqa: F401
from subsidy.finance.bankfiles.records import BankStatement, BankStatementEntry  # noqa: F401
from subsidy.finance.models import (  # noqa: F401
    BankAccount,
    Claim,
    ClaimEvidence,
    ClaimSpend,
    Disbursement,
    PaymentBatch,
    PaymentOutcome,
    Recovery,
    RecoveryReceipt,
    Tranche,
)
from subsidy.finance.periods.records import AccountingPeriod, PeriodAdjustment  # noqa: F401
from subsidy.notifications.models import Notification, NotificationPreference  # noqa: F401
from subsidy.platform.models import (  # noqa: F401
    AuditEvent,
    PartnerMember,
    PartnerOrganisation,
    User,
    UserRole,
)
from subsidy.privacy.models import DataAccessRequest  # noqa: F401
from subsidy.progress.models import (  # noqa: F401
    IndicatorValue,
    OutcomeIndicator,
    ProgressReport,
    ReportEvidence,
    ReportingRequirement,
)
from subsidy.scheme.models import FundingRound, Grant, Scheme  # noqa: F401
from subsidy.variations.models import (  # noqa: F401
    RoundVariationRules,
    Variation,
    VariationBudgetMove,
    VariationMilestoneChange,
)
from subsidy.webhooks.models import WebhookDelivery, WebhookEndpoint  # noqa: F401
