"""The core app's records, by topic: users, schemes, rounds, audit and notifications
(``core``); partner API keys and webhooks (``api``); grants and their money (``grants``);
tranches, claims, payments and batches (``disbursement``)."""

from .api import (
    API_SCOPES,
    ApiKey,
    IdempotencyKey,
    PartnerMember,
    PartnerOrganisation,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEventType,
)
from .core import (
    MONEY,
    AuditEvent,
    DocumentType,
    FundingRound,
    Notification,
    NotificationPreference,
    Scheme,
    Sector,
    User,
    UserManager,
    UserRole,
    default_rubric,
)
from .disbursement import (
    BankAccount,
    Claim,
    ClaimEvidence,
    ClaimSpend,
    Disbursement,
    PaymentBatch,
    Tranche,
)
from .grants import Grant

__all__ = [
    "API_SCOPES", "MONEY", "ApiKey", "AuditEvent", "BankAccount", "Claim", "ClaimEvidence",
    "ClaimSpend", "Disbursement", "DocumentType", "FundingRound", "Grant", "PaymentBatch",
    "Tranche",
    "IdempotencyKey", "Notification", "NotificationPreference", "PartnerMember",
    "PartnerOrganisation", "Scheme",
    "Sector", "User", "UserManager", "UserRole", "WebhookDelivery", "WebhookEndpoint",
    "WebhookEventType", "default_rubric",
]
