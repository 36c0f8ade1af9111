"""The applicant side's records: organisations with their members, invitations and partner
links (``organisations``); applications and their lifecycle records (``applications``);
what an application contains (``content``)."""

from .applications import (
    NOT_LIVE_STATUSES,
    Application,
    ApplicationQuerySet,
    ApplicationStatus,
    ApplicationStatusCount,
    InformationRequest,
    ReferenceSequence,
    StatusChange,
    StatusWriteRefused,
    status_gate_open,
)
from .content import (
    ApplicationVersion,
    BudgetLine,
    Document,
    Milestone,
    TeamMember,
    document_upload_to,
)
from .organisations import (
    District,
    Invitation,
    LinkRequest,
    Membership,
    Organisation,
    OrganisationRegistration,
    PartnerLink,
    validate_br_number,
    validate_cr_number,
)

__all__ = [
    "NOT_LIVE_STATUSES", "Application", "ApplicationQuerySet", "ApplicationStatus",
    "ApplicationStatusCount", "ApplicationVersion", "BudgetLine", "District", "Document",
    "InformationRequest",
    "Invitation", "LinkRequest", "Membership", "Milestone", "Organisation",
    "OrganisationRegistration", "PartnerLink",
    "ReferenceSequence", "StatusChange", "StatusWriteRefused", "TeamMember",
    "document_upload_to", "status_gate_open", "validate_br_number", "validate_cr_number",
]
