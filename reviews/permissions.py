"""Who may do what in the assessment: screening, assignments, reviews and decisions.

Registered with ``subsidy.platform.permissions`` from ``ReviewsConfig.ready``.
"""

from subsidy.platform.permissions import Action, Rule, has_any
from subsidy.platform.roles import Role


def own_assignment(user, obj=None) -> bool:
    """Object rule on a review assignment: it is the user's own, and they are a reviewer."""
    return (obj is not None and obj.reviewer_id == user.pk
            and Role.REVIEWER in user.roles)


RULES: dict[str, Rule] = {
    Action.SCREEN_APPLICATIONS: has_any(Role.PROGRAMME_OFFICER),
    Action.ASSIGN_REVIEWERS: has_any(Role.PROGRAMME_OFFICER),
    Action.REVIEW_APPLICATION: has_any(Role.REVIEWER),
    Action.DECIDE_APPLICATIONS: has_any(Role.PANEL_MEMBER),
    # Officers keep the reviewer pools; staff who moderate or decide see every review and
    # the ranking; a reviewer reaches an application only through an assignment.
    Action.MANAGE_REVIEWER_POOL: has_any(Role.PROGRAMME_OFFICER),
    Action.VIEW_REVIEWS: has_any(Role.PROGRAMME_OFFICER, Role.PANEL_MEMBER,
                                 Role.ADMINISTRATOR),
    Action.REVIEW_ASSIGNMENT: own_assignment,
}
