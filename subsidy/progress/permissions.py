"""Who may do what with a grant's reports (object: the grant's application). Reading them
is seeing the grant (``VIEW_GRANT``). Registered from ``SubsidyConfig.ready``."""

from applicants.permissions import EDITOR, OWNER, application_member_role_in
from subsidy.platform.permissions import Action, Rule, has_any
from subsidy.platform.roles import Role

RULES: dict[str, Rule] = {
    # The company's owners and editors send reports; the programme office reviews them.
    Action.SUBMIT_PROGRESS_REPORT: application_member_role_in(OWNER, EDITOR),
    Action.REVIEW_PROGRESS_REPORTS: has_any(Role.PROGRAMME_OFFICER),
}
