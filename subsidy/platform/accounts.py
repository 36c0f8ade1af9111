"""Accounts: profile, roles. Role changes are permission changes and are audited."""

from allauth.account.models import EmailAddress
from django.db import transaction
from django.utils.translation import gettext as _

from subsidy.platform.audit import audit_record, snapshot
from subsidy.platform.errors import DomainError
from subsidy.platform.models import User, UserRole
from subsidy.platform.permissions import Action, require
from subsidy.platform.roles import Role
from subsidy.platform.selectors import users_with_role


@transaction.atomic
def user_complete_signup(*, user: User, full_name: str, language: str) -> User:
    """A self-registered account is an applicant."""
    user.full_name = full_name.strip()
    user.language = language
    user.save(update_fields=["full_name", "language"])
    UserRole.objects.get_or_create(user=user, role=Role.APPLICANT)
    audit_record(actor=user, action="user.signup", obj=user,
                 after={"roles": [Role.APPLICANT], "language": language})
    return user


@transaction.atomic
def user_update_profile(*, user: User, full_name: str, language: str) -> User:
    # Read "before" from the locked row: a bound form may already have changed ``user``.
    stored = User.objects.select_for_update().get(pk=user.pk)
    before = {"full_name": stored.full_name, "language": stored.language}
    user.full_name = full_name.strip()
    user.language = language
    user.save(update_fields=["full_name", "language"])
    audit_record(actor=user, action="user.update_profile", obj=user, before=before,
                 after={"full_name": user.full_name, "language": user.language})
    return user


# What an administrator may change on someone's account. Whether it is active and whether it
# may use the admin site are permissions, so every change is audited.
ACCOUNT_FIELDS = ["email", "full_name", "language", "is_active", "is_staff", "is_superuser"]


@transaction.atomic
def user_create(*, actor, email: str, full_name: str, password: str | None) -> User:
    """An administrator opens an account, with no role (roles are granted separately).
    Without a password the person signs in by resetting one."""
    require(actor, Action.MANAGE_USERS)
    user = User.objects.create_user(email, password, full_name=full_name.strip())
    audit_record(actor=actor, action="user.create", obj=user,
                 after=snapshot(user, ACCOUNT_FIELDS))
    return user


@transaction.atomic
def user_update_account(*, actor, user: User, **changes) -> User:
    """An administrator changes someone's account (see ``ACCOUNT_FIELDS``), audited. A new
    email becomes the sign-in address, to be verified; the last active administrator cannot
    be deactivated."""
    require(actor, Action.MANAGE_USERS)
    unknown = set(changes) - set(ACCOUNT_FIELDS)
    if unknown:
        raise DomainError(_("These account fields cannot be changed here: %(fields)s.")
                          % {"fields": ", ".join(sorted(unknown))})
    if "email" in changes:
        changes["email"] = User.objects.normalize_email(changes["email"]).lower()
    if "is_active" in changes and not changes["is_active"]:
        require_another_administrator(user)
    # Read "before" from the locked row: a bound admin form may already have changed ``user``.
    stored = User.objects.select_for_update().get(pk=user.pk)
    if not changes:
        return stored
    before = snapshot(stored, ACCOUNT_FIELDS)
    for name, value in changes.items():
        setattr(stored, name, value)
    stored.save(update_fields=list(changes))
    after = snapshot(stored, ACCOUNT_FIELDS)
    if after["email"] != before["email"]:
        _sign_in_address_follow(stored)
    if after != before:
        audit_record(actor=actor, action="user.update_account", obj=stored,
                     before={k: v for k, v in before.items() if before[k] != after[k]},
                     after={k: v for k, v in after.items() if before[k] != after[k]})
    return stored


def _sign_in_address_follow(user: User) -> None:
    """Sign-in and email verification read allauth's primary ``EmailAddress``, not the account's
    email: it takes the new address, unverified until its owner confirms it, and the old
    address stops signing in."""
    addresses = EmailAddress.objects.filter(user=user)
    addresses.filter(primary=False, email__iexact=user.email).delete()
    if not addresses.filter(primary=True).update(email=user.email, verified=False):
        EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=False)


def require_another_administrator(user: User) -> None:
    """Refuse to take the last active administrator away (their role or their account):
    nobody could open accounts or grant roles afterwards. The administrators' rows are locked
    first, by id, so two of them cannot each remove the other at the same moment; they are
    counted again once the locks are held."""
    list(users_with_role(Role.ADMINISTRATOR).select_for_update().order_by("pk")
         .values_list("pk", flat=True))
    administrators = users_with_role(Role.ADMINISTRATOR)
    if (administrators.filter(pk=user.pk).exists()
            and not administrators.exclude(pk=user.pk).exists()):
        raise DomainError(_("The system needs at least one active administrator: grant the "
                            "administrator role to someone else first."), code="last_administrator")


@transaction.atomic
def user_set_password(*, actor, user: User, password: str | None) -> User:
    """An administrator sets someone's password, or (``None``) makes it unusable so the person
    must reset it. A credential change is audited; the password itself never is."""
    require(actor, Action.MANAGE_USERS)
    stored = User.objects.select_for_update().get(pk=user.pk)
    if password is None:
        stored.set_unusable_password()
    else:
        stored.set_password(password)
    stored.save(update_fields=["password"])
    audit_record(actor=actor, action="user.set_password", obj=stored,
                 after={"usable_password": password is not None})
    user.password = stored.password
    return stored


@transaction.atomic
def user_grant_role(*, actor, user: User, role: str) -> UserRole:
    require(actor, Action.MANAGE_USERS)
    if role not in Role.values:
        raise DomainError(_("Unknown role."), field="role")
    grant, created = UserRole.objects.get_or_create(user=user, role=role)
    if created:
        audit_record(actor=actor, action="user.grant_role", obj=user,
                     before=None, after={"role": role})
    user.__dict__.pop("_role_cache", None)
    return grant


@transaction.atomic
def user_revoke_role(*, actor, user: User, role: str) -> None:
    """An administrator takes a role away, audited; never the last active administrator's."""
    require(actor, Action.MANAGE_USERS)
    if role == Role.ADMINISTRATOR:
        require_another_administrator(user)
    deleted, _rows = UserRole.objects.filter(user=user, role=role).delete()
    if deleted:
        audit_record(actor=actor, action="user.revoke_role", obj=user,
                     before={"role": role}, after=None)
    user.__dict__.pop("_role_cache", None)
