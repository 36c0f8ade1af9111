"""The bank account a company's grant is paid into, and the checks before money goes to
it: a new or changed account notifies the company's owners and finance, is verified by a
finance officer (not the one who then prepares a payment to it), and is usable only after
a cooling-off period (``FINANCE_BANK_ACCOUNT_COOLING_OFF_HOURS``)."""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from applicants.errors import ProblemsError
from applicants.models import Membership
from subsidy.finance.models import BankAccount
from subsidy.notifications.services.outbox import notify, organisation_names
from subsidy.platform.audit import audit_record
from subsidy.platform.errors import DomainError
from subsidy.platform.permissions import Action, require
from subsidy.platform.roles import Role
from subsidy.platform.selectors import users_with_role


def _notify_change(*, organisation, account: BankAccount, actor) -> None:
    """Tell the company's owners and finance that the account changed: an owner who did
    not make the change can stop it, and finance knows to verify it."""
    context = {**organisation_names(organisation), "masked_number": account.masked_number,
               "bank_name": account.bank_name,
               "usable_from": timezone.localtime(account.usable_from).strftime(
                   "%Y-%m-%d %H:%M")}
    owners = [m.user for m in Membership.objects.filter(
        organisation=organisation, role=Membership.Role.OWNER, user__is_active=True)
        .select_related("user")]
    for user in owners:
        with translation.override(user.language):
            url = reverse("finance:bank_account", args=[organisation.pk])
        notify(recipient=user, event="bank_account_changed", context={**context, "url": url})
    finance = users_with_role(Role.FINANCE_OFFICER, Role.FINANCE_APPROVER).exclude(
        pk__in=[user.pk for user in owners])
    for user in finance:
        notify(recipient=user, event="bank_account_changed_staff",
               context={**context, "url": reverse("finance:bank_accounts")})


@transaction.atomic
def bank_account_save(*, actor, organisation, bank_name: str, account_name: str,
                      account_number: str) -> BankAccount:
    """The company's owner or editor records where its grant is paid. A change needs
    finance's verification again and starts the cooling-off period; it does not touch
    payments already prepared, which go to the payee they were approved with."""
    require(actor, Action.MANAGE_BANK_ACCOUNT, organisation)
    bank_name, account_name = (bank_name or "").strip(), (account_name or "").strip()
    number = (account_number or "").strip()
    problems = []
    if not bank_name:
        problems.append(("bank_name", _("Enter the bank's name.")))
    if not account_name:
        problems.append(("account_name", _("Enter the name of the account.")))
    digits = number.replace("-", "").replace(" ", "")
    if not (digits.isdigit() and 6 <= len(digits) <= 20):
        problems.append(("account_number", _(
            "Enter the account number: 6 to 20 digits, with hyphens or spaces if you like.")))
    if problems:
        raise ProblemsError(problems, code="bank_account_invalid")
    existing = BankAccount.objects.select_for_update().filter(
        organisation=organisation).first()
    if existing and (existing.bank_name, existing.account_name, existing.account_number) == (
            bank_name, account_name, number):
        return existing
    before = ({"bank_name": existing.bank_name, "account_name": existing.account_name,
               "account_number": existing.masked_number} if existing else None)
    now = timezone.now()
    account, _created = BankAccount.objects.update_or_create(
        organisation=organisation,
        defaults={"bank_name": bank_name, "account_name": account_name,
                  "account_number": number, "updated_by": actor, "updated_at": now,
                  "verified_by": None, "verified_at": None,
                  "usable_from": now + timedelta(
                      hours=settings.FINANCE_BANK_ACCOUNT_COOLING_OFF_HOURS)})
    audit_record(actor=actor, action="bank_account.save", obj=organisation, before=before,
                 after={"bank_name": bank_name, "account_name": account_name,
                        "account_number": account.masked_number,
                        "usable_from": account.usable_from})
    _notify_change(organisation=organisation, account=account, actor=actor)
    return account


@transaction.atomic
def bank_account_verify(*, actor, account: BankAccount) -> BankAccount:
    """A finance officer confirms the account (with the company, by a call-back to a
    known number) before any payment may use it."""
    require(actor, Action.VERIFY_BANK_ACCOUNT)
    locked = BankAccount.objects.select_for_update().get(pk=account.pk)
    if locked.verified_by_id is not None:
        raise DomainError(_("This account is verified already."), code="already_verified")
    if locked.updated_by_id == getattr(actor, "pk", None):
        raise DomainError(_("You entered this account, so someone else must verify it."),
                          code="verify_own_entry")
    locked.verified_by = actor
    locked.verified_at = timezone.now()
    locked.save(update_fields=["verified_by", "verified_at"])
    # Finance sees the full number: the audit keeps what was verified.
    audit_record(actor=actor, action="bank_account.verify", obj=locked.organisation,
                 after={"bank_name": locked.bank_name, "account_name": locked.account_name,
                        "account_number": locked.account_number})
    return locked


def bank_account_usable_problem(account: BankAccount | None, *, preparer) -> str | None:
    """Why a payment prepared by ``preparer`` may not go to ``account`` now, or None."""
    if account is None:
        return _("The company has no bank account on file.")
    if account.verified_by_id is None:
        return _("The company's bank account has not been verified by finance yet.")
    if account.verified_by_id == getattr(preparer, "pk", None):
        return _("You verified the company's bank account, so another finance officer "
                 "must prepare its payments.")
    if account.usable_from > timezone.now():
        return _("The company's bank account changed recently; it can be paid from "
                 "%(when)s.") % {"when": timezone.localtime(account.usable_from)
                                 .strftime("%Y-%m-%d %H:%M")}
    return None
