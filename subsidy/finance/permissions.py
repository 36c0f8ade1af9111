"""Who may do what with grants' money: tranches, claims, payments, bank details and the
finance reports. Registered from ``SubsidyConfig.ready``."""

from applicants.permissions import EDITOR, OWNER, VIEWER, application_member_role_in, member_role_in
from subsidy.platform.permissions import Action, Rule, any_of, has_any
from subsidy.platform.roles import Role

RULES: dict[str, Rule] = {
    # Maker and checker are different roles.
    Action.PREPARE_PAYMENT: has_any(Role.FINANCE_OFFICER),
    Action.APPROVE_PAYMENT: has_any(Role.FINANCE_APPROVER),
    Action.VIEW_FINANCE_REPORTS: has_any(Role.FINANCE_OFFICER, Role.FINANCE_APPROVER,
                                         Role.PROGRAMME_OFFICER, Role.ADMINISTRATOR),
    # Grants (object: the grant's application): the company's owners and editors claim
    # tranches; its members and the programme office see the grant; officers verify claims.
    Action.CLAIM_TRANCHE: application_member_role_in(OWNER, EDITOR),
    Action.VIEW_GRANT: any_of(
        application_member_role_in(OWNER, EDITOR, VIEWER),
        has_any(Role.PROGRAMME_OFFICER, Role.ADMINISTRATOR, Role.FINANCE_OFFICER,
                Role.FINANCE_APPROVER),
    ),
    Action.VERIFY_CLAIM: has_any(Role.PROGRAMME_OFFICER),
    # Bank details (object: the organisation): entered by its owners and editors; the full
    # account number is shown to finance staff only.
    Action.MANAGE_BANK_ACCOUNT: member_role_in(OWNER, EDITOR),
    Action.VIEW_BANK_DETAILS: has_any(Role.FINANCE_OFFICER, Role.FINANCE_APPROVER),
    # A new or changed account is checked by finance before any payment uses it; a batch is
    # released to the bank by finance. The services add who may not (the payment's preparer,
    # and its approver where ``FINANCE_SEPARATE_RELEASE`` is on).
    Action.VERIFY_BANK_ACCOUNT: has_any(Role.FINANCE_OFFICER, Role.FINANCE_APPROVER),
    Action.RELEASE_PAYMENT_BATCH: has_any(Role.FINANCE_OFFICER, Role.FINANCE_APPROVER),
}
