"""Screening: the programme officer checks a submitted application's eligibility.

Each rule has an automatic result, computed from the submission checks of
``applicants.checks`` (the same rules the applicant met at submission, read again
now) plus the two that concern the company: its category is one the round funds, and its
registration is on record. The officer confirms or overrides each result, an override with
a reason, and concludes with one outcome of the workflow engine: ineligible (with the
reason the applicant is told), a request for information, or a pass to review. The
judgement is kept in the append-only audit trail with the outcome, in one transaction.
"""

from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from applicants.checks import application_submission_problems
from applicants.errors import ProblemsError
from applicants.models import Application
from applicants.workflow import application_transition
from subsidy.platform.audit import audit_record
from subsidy.platform.errors import DomainError
from subsidy.platform.models import AuditEvent
from subsidy.platform.permissions import Action, require

RULES = {
    "round_open": gettext_lazy("Submitted while the round was open"),
    "complete": gettext_lazy("Every part of the form is complete"),
    "budget_total": gettext_lazy("Budget lines add up to the total eligible cost"),
    "subsidy_caps": gettext_lazy("Requested subsidy within the round's maximum and ratio"),
    "milestone_shares": gettext_lazy("Milestone shares add up to 100% within the project "
                                     "dates"),
    "required_documents": gettext_lazy("Required documents present"),
    "one_live_application": gettext_lazy("One live application per company in the round"),
    "category_eligible": gettext_lazy("Project and company category eligible in the round"),
    "company_registration": gettext_lazy("Business Registration number and incorporation "
                                         "date on record"),
}

OUTCOMES = {
    "pass_to_review": gettext_lazy("Pass to review"),
    "request_information": gettext_lazy("Request information"),
    "mark_ineligible": gettext_lazy("Mark ineligible"),
}

SCREENING_ACTION = "application.screening"


@dataclass
class RuleCheck:
    code: str
    label: str
    passed: bool
    findings: list[str] = field(default_factory=list)


def _rule_of(field_name: str | None) -> str:
    if field_name is None:
        return "one_live_application"
    head = field_name.split("-", 1)[0]
    return {"budget": "budget_total", "requested_subsidy": "subsidy_caps",
            "total_eligible_cost": "subsidy_caps", "milestones": "milestone_shares",
            "documents": "required_documents", "category": "category_eligible",
            "round": "round_open", "organisation": "company_registration"}.get(head, "complete")


def screening_checks(application: Application) -> list[RuleCheck]:
    """Every eligibility rule with its automatic result and what was found."""
    app = application
    checks = {code: RuleCheck(code=code, label=str(label), passed=True)
              for code, label in RULES.items()}
    for field_name, message in application_submission_problems(app, check_round=False):
        rule = checks[_rule_of(field_name)]
        rule.passed = False
        rule.findings.append(str(message))
    round_ = app.round
    if app.submitted_at is None or not round_.opens_at <= app.submitted_at < round_.closes_at:
        checks["round_open"].passed = False
        checks["round_open"].findings.append(
            _("The application was not submitted between the round's opening and closing "
              "times."))
    organisation = app.organisation
    if round_.eligible_categories and organisation.sector not in round_.eligible_categories:
        checks["category_eligible"].passed = False
        checks["category_eligible"].findings.append(
            _("The company's sector “%(sector)s” is not one this round funds.")
            % {"sector": organisation.get_sector_display()})
    registration = checks["company_registration"]
    if not (organisation.br_number or "").isdigit() or len(organisation.br_number) != 8:
        registration.passed = False
        registration.findings.append(_("The company has no valid Business Registration "
                                       "number."))
    if organisation.incorporation_date is None:
        registration.passed = False
        registration.findings.append(_("The company's date of incorporation is missing."))
    elif app.submitted_at and organisation.incorporation_date > app.submitted_at.date():
        registration.passed = False
        registration.findings.append(_("The company was incorporated after the application "
                                       "was submitted."))
    return list(checks.values())


def _judged(checks: list[RuleCheck], judgements: dict) -> tuple[list[dict], list]:
    """Each rule's final result: the automatic one confirmed, or overridden with a reason."""
    rows, problems = [], []
    for check in checks:
        given = judgements.get(check.code) or {}
        confirmed = given.get("confirmed")
        reason = (given.get("reason") or "").strip()
        if confirmed is None:
            problems.append((f"rule-{check.code}", _("Confirm or override “%(rule)s”.")
                             % {"rule": check.label}))
            continue
        if not confirmed and not reason:
            problems.append((f"rule-{check.code}", _("Give the reason for overriding "
                                                     "“%(rule)s”.") % {"rule": check.label}))
        if len(reason) > 2000:
            problems.append((f"rule-{check.code}", _("Keep the reason to 2,000 characters or "
                                                     "fewer.")))
        rows.append({"code": check.code, "automatic": check.passed,
                     "overridden": not confirmed,
                     "result": check.passed if confirmed else not check.passed,
                     "reason": reason, "findings": check.findings})
    return rows, problems


def screening_judged(checks: list[RuleCheck], judgements: dict, *,
                     outcome: str) -> tuple[list[dict], list]:
    """Each rule's final result after the officer's judgement, and what stops the outcome:
    a rule neither confirmed nor overridden, an override without its reason, or (to pass to
    review) a rule not met."""
    rows, problems = _judged(checks, judgements)
    if outcome == "pass_to_review" and not problems:
        problems += [(f"rule-{row['code']}", _("“%(rule)s” is not met: the application cannot "
                                               "pass to review.") % {"rule": RULES[row["code"]]})
                     for row in rows if not row["result"]]
    return rows, problems


def screening_automatic_judgements(checks: list[RuleCheck], *,
                                   override_reason: str = "") -> dict:
    """Every automatic result confirmed in one step; with ``override_reason``, the results
    that are not met are overridden with it instead."""
    reason = (override_reason or "").strip()
    return {check.code: ({"confirmed": False, "reason": reason}
                         if reason and not check.passed else {"confirmed": True, "reason": ""})
            for check in checks}


@dataclass
class ScreeningResult:
    application: Application
    ok: bool
    message: str


def screening_pass_confirmed(*, actor, passes: dict[int, str]) -> list[ScreeningResult]:
    """Pass applications in screening to review, each with its automatic results confirmed
    (``passes`` maps an application's id to the reason overriding its results that are not
    met, or ""). Each goes through ``screening_conclude`` in its own transaction, so one
    refusal leaves the others passed; the result says what happened to each."""
    results = []
    for application in (Application.objects.filter(pk__in=passes)
                        .select_related("round", "organisation").order_by("reference", "pk")):
        judgements = screening_automatic_judgements(screening_checks(application),
                                                    override_reason=passes[application.pk])
        try:
            screening_conclude(actor=actor, application=application, judgements=judgements,
                               outcome="pass_to_review")
        except DomainError as exc:
            problems = getattr(exc, "problems", None)
            message = " ".join(str(m) for _f, m in problems) if problems else str(exc.message)
            results.append(ScreeningResult(application=application, ok=False, message=message))
        else:
            results.append(ScreeningResult(application=application, ok=True,
                                           message=str(OUTCOMES["pass_to_review"])))
    return results


@transaction.atomic
def screening_conclude(*, actor, application: Application, judgements: dict, outcome: str,
                       reason: str = "", question: str = "", sections=None,
                       due_at=None) -> Application:
    """Record the officer's judgement of every rule and take the screening outcome.

    ``judgements`` maps each rule code to ``{"confirmed": bool, "reason": str}``; an
    override needs a reason. A pass to review needs every rule met after the officer's
    judgement; marking ineligible needs the reason the applicant is told; a request for
    information needs the question, the sections it re-opens and optionally a due date.
    Refused with ``ProblemsError`` (nothing recorded, nothing changed) otherwise."""
    require(actor, Action.SCREEN_APPLICATIONS, application)
    if outcome not in OUTCOMES:
        raise ProblemsError([("outcome", _("Choose the outcome of the screening."))])
    locked = (Application.objects.select_for_update(of=("self",))
              .select_related("round", "organisation").get(pk=application.pk))
    rows, problems = screening_judged(screening_checks(locked), judgements, outcome=outcome)
    if problems:
        raise ProblemsError(problems, code="screening")
    payload = {"mark_ineligible": {"reason": reason},
               "request_information": {"question": question, "sections": sections or [],
                                       "due_at": due_at},
               "pass_to_review": {}}[outcome]
    result = application_transition(actor=actor, application=application,
                                    transition_name=outcome, **payload)
    audit_record(actor=actor, action=SCREENING_ACTION, obj=result,
                 after={"outcome": outcome, "rules": rows})
    return result


def screening_start(*, actor, application: Application) -> Application:
    """Take a submitted application into screening."""
    return application_transition(actor=actor, application=application,
                                  transition_name="start_screening")


def screening_history(application: Application):
    """The recorded screening judgements of the application, newest first."""
    return AuditEvent.objects.filter(action=SCREENING_ACTION,
                                     object_type=Application._meta.label_lower,
                                     object_id=str(application.pk)).order_by("-at", "-id")
