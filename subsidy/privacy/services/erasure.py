"""Closing an account (PDPO Data Protection Principle 2(2) and s.26): what no retention
duty requires is erased, and the person is anonymised in what the scheme must keep.

Kept, with the reason (docs/privacy.md): applications, their documents and versions,
reviews, grants, claims and payments (the scheme's records of public money, kept for audit
by the Director of Audit and the funding bureau), and the audit trail (append-only, the
scheme's accountability record; it names the account by the email address it had then).
"""

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.sessions.models import Session
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from applicants.models import Application, Invitation, Membership, Organisation
from subsidy.api.models import ApiKey
from subsidy.notifications.models import Notification, NotificationPreference
from subsidy.platform.accounts import require_another_administrator
from subsidy.platform.audit import audit_record
from subsidy.platform.errors import DomainError
from subsidy.platform.models import PartnerMember, User, UserRole
from subsidy.privacy.services.retention import CLOSED_STATUSES

KEPT_RECORDS = ["applications", "application_documents", "reviews", "grants_claims_payments",
                "audit_trail"]


def account_closure_blockers(*, user: User) -> list[str]:
    """Why ``user`` cannot close their account now, in words for them; empty when they can.

    The last active administrator cannot leave (nobody could manage accounts afterwards);
    the only owner of a company with an application or grant still running must first
    make someone else an owner, or the company would be left without anyone to act for it.
    """
    reasons = []
    with transaction.atomic():  # the administrator check locks the administrators' rows
        try:
            require_another_administrator(user)
        except DomainError as error:
            reasons.append(str(error.message))
    owned = Membership.objects.filter(user=user, role=Membership.Role.OWNER)
    other_owners = (Membership.objects
                    .filter(organisation__in=owned.values("organisation_id"),
                            role=Membership.Role.OWNER, user__is_active=True)
                    .exclude(user=user))
    running = (Application.objects.filter(organisation__in=owned.values("organisation_id"))
               .exclude(status__in=CLOSED_STATUSES))
    stranded = (Organisation.objects.filter(pk__in=running.values("organisation_id"))
                .exclude(pk__in=other_owners.values("organisation_id")).order_by("name_en"))
    for organisation in stranded:
        reasons.append(_(
            "You are the only owner of %(company)s, which has an application or grant "
            "still in progress. Make another member an owner first (on the company's "
            "members page), then close your account.") % {"company": organisation.name_en})
    return reasons


def _sessions_delete(user: User) -> int:
    """Sessions carry no user column: each live one is read to find the user's."""
    doomed = [session.pk for session in Session.objects.filter(expire_date__gt=timezone.now())
              if session.get_decoded().get("_auth_user_id") == str(user.pk)]
    return Session.objects.filter(pk__in=doomed).delete()[0]


@transaction.atomic
def account_close(*, user: User) -> dict[str, int]:
    """Close ``user``'s own account, refused while ``account_closure_blockers`` names a
    reason. Erased: their sessions, notifications and preferences, sign-in records, email
    addresses, second factors, roles, company and partner memberships, and invitations
    to their address not yet accepted; their API keys are revoked. The account itself stays
    (applications, reviews and the audit trail point at it) but is anonymised: no name, an
    address that cannot receive mail, an unusable password, inactive. Returns how many
    records of each kind were erased."""
    user = User.objects.select_for_update().get(pk=user.pk)
    reasons = account_closure_blockers(user=user)
    if reasons:
        raise DomainError(" ".join(reasons), code="account_close_refused")
    email = user.email
    signin = Q(username__iexact=email)
    erased = {
        "sessions": _sessions_delete(user),
        "notifications": Notification.objects.filter(
            Q(recipient=user) | Q(recipient__isnull=True, to_email__iexact=email)).delete()[0],
        "notification_preferences": NotificationPreference.objects.filter(user=user)
        .delete()[0],
        "signin_records": sum(model.objects.filter(signin).delete()[0]
                              for model in (AccessLog, AccessAttempt, AccessFailureLog)),
        "email_addresses": EmailAddress.objects.filter(user=user).delete()[0],
        "second_factors": Authenticator.objects.filter(user=user).delete()[0],
        "roles": UserRole.objects.filter(user=user).delete()[0],
        "memberships": Membership.objects.filter(user=user).delete()[0],
        "partner_membership": PartnerMember.objects.filter(user=user).delete()[0],
        "invitations": Invitation.objects.filter(email__iexact=email, accepted_at__isnull=True)
        .delete()[0],
        "api_keys_revoked": ApiKey.objects.filter(user=user, revoked_at__isnull=True)
        .update(revoked_at=timezone.now()),
    }
    user.email = f"closed-account-{user.pk}@closed.invalid"
    user.full_name = ""
    user.set_unusable_password()
    user.is_active = user.is_staff = user.is_superuser = False
    user.last_login = None
    user.save()
    user.groups.clear()
    user.user_permissions.clear()
    user.__dict__.pop("_role_cache", None)
    # Recorded after the anonymisation: the record names the closed account, not the person.
    audit_record(actor=user, action="user.close_account", obj=user,
                 after={"erased": erased, "kept": KEPT_RECORDS})
    return erased
