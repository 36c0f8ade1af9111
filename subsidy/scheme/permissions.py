"""Who may run rounds and administer grants; registered from ``SubsidyConfig.ready``."""

from subsidy.platform.permissions import Action, Rule, has_any
from subsidy.platform.roles import Role

RULES: dict[str, Rule] = {
    Action.MANAGE_ROUNDS: has_any(Role.PROGRAMME_OFFICER, Role.ADMINISTRATOR),
    # Offers, activation, completion and termination of a grant.
    Action.ADMINISTER_GRANTS: has_any(Role.PROGRAMME_OFFICER),
}
