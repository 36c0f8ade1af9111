"""Who may do what in the assessment: screening, assignments, reviews and decisions.

The rules are ``rules`` predicates beside the models they read (assignments, panel
declarations), registered with ``subsidy.platform.permissions`` from ``ReviewsConfig.ready``.
"""

import rules

from applicants.models import ApplicationStatus
from applicants.permissions import sees_application
from reviews.models import Assignment, PanelDeclaration
from subsidy.platform.permissions import Action, Rule, has_any
from subsidy.platform.roles import Role

# A reviewer reads an application once they declared no conflict on it.
DECLARED_STATUSES = (Assignment.Status.ACTIVE, Assignment.Status.SUBMITTED)

is_reviewer = has_any(Role.REVIEWER)
is_programme_officer = has_any(Role.PROGRAMME_OFFICER)
is_panel_member = has_any(Role.PANEL_MEMBER)


@rules.predicate
def is_own_assignment(user, obj) -> bool:
    """Object rule on a review assignment: it is the user's own."""
    return obj is not None and obj.reviewer_id == user.pk


@rules.predicate
def has_declared_assignment(user, obj) -> bool:
    """Object rule on an application: the user has a live assignment on it and declared no
    conflict (not one who has yet to declare, declared a conflict, or was removed), and
    the application has not been withdrawn."""
    if obj is None:
        return False
    return (obj.status != ApplicationStatus.WITHDRAWN
            and Assignment.objects.filter(application_id=obj.pk, reviewer_id=user.pk,
                                          status__in=DECLARED_STATUSES).exists())


def panel_declaration(user, application) -> PanelDeclaration | None:
    """The member's declaration on the application, asked once per user object."""
    cache = getattr(user, "_panel_declaration_cache", None)
    if cache is None:
        cache = user._panel_declaration_cache = {}
    if application.pk not in cache:
        cache[application.pk] = PanelDeclaration.objects.filter(
            application_id=application.pk, member_id=user.pk).first()
    return cache[application.pk]


@rules.predicate
def declared_free_or_no_object(user, obj) -> bool:
    """Without an object, true; on an application, the user declared no conflict of
    interest in it (a member who has not declared, or is recused, is not free)."""
    if obj is None:
        return True
    declaration = panel_declaration(user, obj)
    return declaration is not None and not declaration.has_conflict


@rules.predicate
def is_not_the_reviewer_asking(user, obj) -> bool:
    """Object rule on a correction request: the user is not the reviewer who asked."""
    return obj is None or obj.assignment.reviewer_id != user.pk


declared_reviewer = is_reviewer & has_declared_assignment
panel_free_to_decide = is_panel_member & declared_free_or_no_object

RULES: dict[str, Rule] = {
    Action.SCREEN_APPLICATIONS: is_programme_officer,
    Action.ASSIGN_REVIEWERS: is_programme_officer,
    Action.REVIEW_APPLICATION: is_reviewer,
    # A panel member decides an application only after declaring no conflict in it.
    Action.DECIDE_APPLICATIONS: panel_free_to_decide,
    # Officers keep the reviewer pools; staff who moderate or decide see every review, the
    # ranking and an application's staff pages; a reviewer reaches an application only
    # through an assignment, and an applicant never reaches a staff page.
    Action.MANAGE_REVIEWER_POOL: is_programme_officer,
    Action.VIEW_REVIEWS: has_any(Role.PROGRAMME_OFFICER, Role.PANEL_MEMBER,
                                 Role.ADMINISTRATOR),
    Action.REVIEW_ASSIGNMENT: is_reviewer & is_own_assignment,
    # Whoever sees the application, and its reviewers once they declared no conflict.
    Action.READ_APPLICATION_DOCUMENTS: sees_application | declared_reviewer,
    # A reviewer never approves their own correction.
    Action.DECIDE_REVIEW_CORRECTION: is_programme_officer & is_not_the_reviewer_asking,
}
