"""The roles of the scheme's users (DOMAIN.md, "Who uses it").

Roles are stored as stable codes, never as translated names; code asks
``subsidy.platform.permissions`` what a user may do instead of comparing roles itself.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    APPLICANT = "applicant", _("Applicant")
    PARTNER = "partner", _("Partner")
    REVIEWER = "reviewer", _("Reviewer")
    PROGRAMME_OFFICER = "programme_officer", _("Programme officer")
    PANEL_MEMBER = "panel_member", _("Panel member")
    FINANCE_OFFICER = "finance_officer", _("Finance officer")
    FINANCE_APPROVER = "finance_approver", _("Finance approver")
    ADMINISTRATOR = "administrator", _("Administrator")


# Roles held by Cyberport staff or appointed experts: they see other people's data, so they
# must use two-factor authentication where the deployment requires it.
STAFF_ROLES = frozenset(
    {
        Role.REVIEWER,
        Role.PROGRAMME_OFFICER,
        Role.PANEL_MEMBER,
        Role.FINANCE_OFFICER,
        Role.FINANCE_APPROVER,
        Role.ADMINISTRATOR,
    }
)
