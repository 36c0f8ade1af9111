"""Who may do what with compute at the AI Supercomputing Centre. The programme office and
finance receive the Centre's statements and set allocations; a grant's compute page is
seeing the grant (``VIEW_GRANT``). Registered from ``SubsidyConfig.ready``."""

from subsidy.platform.permissions import Action, Rule, has_any
from subsidy.platform.roles import Role

RULES: dict[str, Rule] = {
    Action.MANAGE_COMPUTE: has_any(Role.PROGRAMME_OFFICER, Role.FINANCE_OFFICER),
}
