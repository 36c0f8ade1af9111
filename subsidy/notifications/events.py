"""Every notification the product sends, in one table.

Each event has a stable code (the ``Notification.event`` value and the folder of its
templates under ``templates/notifications/<code>/``), a translatable label shown in the
inbox and on the preferences page, the audience it goes to, whether it is mandatory, and a
sample context that the administrators' preview page renders its templates with.

Mandatory events (decisions, requests for information, offers, account verification and
password reset) always go by email. Optional ones can be switched off for email by the
recipient; whatever the preference, every notification appears in the in-app inbox.
``subsidy.notifications.services.outbox.notify`` refuses a code that is not listed here.
"""

from dataclasses import dataclass, field

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from subsidy.platform.roles import STAFF_ROLES, Role


class Audience(models.TextChoices):
    ACCOUNT_HOLDER = "account_holder", _("Every account holder")
    APPLICANT = "applicant", _("Applicants")
    PROGRAMME_OFFICER = "programme_officer", _("Programme officers")
    REVIEWER = "reviewer", _("Reviewers")
    PANEL_MEMBER = "panel_member", _("Panel members")
    FINANCE_OFFICER = "finance_officer", _("Finance officers")
    FINANCE_APPROVER = "finance_approver", _("Finance approvers")
    STAFF = "staff", _("Staff")


# Which roles make an audience's events relevant to a user (for the preferences page).
AUDIENCE_ROLES: dict[str, frozenset[str]] = {
    Audience.APPLICANT: frozenset({Role.APPLICANT}),
    Audience.PROGRAMME_OFFICER: frozenset({Role.PROGRAMME_OFFICER}),
    Audience.REVIEWER: frozenset({Role.REVIEWER}),
    Audience.PANEL_MEMBER: frozenset({Role.PANEL_MEMBER}),
    Audience.FINANCE_OFFICER: frozenset({Role.FINANCE_OFFICER}),
    Audience.FINANCE_APPROVER: frozenset({Role.FINANCE_APPROVER}),
    Audience.STAFF: STAFF_ROLES,
}


class UnknownNotificationEventError(LookupError):
    """A notification was asked for with a code that is not in the registry: a programming
    error, so it is raised rather than written and left to fail later."""


@dataclass(frozen=True)
class NotificationEvent:
    code: str
    label: Promise
    audience: str
    mandatory: bool
    # Whether email is on for someone who never set a preference (the digest is opt-in).
    email_by_default: bool = True
    sample_context: dict = field(default_factory=dict)

    def email_default(self) -> bool:
        return self.mandatory or self.email_by_default

    @property
    def audience_label(self):
        return Audience(self.audience).label


_APPLICATION = {
    "application_id": 42,
    "reference": "AISS-2026R1-00042",
    "title": "Cantonese speech recognition for clinics",
    "organisation": "Example AI Limited",
    "round": "2026R1",
    "public_status": "Under assessment",
    "url": "/applicant/applications/42/",
}
_REVIEW = {**_APPLICATION, "url": "/reviews/assignments/7/", "due_at": "2026-12-01 18:00"}
_OFFER = {**_APPLICATION, "amount": "HK$1,200,000.00", "expires_at": "2026-12-15 18:00"}
_CLAIM = {**_APPLICATION, "tranche": "2", "amount": "HK$360,000.00",
          "url": "/finance/claims/3/"}
_VARIATION = {**_APPLICATION, "number": 2, "status": "requested", "decider": "officer",
              "reason": "", "amount": "HK$1,100,000.00", "url": "/variations/3/"}
_REPORT = {**_APPLICATION, "report": "Prototype delivered", "due_on": "2027-03-31",
           "url": "/grants/reports/5/"}
_DAR = {"case_id": 3, "reference": "DAR-00003", "requester": "Chan Tai Man",
        "received_on": "2026-11-02", "due_on": "2026-12-12", "url": "/staff/privacy/requests/3/"}

EVENTS: tuple[NotificationEvent, ...] = (
    # Accounts
    NotificationEvent(
        "account_verification", _("Confirm your email address"), Audience.ACCOUNT_HOLDER,
        mandatory=True,
        sample_context={"activate_url": "https://aiss.cyberport.hk/accounts/confirm-email/key/"},
    ),
    NotificationEvent(
        "password_reset", _("Password reset"), Audience.ACCOUNT_HOLDER, mandatory=True,
        sample_context={
            "password_reset_url": "https://aiss.cyberport.hk/accounts/password/reset/key/x/"},
    ),
    NotificationEvent(
        # Other account security messages (password changed, email changed, sign-in code).
        "account_message", _("Account security notice"), Audience.ACCOUNT_HOLDER,
        mandatory=True,
        sample_context={"template_prefix": "account/email/password_changed",
                        "email": "owner@example.hk", "site_name": "Cyberport AISS",
                        "current_site": {"name": "Cyberport AISS", "domain": ""}},
    ),
    NotificationEvent(
        "organisation_invitation", _("Invitation to join an organisation"),
        Audience.ACCOUNT_HOLDER, mandatory=True,
        sample_context={"organisation": "Example AI Limited", "inviter": "Chan Tai Man",
                        "role": "editor", "expires": "2026-12-10",
                        "url": "/applicant/invitations/abc/"},
    ),
    NotificationEvent(
        # A partner organisation registered a company; goes to the person it named as owner.
        "organisation_registration", _("A partner organisation registers your company"),
        Audience.ACCOUNT_HOLDER, mandatory=True,
        sample_context={"partner": "HKU iDendron", "organisation": "Example AI Limited",
                        "expires": "2026-12-10 18:00",
                        "url": "/applicant/registrations/abc/"},
    ),
    NotificationEvent(
        # A partner organisation asks to act for an existing company; goes to its owners.
        "partner_link_requested", _("A partner organisation asks to act for your company"),
        Audience.APPLICANT, mandatory=True,
        sample_context={"partner": "HKU iDendron", "organisation": "Example AI Limited",
                        "url": "/applicant/companies/7/partners/"},
    ),
    # Applications
    NotificationEvent(
        "application_submitted", _("Application received"), Audience.APPLICANT,
        mandatory=False, sample_context=_APPLICATION,
    ),
    NotificationEvent(
        "application_received", _("New application submitted"), Audience.PROGRAMME_OFFICER,
        mandatory=False, sample_context={**_APPLICATION, "url": "/staff/applications/42/"},
    ),
    NotificationEvent(
        "information_requested", _("Request for information"), Audience.APPLICANT,
        mandatory=True,
        sample_context={**_APPLICATION, "question": "Please upload the 2025 audited accounts."},
    ),
    NotificationEvent(
        "application_resubmitted", _("Answer to a request for information"),
        Audience.PROGRAMME_OFFICER, mandatory=False,
        sample_context={**_APPLICATION, "url": "/staff/applications/42/"},
    ),
    NotificationEvent(
        "application_withdrawn", _("Application withdrawn"), Audience.PROGRAMME_OFFICER,
        mandatory=False, sample_context={**_APPLICATION, "url": "/staff/applications/42/"},
    ),
    NotificationEvent(
        "application_ineligible", _("Application not eligible"), Audience.APPLICANT,
        mandatory=True,
        sample_context={**_APPLICATION, "public_status": "Not eligible",
                        "reason": "The company is not registered in Hong Kong."},
    ),
    NotificationEvent(
        # Changes of status without an event of their own: project completed or terminated.
        "application_status_changed", _("Decision or change of status"), Audience.APPLICANT,
        mandatory=True,
        sample_context={**_APPLICATION, "public_status": "Terminated",
                        "note": "The milestones were not met."},
    ),
    # Decisions
    NotificationEvent(
        "application_ready_for_decision", _("Application ready for the panel's decision"),
        Audience.PANEL_MEMBER, mandatory=False,
        sample_context={**_APPLICATION, "url": "/staff/applications/42/decision/"},
    ),
    NotificationEvent(
        "application_approved", _("Application approved: grant offer"), Audience.APPLICANT,
        mandatory=True,
        sample_context={**_OFFER, "public_status": "Offer made",
                        "conditions": "Hire two AI engineers in Hong Kong."},
    ),
    NotificationEvent(
        "application_rejected", _("Application not successful"), Audience.APPLICANT,
        mandatory=True,
        sample_context={**_APPLICATION, "public_status": "Not successful",
                        "reason": "The market evidence is not strong enough."},
    ),
    NotificationEvent(
        "application_waitlisted", _("Application on the reserve list"), Audience.APPLICANT,
        mandatory=True, sample_context={**_APPLICATION, "public_status": "On the reserve list"},
    ),
    # Reviews
    NotificationEvent(
        "reviewer_assigned", _("Review assigned to you"), Audience.REVIEWER,
        mandatory=False, sample_context=_REVIEW,
    ),
    NotificationEvent(
        "review_due_soon", _("Review due in 2 days"), Audience.REVIEWER,
        mandatory=False, sample_context=_REVIEW,
    ),
    NotificationEvent(
        "review_overdue", _("Review overdue"), Audience.REVIEWER,
        mandatory=False, sample_context=_REVIEW,
    ),
    NotificationEvent(
        "reviews_complete", _("All reviews are in"), Audience.PROGRAMME_OFFICER,
        mandatory=False, sample_context={**_APPLICATION, "url": "/staff/applications/42/"},
    ),
    # Offers
    NotificationEvent(
        "offer_expiring", _("Offer expiring in 3 days"), Audience.APPLICANT,
        mandatory=True, sample_context=_OFFER,
    ),
    NotificationEvent(
        "offer_lapsed", _("Offer lapsed"), Audience.APPLICANT, mandatory=True,
        sample_context={**_OFFER, "public_status": "Offer lapsed"},
    ),
    NotificationEvent(
        "offer_declined", _("Offer declined by the applicant"), Audience.PROGRAMME_OFFICER,
        mandatory=False,
        sample_context={**_OFFER, "public_status": "Offer declined",
                        "url": "/staff/applications/42/"},
    ),
    # Claims
    NotificationEvent(
        "claim_received", _("Claim received"), Audience.APPLICANT, mandatory=False,
        sample_context=_CLAIM,
    ),
    NotificationEvent(
        # A claim submitted or sent again after changes, waiting for verification.
        "claim_submitted_staff", _("Claim waiting for verification"),
        Audience.PROGRAMME_OFFICER, mandatory=False,
        sample_context={**_CLAIM, "revision": 1, "url": "/finance/claims/3/"},
    ),
    NotificationEvent(
        "claim_verified", _("Claim verified: payment to prepare"), Audience.FINANCE_OFFICER,
        mandatory=False, sample_context={**_CLAIM, "url": "/finance/claims/3/"},
    ),
    NotificationEvent(
        "payment_prepared", _("Payment waiting for approval"), Audience.FINANCE_APPROVER,
        mandatory=False, sample_context={**_CLAIM, "url": "/finance/payments/"},
    ),
    NotificationEvent(
        "claim_returned", _("Claim returned for changes"), Audience.APPLICANT,
        mandatory=False, sample_context={**_CLAIM, "note": "The progress report is unsigned."},
    ),
    NotificationEvent(
        "claim_approved", _("Claim approved"), Audience.APPLICANT, mandatory=False,
        sample_context=_CLAIM,
    ),
    NotificationEvent(
        "bank_account_changed", _("Bank account changed"), Audience.APPLICANT,
        mandatory=True,
        sample_context={"organisation": "Sha Tin Predictive Analytics Limited",
                        "bank_name": "HSBC", "masked_number": "••••••••8838",
                        "usable_from": "2026-12-04 09:00",
                        "url": "/finance/organisations/1/bank-account/"},
    ),
    NotificationEvent(
        "bank_account_changed_staff", _("Bank account to verify"), Audience.FINANCE_OFFICER,
        mandatory=True,
        sample_context={"organisation": "Sha Tin Predictive Analytics Limited",
                        "bank_name": "HSBC", "masked_number": "••••••••8838",
                        "usable_from": "2026-12-04 09:00", "url": "/finance/bank-accounts/"},
    ),
    NotificationEvent(
        "claim_paid", _("Claim paid"), Audience.APPLICANT, mandatory=False,
        sample_context={**_CLAIM, "bank_reference": "HSBC-20261201-0042"},
    ),
    # Closure: the grant closed, completed or terminated with its reason.
    NotificationEvent(
        "grant_closed", _("Grant closed"), Audience.APPLICANT, mandatory=True,
        sample_context={**_APPLICATION, "outcome": "completed", "outcome_label": "Completed",
                        "reason": "", "paid": "HK$1,200,000.00", "url": "/finance/grants/9/"},
    ),
    # Compute at the AI Supercomputing Centre: 80% and 100% of the allocation drawn.
    NotificationEvent(
        "compute_allocation_alert", _("Compute allocation used up to a threshold"),
        Audience.APPLICANT, mandatory=True,
        sample_context={**_APPLICATION, "threshold": "80", "drawn": "HK$7,400.00",
                        "allocation": "HK$9,250.00", "url": "/compute/grants/1/"},
    ),
    NotificationEvent(
        "compute_allocation_alert_staff", _("A grant's compute allocation used up to a "
                                            "threshold"),
        Audience.PROGRAMME_OFFICER, mandatory=False,
        sample_context={**_APPLICATION, "threshold": "100", "drawn": "HK$9,250.00",
                        "allocation": "HK$9,250.00", "url": "/compute/grants/1/"},
    ),
    # Progress reports
    NotificationEvent(
        "report_submitted_staff", _("Progress report waiting for review"),
        Audience.PROGRAMME_OFFICER, mandatory=False, sample_context={**_REPORT, "revision": 1},
    ),
    NotificationEvent(
        "report_accepted", _("Progress report accepted"), Audience.APPLICANT, mandatory=False,
        sample_context={**_REPORT, "note": ""},
    ),
    NotificationEvent(
        "report_returned", _("Progress report returned for changes"), Audience.APPLICANT,
        mandatory=True, sample_context={**_REPORT, "note": "Give the revenue figure."},
    ),
    NotificationEvent(
        "report_due_soon", _("Progress report due soon"), Audience.APPLICANT,
        mandatory=False, sample_context={**_REPORT, "days": 14},
    ),
    NotificationEvent(
        "report_overdue", _("Progress report overdue"), Audience.APPLICANT, mandatory=True,
        sample_context={**_REPORT, "days": 1},
    ),
    NotificationEvent(
        "report_overdue_staff", _("A grant's progress report is overdue"),
        Audience.PROGRAMME_OFFICER, mandatory=False, sample_context={**_REPORT, "days": 1},
    ),
    # Rounds
    NotificationEvent(
        "round_closing_soon", _("Round closing in 3 days"), Audience.APPLICANT,
        mandatory=False,
        sample_context={**_APPLICATION, "closes_at": "2026-12-31 18:00"},
    ),
    NotificationEvent(
        "draft_not_submitted", _("Draft not submitted yet"), Audience.APPLICANT,
        mandatory=False,
        sample_context={**_APPLICATION, "closes_at": "2026-12-31 18:00", "window": "14d"},
    ),
    # Personal data: a data access request must be answered within 40 days (PDPO s.19).
    NotificationEvent(
        "data_access_request_due_soon", _("Data access request due soon"), Audience.STAFF,
        mandatory=True, sample_context=_DAR,
    ),
    NotificationEvent(
        "data_access_request_overdue", _("Data access request overdue"), Audience.STAFF,
        mandatory=True, sample_context=_DAR,
    ),
    # Variations of a grant
    NotificationEvent(
        "variation_received", _("Variation request received"), Audience.APPLICANT,
        mandatory=False, sample_context=_VARIATION,
    ),
    NotificationEvent(
        "variation_to_decide", _("Variation waiting for a decision"), Audience.STAFF,
        mandatory=False, sample_context=_VARIATION,
    ),
    NotificationEvent(
        "variation_decided", _("Variation decided"), Audience.APPLICANT, mandatory=True,
        sample_context={**_VARIATION, "status": "approved", "reason": "Within the envelope."},
    ),
    NotificationEvent(
        "variation_decided_staff", _("Variation decided (staff)"), Audience.PROGRAMME_OFFICER,
        mandatory=False,
        sample_context={**_VARIATION, "status": "rejected", "reason": "No evidence of delay."},
    ),
    NotificationEvent(
        "agreement_version_to_sign", _("Agreement version to sign"), Audience.APPLICANT,
        mandatory=True,
        sample_context={**_APPLICATION, "version": 2, "url": "/grants/7/agreement/2/sign/"},
    ),
    # Staff
    NotificationEvent(
        "staff_daily_digest", _("Daily digest"), Audience.STAFF, mandatory=False,
        email_by_default=False,
        sample_context={"date": "2026-12-01", "unread": 4, "url": "/inbox/", "items": [
            {"label": "New application submitted", "count": 3},
            {"label": "Answer to a request for information", "count": 1},
        ]},
    ),
)

REGISTRY: dict[str, NotificationEvent] = {event.code: event for event in EVENTS}


def event_get(code: str) -> NotificationEvent:
    """The registered event ``code``; raise ``UnknownNotificationEventError`` otherwise."""
    try:
        return REGISTRY[code]
    except KeyError:
        raise UnknownNotificationEventError(
            f"Notification event {code!r} is not in subsidy.notifications.events") from None


def event_label(code: str):
    """The event's label, or the raw code for a row written before the event was retired."""
    event = REGISTRY.get(code)
    return event.label if event else code


def events_for(user) -> list[NotificationEvent]:
    """The events that may reach ``user``, given their roles: the ones their preferences page
    lists."""
    roles = set(user.roles)
    return [event for event in EVENTS
            if event.audience == Audience.ACCOUNT_HOLDER
            or roles & AUDIENCE_ROLES.get(event.audience, frozenset())]
