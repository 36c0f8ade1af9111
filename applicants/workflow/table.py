"""The lifecycle of DOMAIN.md as one table: every step an application can take, who may
take it, its guard and its effects.

Higher layers add their own effects to a step through ``transition_effect_register``
(called from their ``AppConfig.ready``): finance schedules, cancels and releases a grant's
tranches when the application starts, completes or is terminated. Registered effects run
first, under the engine's lock and in its transaction, whichever page, API or job takes
the step.
"""

from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy

from applicants.models import ApplicationStatus
from applicants.workflow.effects import (
    approval_terms_valid,
    assign_reference,
    close_information_request,
    commit_grant,
    freeze_version,
    grant_accepted,
    grant_declined,
    grant_lapsed,
    information_request_valid,
    notify_information_request,
    notify_offer,
    notify_offer_lapsed,
    notify_officers_of_decline,
    notify_officers_of_resubmission,
    notify_officers_of_submission,
    notify_officers_of_withdrawal,
    notify_panel_of_completed_review,
    notify_receipt,
    notify_waitlisted,
    notify_with_reason,
    offer_expired,
    offer_open,
    open_information_request,
    payload_required,
    publish_partner_events,
    resubmission_ready,
    send_offer,
    stamp_submitted,
    submission_ready,
)
from applicants.workflow.status import BEFORE_DECISION
from applicants.workflow.transition import Effect, Transition, always, system
from subsidy.platform.permissions import Action

S = ApplicationStatus
# The grant's side of a step (tranches scheduled or cancelled, the commitment released):
# finance registers it; the steps that need it name it in ``requires``.
GRANT = "grant"
# Accepting an offer is signing its agreement: subsidy.agreements registers the signature.
SIGNATURE = "signature"
# Closing a grant waits for its closure checklist: subsidy.closure registers it.
CLOSURE = "closure"


def _t(name, sources, target, who, label, guard=always, effects=(), requires=()) -> Transition:
    # Every step ends by telling linked partners, after the step's own effects.
    return Transition(name=name, sources=frozenset(sources), target=target, who=tuple(who),
                      label=label, guard=guard,
                      effects=(*effects, publish_partner_events), requires=frozenset(requires))


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
       gettext_lazy("Accept the offer"), offer_open, [grant_accepted], requires=[SIGNATURE]),
    _t("decline_offer", [S.OFFERED], S.DECLINED, [Action.RESPOND_TO_OFFER],
       gettext_lazy("Decline the offer"),
       effects=[grant_declined, notify_officers_of_decline]),
    _t("lapse_offer", [S.OFFERED], S.LAPSED, [Action.ADMINISTER_GRANTS, system],
       gettext_lazy("Let the offer lapse"), offer_expired,
       [grant_lapsed, notify_offer_lapsed]),
    _t("activate", [S.ACCEPTED], S.ACTIVE, [Action.ADMINISTER_GRANTS, system],
       gettext_lazy("Start the project"), requires=[GRANT]),
    _t("complete", [S.ACTIVE], S.COMPLETED, [Action.ADMINISTER_GRANTS],
       gettext_lazy("Mark completed"), requires=[GRANT, CLOSURE]),
    _t("terminate", [S.ACTIVE], S.TERMINATED, [Action.ADMINISTER_GRANTS],
       gettext_lazy("Terminate"),
       payload_required("reason", gettext_lazy("Give the reason for terminating the "
                                               "project.")),
       requires=[GRANT, CLOSURE]),
    _t("withdraw", BEFORE_DECISION, S.WITHDRAWN, [Action.WITHDRAW_APPLICATION],
       gettext_lazy("Withdraw application"), effects=[notify_officers_of_withdrawal]),
)

TRANSITIONS_BY_NAME = {t.name: t for t in TRANSITIONS}
assert len(TRANSITIONS_BY_NAME) == len(TRANSITIONS), "transition names must be unique"

# Effects that higher layers add to a step, by transition name, in registration order,
# and the parts (``Transition.requires``) those registrations provide.
_REGISTERED_EFFECTS: dict[str, list[Effect]] = {}
_REGISTERED_PARTS: dict[str, set[str]] = {}


class UnregisteredEffectError(ImproperlyConfigured):
    """A step needs effects that no higher layer registered: a deployment or programming
    error (``AppConfig.ready`` did not register them), never a refusal of the step."""


def transition_effect_register(*, transition_name: str, effect: Effect,
                               part: str | None = None) -> None:
    """Add ``effect`` to a step of the table; it runs before the step's own effects, so a
    refusal it raises (a ``DomainError``) leaves nothing changed. ``part`` names what the
    effect provides when the step ``requires`` it. Registering the same function twice
    (``ready`` may run more than once) adds it once."""
    if transition_name not in TRANSITIONS_BY_NAME:
        raise KeyError(f"no transition named {transition_name!r}")
    registered = _REGISTERED_EFFECTS.setdefault(transition_name, [])
    key = (effect.__module__, effect.__qualname__)
    if all((e.__module__, e.__qualname__) != key for e in registered):
        registered.append(effect)
    if part is not None:
        _REGISTERED_PARTS.setdefault(transition_name, set()).add(part)


def transition_missing_parts(transition: Transition) -> list[str]:
    """The parts ``transition`` requires that no effect registered for it provides."""
    provided = _REGISTERED_PARTS.get(transition.name, set())
    return sorted(part for part in transition.requires if part not in provided)


def transition_effects(transition: Transition) -> tuple[Effect, ...]:
    """Every effect of ``transition``, in the order the engine runs them. Raises
    ``UnregisteredEffectError`` when a part the step requires was not registered."""
    missing = transition_missing_parts(transition)
    if missing:
        raise UnregisteredEffectError(_missing_message(transition, missing))
    return (*_REGISTERED_EFFECTS.get(transition.name, ()), *transition.effects)


def _missing_message(transition: Transition, missing: list[str]) -> str:
    return (f"The step {transition.name!r} requires effects for {', '.join(missing)} that "
            "no app has registered (the owning app registers them from its "
            "AppConfig.ready with transition_effect_register).")


@checks.register()
def check_required_effects_registered(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """``manage.py check`` (and so every deploy) fails while a step would run without the
    effects it requires: activate, complete and terminate without the grant's."""
    return [
        checks.Error(_missing_message(transition, missing),
                     hint="Register them from the owning app's AppConfig.ready "
                          "(subsidy.finance.registration for the grant, "
                          "subsidy.agreements.registration for the signature, "
                          "subsidy.closure.registration for the closure).",
                     obj="applicants.workflow", id="applicants.E101")
        for transition in TRANSITIONS
        if (missing := transition_missing_parts(transition))
    ]
