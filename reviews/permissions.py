"""Who may do what in the assessment: screening, assignments, reviews and decisions.

Registered with ``subsidy.platform.permissions`` from ``ReviewsConfig.ready``.
"""

from applicants.models import ApplicationStatus
from reviews.models import Assignment, PanelDeclaration
from subsidy.platform.permissions import Action, Rule, can, has_any
from subsidy.platform.roles import Role

# A reviewer reads an application once they declared no conflict on it.
DECLARED_STATUSES = (Assignment.Status.ACTIVE, Assignment.Status.SUBMITTED)


def own_assignment(user, obj=None) -> bool:
    """Object rule on a review assignment: it is the user's own, and they are a reviewer."""
    return (obj is not None and obj.reviewer_id == user.pk
            and Role.REVIEWER in user.roles)


def declared_reviewer(user, obj=None) -> bool:
    """Object rule on an application: the user is a reviewer with a live assignment on it
    and declared no conflict (a conflicted, removed or undeclared reviewer is not one), and
    the application has not been withdrawn."""
    if obj is None or Role.REVIEWER not in user.roles:
        return False
    return (obj.status != ApplicationStatus.WITHDRAWN
            and Assignment.objects.filter(application_id=obj.pk, reviewer_id=user.pk,
                                          status__in=DECLARED_STATUSES).exists())


def panel_declaration(user, application) -> PanelDeclaration | None:
    """The member's declaration on the application, asked once per request and object."""
    cache = getattr(user, "_panel_declaration_cache", None)
    if cache is None:
        cache = user._panel_declaration_cache = {}
    if application.pk not in cache:
        cache[application.pk] = PanelDeclaration.objects.filter(
            application_id=application.pk, member_id=user.pk).first()
    return cache[application.pk]


def panel_free_to_decide(user, obj=None) -> bool:
    """A panel member decides in general; on one application only after declaring no
    conflict of interest on it (a recused member never decides it)."""
    if Role.PANEL_MEMBER not in user.roles:
        return False
    if obj is None:
        return True
    declaration = panel_declaration(user, obj)
    return declaration is not None and not declaration.has_conflict


def officer_not_the_reviewer(user, obj=None) -> bool:
    """Object rule on a correction request: an officer, and not the reviewer asking."""
    return (Role.PROGRAMME_OFFICER in user.roles
            and (obj is None or obj.assignment.reviewer_id != user.pk))


def reads_documents(user, obj=None) -> bool:
    """Whoever may see the application, and its declared reviewers."""
    return can(user, Action.VIEW_APPLICATION, obj) or declared_reviewer(user, obj)


RULES: dict[str, Rule] = {
    Action.SCREEN_APPLICATIONS: has_any(Role.PROGRAMME_OFFICER),
    Action.ASSIGN_REVIEWERS: has_any(Role.PROGRAMME_OFFICER),
    Action.REVIEW_APPLICATION: has_any(Role.REVIEWER),
    Action.DECIDE_APPLICATIONS: panel_free_to_decide,
    # Officers keep the reviewer pools; staff who moderate or decide see every review, the
    # ranking and an application's staff pages; a reviewer reaches an application only
    # through an assignment, and an applicant never reaches a staff page.
    Action.MANAGE_REVIEWER_POOL: has_any(Role.PROGRAMME_OFFICER),
    Action.VIEW_REVIEWS: has_any(Role.PROGRAMME_OFFICER, Role.PANEL_MEMBER,
                                 Role.ADMINISTRATOR),
    Action.REVIEW_ASSIGNMENT: own_assignment,
    Action.READ_APPLICATION_DOCUMENTS: reads_documents,
    # A reviewer never approves their own correction.
    Action.DECIDE_REVIEW_CORRECTION: officer_not_the_reviewer,
}
