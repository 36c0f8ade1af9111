"""Who may issue API keys; registered from ``SubsidyConfig.ready``.

(Not DRF's permission classes: those are in ``subsidy.api.auth``.)
"""

from subsidy.platform.permissions import Action, Rule, has_any
from subsidy.platform.roles import Role

RULES: dict[str, Rule] = {
    # API keys and partner organisations are issued by administrators only.
    Action.MANAGE_API_KEYS: has_any(Role.ADMINISTRATOR),
}
