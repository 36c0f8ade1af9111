"""The guards and effects of the lifecycle's steps (``table`` names which step has which).

Each guard returns the problems that refuse a step; each effect does one thing that follows
a step, inside the engine's transaction. Notifications leave through the outbox and partner
webhooks once the transaction commits.
"""

from django.db.models import prefetch_related_objects
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from applicants.checks import SECTIONS, application_submission_problems
from applicants.models import (
    Application,
    ApplicationStatus,
    InformationRequest,
    Membership,
    PartnerLink,
)
from applicants.versions import reference_assign, version_create
from applicants.workflow.status import public_status, public_status_code, transition_note
from applicants.workflow.transition import Effect, Guard, Problems, TransitionContext
from subsidy.notifications.services.outbox import notify, organisation_names
from subsidy.platform.money import money
from subsidy.platform.roles import Role
from subsidy.platform.selectors import users_with_role
from subsidy.scheme.models import Grant
from subsidy.scheme.services import offers as grant_services
from subsidy.webhooks.services.delivery import webhook_event_publish, webhook_time

S = ApplicationStatus
# What an application consists of besides its own row; checked and frozen at submission.
SUBMITTED_PARTS = ("budget_lines", "milestones", "team_members", "documents")


# --- Guards --------------------------------------------------------------------------------

def _with_parts(application: Application) -> Application:
    """Read the parts once: the checks and then the frozen version both use them."""
    prefetch_related_objects([application], *SUBMITTED_PARTS)
    return application


def submission_ready(ctx: TransitionContext) -> Problems:
    return application_submission_problems(_with_parts(ctx.application))


def resubmission_ready(ctx: TransitionContext) -> Problems:
    # The round may have closed since: an answer to a request for information still counts.
    return application_submission_problems(_with_parts(ctx.application), check_round=False)


def payload_required(key: str, message) -> Guard:
    def guard(ctx: TransitionContext) -> Problems:
        value = ctx.payload.get(key)
        if not (isinstance(value, str) and value.strip()):
            return [(key, str(message))]
        if len(value) > 4000:
            return [(key, _("Keep this to 4,000 characters or fewer."))]
        return []

    return guard


def information_request_valid(ctx: TransitionContext) -> Problems:
    problems = payload_required("question", gettext_lazy("Write the question for the "
                                                         "applicant."))(ctx)
    sections = ctx.payload.get("sections") or []
    if not sections or any(section not in SECTIONS for section in sections):
        problems.append(("sections", _("Choose the sections the applicant may change.")))
    due_at = ctx.payload.get("due_at")
    if due_at is not None and due_at <= timezone.now():
        problems.append(("due_at", _("The due date must be in the future.")))
    return problems


# --- Effects -------------------------------------------------------------------------------

def assign_reference(ctx: TransitionContext) -> None:
    reference_assign(ctx.application)


def stamp_submitted(ctx: TransitionContext) -> None:
    ctx.application.submitted_at = timezone.now()
    ctx.application.save(update_fields=["submitted_at", "updated_at"])


def freeze_version(ctx: TransitionContext) -> None:
    version_create(ctx.application, actor=ctx.actor)


def open_information_request(ctx: TransitionContext) -> None:
    InformationRequest.objects.create(
        application=ctx.application, question=ctx.payload["question"].strip(),
        sections=list(ctx.payload["sections"]), due_at=ctx.payload.get("due_at"),
        created_by=ctx.actor,
    )


def close_information_request(ctx: TransitionContext) -> None:
    ctx.application.information_requests.filter(answered_at__isnull=True).update(
        answered_at=timezone.now())


def _application_context(app: Application, language: str) -> dict:
    with translation.override(language):
        return {
            "application_id": app.pk,
            "reference": app.reference or "",
            "title": app.title,
            **organisation_names(app.organisation),
            "round": app.round.code,
            "public_status": public_status(app.status),
            "url": reverse("applicants:application", args=[app.pk]),
        }


def _notify_members(ctx: TransitionContext, event: str, extra: dict | None = None) -> None:
    members = (Membership.objects.filter(organisation_id=ctx.application.organisation_id)
               .select_related("user").filter(user__is_active=True))
    for membership in members:
        user = membership.user
        notify(recipient=user, event=event,
               context={**_application_context(ctx.application, user.language),
                        **(extra or {})})


def _notify_staff(ctx: TransitionContext, role: str, event: str, extra: dict | None = None,
                  page: str = "staff:application") -> None:
    """Tell every active holder of ``role`` about the application; the link opens its staff
    page (or ``page``, another of its staff pages)."""
    for user in users_with_role(role).order_by("pk"):
        notify(recipient=user, event=event,
               context={**_application_context(ctx.application, user.language),
                        **(extra or {}),
                        "url": reverse(page, args=[ctx.application.pk])})


def _notify_officers(ctx: TransitionContext, event: str, extra: dict | None = None) -> None:
    _notify_staff(ctx, Role.PROGRAMME_OFFICER, event, extra)


def notify_panel_of_completed_review(ctx: TransitionContext) -> None:
    """Every review is in: the application waits for the panel's decision."""
    _notify_staff(ctx, Role.PANEL_MEMBER, "application_ready_for_decision", page="staff:decision")


def notify_receipt(ctx: TransitionContext) -> None:
    _notify_members(ctx, "application_submitted")


def notify_officers_of_submission(ctx: TransitionContext) -> None:
    _notify_officers(ctx, "application_received")


def notify_officers_of_resubmission(ctx: TransitionContext) -> None:
    _notify_officers(ctx, "application_resubmitted")


def notify_officers_of_withdrawal(ctx: TransitionContext) -> None:
    if ctx.source != S.DRAFT:
        _notify_officers(ctx, "application_withdrawn")


def notify_information_request(ctx: TransitionContext) -> None:
    _notify_members(ctx, "information_requested",
                    {"question": ctx.payload["question"].strip()})


def notify_with_reason(event: str) -> Effect:
    """Tell the applicant of an outcome with the reason staff gave for it."""
    def effect(ctx: TransitionContext) -> None:
        _notify_members(ctx, event, {"reason": (ctx.payload.get("reason") or "").strip()})

    effect.__name__ = f"notify_{event}"
    return effect


def notify_waitlisted(ctx: TransitionContext) -> None:
    _notify_members(ctx, "application_waitlisted")


def _offer_terms(application: Application) -> dict:
    """The offer's amount, expiry (Hong Kong time) and conditions, for its messages."""
    grant = Grant.objects.get(application_id=application.pk)
    return {"amount": money(grant.approved_amount),
            "expires_at": timezone.localtime(grant.offer_expires_at).strftime("%Y-%m-%d %H:%M"),
            "conditions": grant.conditions}


def notify_offer_lapsed(ctx: TransitionContext) -> None:
    _notify_members(ctx, "offer_lapsed", _offer_terms(ctx.application))


def notify_officers_of_decline(ctx: TransitionContext) -> None:
    _notify_officers(ctx, "offer_declined", _offer_terms(ctx.application))


# --- Decisions and offers: the grant follows the application in the same transaction --------

def approval_terms_valid(ctx: TransitionContext) -> Problems:
    """The panel's caps: amount <= requested and <= the round's maximum, ratio <= the round's
    cap unless an exceptional case is justified, and never above the exceptional cap."""
    return grant_services.grant_terms_problems(
        application=ctx.application, amount=ctx.payload.get("amount"),
        exceptional_justification=ctx.payload.get("exceptional_justification") or "",
        conditions=ctx.payload.get("conditions") or "")


def offer_open(ctx: TransitionContext) -> Problems:
    return grant_services.offer_expiry_problems(application=ctx.application, expired=False)


def offer_expired(ctx: TransitionContext) -> Problems:
    return grant_services.offer_expiry_problems(application=ctx.application, expired=True)


def commit_grant(ctx: TransitionContext) -> None:
    """Create the grant and commit its amount against the round's envelope (row lock on the
    round; refused with ``envelope_exhausted`` when it does not fit)."""
    grant_services.grant_offer_create(
        actor=ctx.actor, application=ctx.application, amount=ctx.payload["amount"],
        conditions=ctx.payload.get("conditions") or "",
        exceptional_justification=ctx.payload.get("exceptional_justification") or "")


def send_offer(ctx: TransitionContext) -> None:
    grant_services.grant_offer_send(actor=ctx.actor, application=ctx.application)


def notify_offer(ctx: TransitionContext) -> None:
    """The offer reaches the applicant with its amount, its conditions and its expiry."""
    _notify_members(ctx, "application_approved", _offer_terms(ctx.application))


def grant_accepted(ctx: TransitionContext) -> None:
    grant_services.grant_offer_answer(actor=ctx.actor, application=ctx.application,
                                      status=Grant.Status.ACCEPTED)


def grant_declined(ctx: TransitionContext) -> None:
    """Declining releases the commitment: a declined grant no longer counts."""
    grant_services.grant_offer_answer(actor=ctx.actor, application=ctx.application,
                                      status=Grant.Status.DECLINED)


def grant_lapsed(ctx: TransitionContext) -> None:
    grant_services.grant_offer_answer(actor=ctx.actor, application=ctx.application,
                                      status=Grant.Status.LAPSED)


# Webhook event types beyond ``application.status_changed``, by transition.
PARTNER_EVENTS = {
    "submit": "application.submitted",
    "request_information": "application.info_requested",
    "mark_ineligible": "application.decided",
    "approve": "application.decided",
    "reject": "application.decided",
    "waitlist": "application.decided",
    "withdraw": "application.withdrawn",
}


def _publish_to_partners(app: Application, event_types: list[str], data: dict) -> None:
    links = (PartnerLink.objects.filter(organisation_id=app.organisation_id,
                                        linked_at__isnull=False, revoked_at__isnull=True)
             .select_related("partner"))
    data = {"application": {"id": str(app.public_id), "reference": app.reference,
                            "organisation": app.organisation_id, "round": app.round.code,
                            "status": public_status_code(app.status)}, **data}
    for link in links:
        for event_type in event_types:
            webhook_event_publish(partner=link.partner, event_type=event_type, data=data)


def publish_partner_events(ctx: TransitionContext) -> None:
    """Partners linked to the company hear of each change of its public state through
    their webhooks; deliveries leave once the transition commits."""
    before, after = public_status_code(ctx.source), public_status_code(ctx.transition.target)
    if before == after:
        return
    event_types = ["application.status_changed"]
    if ctx.transition.name in PARTNER_EVENTS:
        event_types.append(PARTNER_EVENTS[ctx.transition.name])
    _publish_to_partners(ctx.application, event_types, {
        "transition": ctx.transition.name, "from_status": before, "to_status": after,
        "note": transition_note(ctx.payload),
        "at": webhook_time(ctx.application.status_changed_at)})


def application_created_publish(application: Application) -> None:
    """Tell the company's linked partners that a draft was started (by them or on the
    web); call it inside the transaction that created the draft."""
    _publish_to_partners(application, ["application.created"],
                         {"at": webhook_time(application.created_at)})

