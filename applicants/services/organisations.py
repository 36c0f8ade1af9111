"""Organisations and their members: profile, invitations by email, leaving.

Membership changes are permission changes, so each is audited; the organisation row is
locked while owners are counted, so two owners cannot both leave at the same moment.
"""

import hashlib
import secrets
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from applicants.errors import ProblemsError
from applicants.models import Invitation, Membership, Organisation
from subsidy.notifications.services.outbox import notify, organisation_names
from subsidy.platform.audit import audit_record, snapshot
from subsidy.platform.errors import DomainError
from subsidy.platform.models import User, UserRole
from subsidy.platform.permissions import Action, require
from subsidy.platform.roles import Role

ORGANISATION_FIELDS = ["name_en", "name_zh", "br_number", "cr_number", "district",
                       "incorporation_date", "size", "sector", "is_cyberport_incubatee",
                       "website"]
INVITATION_VALID_DAYS = 14


def _apply_profile(organisation: Organisation, values: dict, *,
                   check_duplicate: bool = True) -> None:
    """Set the profile fields and validate them with the model's own rules (and, unless
    ``check_duplicate`` is false, that no other company has the BR number)."""
    for name in ORGANISATION_FIELDS:
        if name in values:
            value = values[name]
            setattr(organisation, name, value.strip() if isinstance(value, str) else value)
    try:
        # Uniqueness is checked below in its own words; the field validators cover the
        # check constraints.
        organisation.full_clean(validate_unique=False, validate_constraints=False,
                                exclude=["members"])
    except ValidationError as exc:
        raise ProblemsError([(field, str(message)) for field, messages
                             in exc.message_dict.items() for message in messages]) from exc
    if organisation.incorporation_date and organisation.incorporation_date > timezone.localdate():
        raise ProblemsError([("incorporation_date",
                              _("The date of incorporation cannot be in the future."))])
    if not check_duplicate:
        return
    others = Organisation.objects.exclude(pk=organisation.pk) if organisation.pk else (
        Organisation.objects.all())
    if others.filter(br_number=organisation.br_number).exists():
        raise ProblemsError([_duplicate_problem("br_number")])
    if organisation.cr_number and others.filter(cr_number=organisation.cr_number).exists():
        raise ProblemsError([_duplicate_problem("cr_number")])


def _duplicate_problem(field: str) -> tuple[str, str]:
    if field == "cr_number":
        return field, _("A company with this Companies Registry number is already registered.")
    return field, _("A company with this Business Registration number is already registered.")


def _save_unique(organisation: Organisation, **kwargs) -> None:
    try:
        with transaction.atomic():
            organisation.save(**kwargs)
    except IntegrityError as exc:
        # Another request registered the same number in the meantime.
        field = "cr_number" if "cr_number" in str(exc) else "br_number"
        raise ProblemsError([_duplicate_problem(field)]) from exc


@transaction.atomic
def organisation_create(*, actor: User, **values) -> Organisation:
    """An applicant registers their company and becomes its first owner."""
    require(actor, Action.CREATE_ORGANISATION)
    organisation = Organisation()
    _apply_profile(organisation, values)
    _save_unique(organisation)
    Membership.objects.create(organisation=organisation, user=actor, role=Membership.Role.OWNER)
    actor.__dict__.pop("_membership_role_cache", None)
    audit_record(actor=actor, action="organisation.create", obj=organisation,
                 after={**snapshot(organisation, ORGANISATION_FIELDS), "owner": actor.email})
    return organisation


@transaction.atomic
def organisation_update(*, actor: User, organisation: Organisation, **values) -> Organisation:
    require(actor, Action.EDIT_ORGANISATION, organisation)
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    before = snapshot(organisation, ORGANISATION_FIELDS)
    _apply_profile(organisation, values)
    _save_unique(organisation)
    audit_record(actor=actor, action="organisation.update", obj=organisation, before=before,
                 after=snapshot(organisation, ORGANISATION_FIELDS))
    return organisation


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def member_invite(*, actor: User, organisation: Organisation, email: str,
                  role: str) -> Invitation:
    """An owner invites someone by email; the link in the email is the only way in. The
    raw token is on the returned object (``invitation.token``) and stored only hashed."""
    require(actor, Action.MANAGE_MEMBERS, organisation)
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError as exc:
        raise ProblemsError([("email", _("Enter a valid email address."))]) from exc
    if role not in Membership.Role.values:
        raise ProblemsError([("role", _("Choose owner, editor or viewer."))])
    if organisation.memberships.filter(user__email__iexact=email).exists():
        raise ProblemsError([("email", _("This person is already a member."))])
    invitation = invitation_send(organisation=organisation, email=email, role=role,
                                 invited_by=actor, inviter_name=actor.get_full_name(),
                                 language=actor.language)
    audit_record(actor=actor, action="organisation.invite", obj=organisation,
                 after={"email": email, "role": role})
    return invitation


def invitation_send(*, organisation: Organisation, email: str, role: str,
                    invited_by: User | None, inviter_name: str,
                    language: str) -> Invitation:
    """Store an invitation (its token only hashed) and email its link; the email is in the
    invitee's language when they have an account, in ``language`` otherwise. The caller
    checks who may invite and records the audit event."""
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        organisation=organisation, email=email, role=role, token_hash=_token_hash(token),
        invited_by=invited_by,
        expires_at=timezone.now() + timedelta(days=INVITATION_VALID_DAYS),
    )
    invitation.token = token
    invitee = User.objects.filter(email__iexact=email).first()
    language = invitee.language if invitee else language
    with translation.override(language):
        context = {
            **organisation_names(organisation),
            "role": str(Membership.Role(role).label),
            "inviter": inviter_name,
            "url": reverse("applicants:invitation", args=[token]),
            "expires": formats.date_format(timezone.localtime(invitation.expires_at),
                                           "Y-m-d H:i"),
        }
    notify(recipient=invitee, to_email=email, language=language,
           event="organisation_invitation", context=context)
    return invitation


def invitation_find(*, token: str) -> Invitation | None:
    return (Invitation.objects.select_related("organisation")
            .filter(token_hash=_token_hash(token or "")).first())


@transaction.atomic
def invitation_accept(*, user: User, token: str) -> Membership:
    """The invited person joins with the invited role. The invitation must be unused, not
    expired, and addressed to the signed-in user's email address."""
    invitation = (Invitation.objects.select_for_update()
                  .filter(token_hash=_token_hash(token or "")).first())
    if invitation is None:
        raise DomainError(_("This invitation link is not valid."), code="invalid_invitation")
    if invitation.accepted_at is not None:
        raise DomainError(_("This invitation has already been used."), code="used_invitation")
    if invitation.expires_at <= timezone.now():
        raise DomainError(_("This invitation has expired; ask the company's owner for a new "
                            "one."), code="expired_invitation")
    if invitation.email.lower() != user.email.lower():
        raise DomainError(_("This invitation was sent to another email address. Sign in "
                            "with that address to accept it."), code="wrong_invitee")
    if Membership.objects.filter(organisation_id=invitation.organisation_id,
                                 user=user).exists():
        raise DomainError(_("You are already a member of this company."), code="member")
    membership = Membership.objects.create(organisation_id=invitation.organisation_id,
                                           user=user, role=invitation.role)
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    _grant, granted = UserRole.objects.get_or_create(user=user, role=Role.APPLICANT)
    user.__dict__.pop("_role_cache", None)
    user.__dict__.pop("_membership_role_cache", None)
    audit_record(actor=user, action="organisation.join", obj=invitation.organisation,
                 after={"member": user.email, "role": invitation.role,
                        "applicant_role_granted": granted})
    return membership


def _other_owners(organisation_id: int, *, excluding: Membership) -> int:
    return (Membership.objects.filter(organisation_id=organisation_id,
                                      role=Membership.Role.OWNER)
            .exclude(pk=excluding.pk).count())


@transaction.atomic
def member_remove(*, actor: User, membership: Membership) -> None:
    """An owner removes a member, or a member leaves. A company always keeps an owner."""
    organisation = Organisation.objects.select_for_update().get(pk=membership.organisation_id)
    if membership.user_id != actor.pk:
        require(actor, Action.MANAGE_MEMBERS, organisation)
    membership = Membership.objects.select_related("user").get(pk=membership.pk)
    if membership.role == Membership.Role.OWNER and not _other_owners(organisation.pk,
                                                                     excluding=membership):
        raise DomainError(_("The last owner cannot leave the company. Make another member an "
                            "owner first."), code="last_owner")
    membership.delete()
    membership.user.__dict__.pop("_membership_role_cache", None)
    audit_record(actor=actor, action="organisation.remove_member", obj=organisation,
                 before={"member": membership.user.email, "role": membership.role})


@transaction.atomic
def member_change_role(*, actor: User, membership: Membership, role: str) -> Membership:
    """An owner changes a member's role; the last owner cannot be demoted."""
    organisation = Organisation.objects.select_for_update().get(pk=membership.organisation_id)
    require(actor, Action.MANAGE_MEMBERS, organisation)
    if role not in Membership.Role.values:
        raise ProblemsError([("role", _("Choose owner, editor or viewer."))])
    membership = Membership.objects.select_related("user").get(pk=membership.pk)
    before = membership.role
    if (before == Membership.Role.OWNER and role != Membership.Role.OWNER
            and not _other_owners(organisation.pk, excluding=membership)):
        raise DomainError(_("The company needs at least one owner."), code="last_owner")
    membership.role = role
    membership.save(update_fields=["role"])
    membership.user.__dict__.pop("_membership_role_cache", None)
    audit_record(actor=actor, action="organisation.change_member_role", obj=organisation,
                 before={"member": membership.user.email, "role": before},
                 after={"member": membership.user.email, "role": role})
    return membership
