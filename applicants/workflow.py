"""The application lifecycle of DOMAIN.md: one table of transitions and one service that
performs them.

Each ``Transition`` names its source states, its target, who may take it (a permission
``Action`` or a predicate on the actor), its guard (what must be true: a list of problems,
empty when the step may be taken) and its effects (what follows, in order, inside the same
transaction). ``application_transition`` is the only code that changes a status: the model
refuses status writes made anywhere else.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import prefetch_related_objects
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from applicants.errors import ProblemsError
from applicants.models import (
    Application,
    ApplicationStatus,
    InformationRequest,
    Membership,
    PartnerLink,
    StatusChange,
    status_gate_open,
)
from applicants.services.checks import SECTIONS, application_submission_problems
from applicants.services.versions import reference_assign, version_create
from subsidy.notifications.services.outbox import notify, organisation_names
from subsidy.platform.audit import actor_user, audit_record
from subsidy.platform.errors import DomainError, PermissionDeniedError
from subsidy.platform.models import User
from subsidy.platform.permissions import Action, can
from subsidy.platform.roles import Role
from subsidy.scheme.models import Grant
from subsidy.scheme.services import offers as grant_services
from subsidy.webhooks.services.delivery import webhook_event_publish, webhook_time

S = ApplicationStatus
# What an application consists of besides its own row; checked and frozen at submission.
SUBMITTED_PARTS = ("budget_lines", "milestones", "team_members", "documents")

# What an applicant sees: the assessment steps are one public state, and the internal
# vocabulary of staff ("screening", "reviewed") never reaches the applicant's pages.
PUBLIC_STATUS = {
    S.DRAFT: gettext_lazy("Draft"),
    S.SUBMITTED: gettext_lazy("Submitted"),
    S.SCREENING: gettext_lazy("Under assessment"),
    S.IN_REVIEW: gettext_lazy("Under assessment"),
    S.REVIEWED: gettext_lazy("Under assessment"),
    S.INFO_REQUESTED: gettext_lazy("Information requested"),
    S.INELIGIBLE: gettext_lazy("Not eligible"),
    S.APPROVED: gettext_lazy("Approved"),
    S.REJECTED: gettext_lazy("Not successful"),
    S.WAITLISTED: gettext_lazy("On the reserve list"),
    S.OFFERED: gettext_lazy("Offer made"),
    S.ACCEPTED: gettext_lazy("Offer accepted"),
    S.DECLINED: gettext_lazy("Offer declined"),
    S.LAPSED: gettext_lazy("Offer lapsed"),
    S.ACTIVE: gettext_lazy("Project in progress"),
    S.COMPLETED: gettext_lazy("Completed"),
    S.TERMINATED: gettext_lazy("Terminated"),
    S.WITHDRAWN: gettext_lazy("Withdrawn"),
}

# The states before a panel decision: an application can be withdrawn from any of them.
BEFORE_DECISION = frozenset({S.DRAFT, S.SUBMITTED, S.SCREENING, S.INFO_REQUESTED,
                             S.IN_REVIEW, S.REVIEWED})


def public_status(status: str) -> str:
    return str(PUBLIC_STATUS[status])


# The machine-readable public state the partner API and its webhooks use: the assessment
# steps are one state there too.
ASSESSMENT_STATUSES = frozenset({S.SCREENING, S.IN_REVIEW, S.REVIEWED})
UNDER_ASSESSMENT = "under_assessment"


def public_status_code(status: str) -> str:
    return UNDER_ASSESSMENT if status in ASSESSMENT_STATUSES else str(status)


@dataclass(frozen=True)
class TransitionContext:
    actor: Any
    application: Application
    transition: "Transition"
    source: str
    payload: dict


Problems = list[tuple[str | None, str]]
Guard = Callable[[TransitionContext], Problems]
Effect = Callable[[TransitionContext], None]
Who = str | Callable[[Any, Application], bool]


def _always(ctx: TransitionContext) -> Problems:
    return []


@dataclass(frozen=True)
class Transition:
    name: str
    sources: frozenset[str]
    target: str
    who: tuple[Who, ...]
    label: Any
    guard: Guard = _always
    effects: tuple[Effect, ...] = field(default_factory=tuple)

    def allows(self, actor, application: Application) -> bool:
        """True when ``actor`` (None for the system itself) may take this step."""
        for who in self.who:
            if isinstance(who, str):
                if actor is not None and can(actor, who, application):
                    return True
            elif who(actor, application):
                return True
        return False


def system(actor, application) -> bool:
    """Scheduled jobs and other transitions' effects act as the system (no actor)."""
    return actor is None


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
            "url": f"/applicant/applications/{app.pk}/",
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
                  page: str = "") -> None:
    """Tell every active holder of ``role`` about the application; the link opens its staff
    page (``page`` below it)."""
    staff = User.objects.filter(role_grants__role=role, is_active=True).distinct()
    for user in staff:
        notify(recipient=user, event=event,
               context={**_application_context(ctx.application, user.language),
                        **(extra or {}),
                        "url": f"/staff/applications/{ctx.application.pk}/{page}"})


def _notify_officers(ctx: TransitionContext, event: str, extra: dict | None = None) -> None:
    _notify_staff(ctx, Role.PROGRAMME_OFFICER, event, extra)


def notify_panel_of_completed_review(ctx: TransitionContext) -> None:
    """Every review is in: the application waits for the panel's decision."""
    _notify_staff(ctx, Role.PANEL_MEMBER, "application_ready_for_decision", page="decision/")


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


def notify_status_change(ctx: TransitionContext) -> None:
    """The applicant hears of every outcome that concerns them, in public words."""
    _notify_members(ctx, "application_status_changed",
                    {"note": (ctx.payload.get("reason") or "").strip()})


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
    return {"amount": grant_services.money(grant.approved_amount),
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


def transition_note(payload: dict) -> str:
    """What the applicant (and a linked partner) is told with a step: the reason of a
    refusal or the question of a request for information."""
    return (payload.get("reason") or payload.get("question") or "").strip()


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


# --- The table -----------------------------------------------------------------------------

def _t(name, sources, target, who, label, guard=_always, effects=()) -> Transition:
    # Every step ends by telling linked partners, after the step's own effects.
    return Transition(name=name, sources=frozenset(sources), target=target, who=tuple(who),
                      label=label, guard=guard,
                      effects=(*effects, publish_partner_events))


TRANSITIONS: tuple[Transition, ...] = (
    _t("submit", [S.DRAFT], S.SUBMITTED, [Action.SUBMIT_APPLICATION],
       gettext_lazy("Submit application"), submission_ready,
       [assign_reference, stamp_submitted, freeze_version, notify_receipt,
        notify_officers_of_submission]),
    _t("start_screening", [S.SUBMITTED], S.SCREENING, [Action.SCREEN_APPLICATIONS, system],
       gettext_lazy("Start screening")),
    _t("mark_ineligible", [S.SCREENING], S.INELIGIBLE, [Action.SCREEN_APPLICATIONS],
       gettext_lazy("Mark ineligible"),
       payload_required("reason", gettext_lazy("Give the reason the application is "
                                               "ineligible.")),
       [notify_with_reason("application_ineligible")]),
    _t("request_information", [S.SCREENING], S.INFO_REQUESTED, [Action.SCREEN_APPLICATIONS],
       gettext_lazy("Request information"), information_request_valid,
       [open_information_request, notify_information_request]),
    _t("resubmit", [S.INFO_REQUESTED], S.SUBMITTED, [Action.SUBMIT_APPLICATION],
       gettext_lazy("Send the requested information"), resubmission_ready,
       [close_information_request, freeze_version, notify_officers_of_resubmission]),
    _t("pass_to_review", [S.SCREENING], S.IN_REVIEW, [Action.SCREEN_APPLICATIONS],
       gettext_lazy("Pass to review")),
    _t("complete_review", [S.IN_REVIEW], S.REVIEWED, [Action.SCREEN_APPLICATIONS, system],
       gettext_lazy("Complete the review"), effects=[notify_panel_of_completed_review]),
    _t("approve", [S.REVIEWED, S.WAITLISTED], S.APPROVED, [Action.DECIDE_APPLICATIONS],
       gettext_lazy("Approve"), approval_terms_valid, [commit_grant]),
    _t("reject", [S.REVIEWED], S.REJECTED, [Action.DECIDE_APPLICATIONS],
       gettext_lazy("Reject"),
       payload_required("reason", gettext_lazy("Give the reason for the rejection; the "
                                               "applicant will see it.")),
       [notify_with_reason("application_rejected")]),
    _t("waitlist", [S.REVIEWED], S.WAITLISTED, [Action.DECIDE_APPLICATIONS],
       gettext_lazy("Put on the reserve list"), effects=[notify_waitlisted]),
    _t("make_offer", [S.APPROVED], S.OFFERED, [Action.ADMINISTER_GRANTS, system],
       gettext_lazy("Send the offer"), effects=[send_offer, notify_offer]),
    _t("accept_offer", [S.OFFERED], S.ACCEPTED, [Action.RESPOND_TO_OFFER],
       gettext_lazy("Accept the offer"), offer_open, [grant_accepted]),
    _t("decline_offer", [S.OFFERED], S.DECLINED, [Action.RESPOND_TO_OFFER],
       gettext_lazy("Decline the offer"),
       effects=[grant_declined, notify_officers_of_decline]),
    _t("lapse_offer", [S.OFFERED], S.LAPSED, [Action.ADMINISTER_GRANTS, system],
       gettext_lazy("Let the offer lapse"), offer_expired,
       [grant_lapsed, notify_offer_lapsed]),
    _t("activate", [S.ACCEPTED], S.ACTIVE, [Action.ADMINISTER_GRANTS, system],
       gettext_lazy("Start the project")),
    _t("complete", [S.ACTIVE], S.COMPLETED, [Action.ADMINISTER_GRANTS],
       gettext_lazy("Mark completed"), effects=[notify_status_change]),
    _t("terminate", [S.ACTIVE], S.TERMINATED, [Action.ADMINISTER_GRANTS],
       gettext_lazy("Terminate"),
       payload_required("reason", gettext_lazy("Give the reason for terminating the "
                                               "project.")),
       [notify_status_change]),
    _t("withdraw", BEFORE_DECISION, S.WITHDRAWN, [Action.WITHDRAW_APPLICATION],
       gettext_lazy("Withdraw application"), effects=[notify_officers_of_withdrawal]),
)

TRANSITIONS_BY_NAME = {t.name: t for t in TRANSITIONS}
assert len(TRANSITIONS_BY_NAME) == len(TRANSITIONS), "transition names must be unique"

# Fields the engine may have changed on the locked row; copied back to the caller's object.
_ENGINE_FIELDS = ["status", "status_changed_at", "reference", "submitted_at", "updated_at"]


def application_transition(*, actor, application: Application, transition_name: str,
                           **payload) -> Application:
    """Take one step of the lifecycle, or change nothing.

    Locks the application row, then checks in order: the step exists, the actor may take
    it, the application is in one of its source states, and its guard finds no problem.
    Then it sets the new status, runs the step's effects, records the status change and the
    audit event, all in one transaction; notifications leave through the outbox once the
    transaction commits. Raises ``PermissionDeniedError`` or ``DomainError`` (a
    ``ProblemsError`` listing every problem when the guard refuses).
    """
    transition = TRANSITIONS_BY_NAME.get(transition_name)
    if transition is None:
        raise DomainError(_("This action does not exist."), code="unknown_transition")
    with transaction.atomic():
        locked = (Application.objects.select_for_update(of=("self",))
                  .select_related("round", "organisation").get(pk=application.pk))
        if not transition.allows(actor, locked):
            raise PermissionDeniedError(
                _("You may not take the step “%(step)s” on this application.")
                % {"step": transition.label})
        if locked.status not in transition.sources:
            # Staff know the internal steps; applicants and partners see the public state.
            status = (locked.get_status_display() if getattr(actor, "is_staff_role", False)
                      else public_status(locked.status))
            raise DomainError(
                _("“%(step)s” is not possible while the application is “%(status)s”.")
                % {"step": transition.label, "status": status},
                code="invalid_transition")
        source = locked.status
        ctx = TransitionContext(actor=actor, application=locked, transition=transition,
                                source=source, payload=payload)
        problems = transition.guard(ctx)
        if problems:
            raise ProblemsError(problems, code="guard")
        with status_gate_open():
            locked.status = transition.target
            locked.status_changed_at = timezone.now()
            locked.save(update_fields=["status", "status_changed_at", "updated_at"])
        for effect in transition.effects:
            effect(ctx)
        note = transition_note(payload)
        StatusChange.objects.create(application=locked, transition=transition.name,
                                    from_status=source, to_status=transition.target,
                                    actor=actor_user(actor), note=note, at=locked.status_changed_at)
        audit_record(actor=actor, action=f"application.{transition.name}", obj=locked,
                     before={"status": source},
                     after={"status": transition.target, "reference": locked.reference,
                            "note": note})
    for name in _ENGINE_FIELDS:
        setattr(application, name, getattr(locked, name))
    application._status_as_loaded = locked.status
    return locked


def available_transitions(user, application: Application) -> list[Transition]:
    """The steps ``user`` may take on ``application`` now (guards are checked when the step
    is taken), so pages and the API offer no forbidden button."""
    return [t for t in TRANSITIONS
            if application.status in t.sources and t.allows(user, application)]


def public_timeline(status_changes) -> list[dict]:
    """The applicant's view of the history: public names, with consecutive steps that look
    the same to the applicant (screening → in review → reviewed) shown once."""
    timeline: list[dict] = []
    for change in status_changes:
        label = public_status(change.to_status)
        if timeline and timeline[-1]["label"] == label:
            continue
        timeline.append({"label": label, "at": change.at, "status": change.to_status,
                         "note": change.note})
    return timeline


def bulk_load():
    """The one way round the engine: ``generate_volume`` writes load-test applications in
    their final states in bulk, with their status changes, instead of walking each one
    through its transitions. Nothing that serves users may use it."""
    return status_gate_open()
