"""Who may do what with a grant's conditions precedent (object: the grant's application).
Signing is accepting the offer (``RESPOND_TO_OFFER``, the company's owners); reading the
agreement is seeing the grant (``VIEW_GRANT``). Registered from ``SubsidyConfig.ready``."""

from applicants.permissions import EDITOR, OWNER, application_member_role_in
from subsidy.platform.permissions import Action, Rule, has_any
from subsidy.platform.roles import Role

RULES: dict[str, Rule] = {
    # The company's owners and editors send evidence; the programme office checks it.
    Action.SUBMIT_CONDITION_EVIDENCE: application_member_role_in(OWNER, EDITOR),
    Action.CHECK_CONDITIONS: has_any(Role.PROGRAMME_OFFICER),
}
