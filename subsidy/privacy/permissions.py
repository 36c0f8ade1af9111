"""Who handles data access requests; registered from ``SubsidyConfig.ready``. Every signed-in
person reaches their own personal data page without a rule: it only ever shows their own."""

from subsidy.platform.permissions import Action, Rule, has_any
from subsidy.platform.roles import Role

RULES: dict[str, Rule] = {
    Action.MANAGE_DATA_ACCESS_REQUESTS: has_any(Role.ADMINISTRATOR),
}
