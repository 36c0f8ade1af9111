"""Panel members' conflict-of-interest declarations.

A panel member declares their interests in an application before they may decide it; one
who declares a conflict is recused from that decision. The rule itself is the
``DECIDE_APPLICATIONS`` permission (``reviews.permissions.panel_free_to_decide``), which the
workflow engine asks for every decision step, from any page, the bulk form or the API.
"""

from django.db import transaction
from django.utils.translation import gettext as _

from applicants.models import Application, ApplicationStatus
from reviews.models import PanelDeclaration
from reviews.permissions import panel_declaration
from subsidy.platform.audit import audit_record
from subsidy.platform.errors import DomainError, PermissionDeniedError
from subsidy.platform.permissions import Action, can

REASON_MAX = 2000
# A member may declare while the application is being reviewed or awaits the panel.
DECLARABLE = (ApplicationStatus.IN_REVIEW, ApplicationStatus.REVIEWED,
              ApplicationStatus.WAITLISTED)


def panel_declaration_record(*, actor, application: Application, has_conflict: bool,
                             reason: str = "") -> PanelDeclaration:
    """Record a panel member's declaration on the application, once: a conflict needs its
    nature and recuses the member from deciding it."""
    reason = (reason or "").strip()
    if not can(actor, Action.DECIDE_APPLICATIONS):
        raise PermissionDeniedError(_("Only panel members declare their interests here."))
    if has_conflict and not reason:
        raise DomainError(_("Describe the conflict of interest."), field="reason")
    if len(reason) > REASON_MAX:
        raise DomainError(_("Keep this to 2,000 characters or fewer."), field="reason")
    with transaction.atomic():
        locked = Application.objects.select_for_update(of=("self",)).get(pk=application.pk)
        if locked.status not in DECLARABLE:
            raise DomainError(_("This application is not before the panel."),
                              code="not_declarable")
        if PanelDeclaration.objects.filter(application=locked, member=actor).exists():
            raise DomainError(_("You have already declared your interests in this "
                                "application."), code="already_declared")
        declaration = PanelDeclaration.objects.create(
            application=locked, member=actor, has_conflict=has_conflict,
            reason=reason if has_conflict else "")
        audit_record(actor=actor, action="panel.declare", obj=declaration,
                     after={"application": locked.pk, "has_conflict": has_conflict,
                            "reason": declaration.reason})
    getattr(actor, "_panel_declaration_cache", {}).pop(application.pk, None)
    return declaration


def panel_may_decide_or_raise(*, actor, application: Application) -> None:
    """Refuse, saying why, a decision by a member who has not declared or is recused."""
    if can(actor, Action.DECIDE_APPLICATIONS, application):
        return
    declaration = panel_declaration(actor, application)
    if declaration is None:
        raise PermissionDeniedError(_("Declare your interests in this application before "
                                      "deciding it."), code="not_declared")
    if declaration.has_conflict:
        raise PermissionDeniedError(_("You declared a conflict of interest in this "
                                      "application and cannot decide it."), code="recused")
    raise PermissionDeniedError(_("Only panel members decide applications."))
