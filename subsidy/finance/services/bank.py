"""The bank account a company's grant is paid into."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from applicants.errors import ProblemsError
from subsidy.finance.models import BankAccount
from subsidy.platform.audit import audit_record
from subsidy.platform.permissions import Action, require


@transaction.atomic
def bank_account_save(*, actor, organisation, bank_name: str, account_name: str,
                      account_number: str) -> BankAccount:
    """The company's owner or editor records where its grant is paid. The audit trail
    keeps only the masked number."""
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
    before = ({"bank_name": existing.bank_name, "account_name": existing.account_name,
               "account_number": existing.masked_number} if existing else None)
    account, _created = BankAccount.objects.update_or_create(
        organisation=organisation,
        defaults={"bank_name": bank_name, "account_name": account_name,
                  "account_number": number, "updated_by": actor,
                  "updated_at": timezone.now()})
    audit_record(actor=actor, action="bank_account.save", obj=organisation, before=before,
                 after={"bank_name": bank_name, "account_name": account_name,
                        "account_number": account.masked_number})
    return account
