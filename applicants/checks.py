"""The submission checks of DOMAIN.md, each failure named against the field it concerns."""

from decimal import Decimal
from zoneinfo import ZoneInfo

from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from applicants.eligibility import category_problems, company_problems
from applicants.models import NOT_LIVE_STATUSES, Application, Document
from subsidy.platform.money import money
from subsidy.scheme.models import DocumentType

HONG_KONG = ZoneInfo("Asia/Hong_Kong")

# The sections of the application form and the fields each holds; a request for information
# re-opens whole sections.
SECTIONS = {
    "project": ["title", "summary", "category", "start_date", "end_date",
                "total_eligible_cost", "requested_subsidy"],
    "budget": ["budget"],
    "milestones": ["milestones"],
    "team": ["team"],
    "responsible_ai": ["rai_safety", "rai_human", "rai_transparency"],
    "documents": ["documents"],
    "declarations": ["declares_accurate", "declares_no_double_funding", "declares_compliance",
                     "privacy_notice"],
}
# Each section's name as the applicant and the staff read it, in the form's order.
SECTION_LABELS = {
    "project": gettext_lazy("Project"),
    "budget": gettext_lazy("Budget"),
    "milestones": gettext_lazy("Milestones"),
    "team": gettext_lazy("Team"),
    "responsible_ai": gettext_lazy("Responsible AI"),
    "documents": gettext_lazy("Documents"),
    "declarations": gettext_lazy("Declarations"),
}


class Breach(str):
    """A problem's message when the value is there but breaks a rule of the scheme (a
    subsidy over the cap, milestone shares over 100%), rather than something still to be
    filled in: a draft shows these as warnings while it is being written."""


def section_of(field: str | None) -> str | None:
    """The section a problem's field belongs to (``budget-2-quantity`` → ``budget``)."""
    if field is None:
        return None
    head = field.split("-", 1)[0]
    for section, fields in SECTIONS.items():
        if head in fields or head == section:
            return section
    return None


def hong_kong_time(value) -> str:
    return formats.date_format(timezone.localtime(value, HONG_KONG), "Y-m-d H:i")


def round_open_problems(application: Application, *, at=None) -> list[tuple[str | None, str]]:
    round_ = application.round
    at = at or timezone.now()
    if round_.is_accepting_submissions(at):
        return []
    if round_.status == round_.Status.PLANNED or at < round_.opens_at:
        return [("round", _("Round %(code)s is not open for submissions yet; it opens at "
                            "%(time)s (Hong Kong time). Your draft has been kept.")
                 % {"code": round_.code, "time": hong_kong_time(round_.opens_at)})]
    return [("round", _("Round %(code)s closed at %(time)s (Hong Kong time) and no longer "
                        "accepts submissions. Your draft has been kept.")
             % {"code": round_.code, "time": hong_kong_time(round_.closes_at)})]


def _project_problems(app: Application) -> list[tuple[str, str]]:
    problems = []
    if not app.title.strip():
        problems.append(("title", _("Give the project a title.")))
    if not app.summary.strip():
        problems.append(("summary", _("Summarise the project.")))
    # A category given that the round does not fund breaks a rule; a missing one is to do.
    problems += [(field, Breach(message) if app.category else message)
                 for field, message in category_problems(app.round, app.category)]
    if app.start_date is None:
        problems.append(("start_date", _("Enter the project's start date.")))
    if app.end_date is None:
        problems.append(("end_date", _("Enter the project's end date.")))
    elif app.start_date and app.end_date < app.start_date:
        problems.append(("end_date", Breach(_("The end date must not be before the start "
                                              "date."))))
    if app.total_eligible_cost <= 0:
        problems.append(("total_eligible_cost", _("Enter the total eligible cost.")))
    if app.requested_subsidy <= 0:
        problems.append(("requested_subsidy", _("Enter the subsidy you request.")))
    else:
        cap = app.round.max_subsidy_per_project
        if app.requested_subsidy > cap:
            problems.append(("requested_subsidy", Breach(_(
                "The requested subsidy %(requested)s is above the round's maximum of "
                "%(cap)s per project.") % {"requested": money(app.requested_subsidy),
                                           "cap": money(cap)})))
        ratio_cap = app.round.max_ratio_percent
        if app.requested_subsidy * 100 > ratio_cap * app.total_eligible_cost:
            message = _(
                "The requested subsidy is more than %(ratio)s%% of the total eligible cost "
                "(at most %(allowed)s).") % {
                    "ratio": f"{ratio_cap.normalize():f}",
                    "allowed": money((app.total_eligible_cost * ratio_cap / 100)
                                     .quantize(Decimal("0.01"))),
                }
            # Without a total cost yet, any subsidy is "over": that is still to be filled in.
            problems.append(("requested_subsidy", Breach(message)
                             if app.total_eligible_cost > 0 else message))
    return problems


def _budget_problems(app: Application, lines) -> list[tuple[str, str]]:
    if not lines:
        return [("budget", _("Add at least one budget line."))]
    total = sum((line.amount for line in lines), Decimal("0"))
    if total != app.total_eligible_cost:
        return [("budget", _("The budget lines add up to %(lines)s but the total eligible cost "
                             "is %(total)s; they must be equal.")
                 % {"lines": money(total), "total": money(app.total_eligible_cost)})]
    return []


def _milestone_problems(app: Application, milestones) -> list[tuple[str, str]]:
    if not milestones:
        return [("milestones", _("Add at least one milestone."))]
    problems = []
    shares = sum((m.share_percent for m in milestones), Decimal("0"))
    if shares != 100:
        message = (_("The milestone shares add up to %(shares)s%%; they must add up to "
                     "100%%.") % {"shares": f"{shares.normalize():f}"})
        # Under 100% is a plan still being written; over 100% no plan can be.
        problems.append(("milestones", Breach(message) if shares > 100 else message))
    for index, milestone in enumerate(milestones):
        if (app.start_date and milestone.due_date < app.start_date) or (
                app.end_date and milestone.due_date > app.end_date):
            problems.append((f"milestones-{index}-due_date",
                             Breach(_("Milestone “%(name)s” is due outside the project "
                                      "dates.") % {"name": milestone.deliverable})))
    return problems


def _rai_problems(app: Application) -> list[tuple[str, str]]:
    # Each message names its principle: in the summary list the three must be told apart.
    return [
        (name, _("Describe how the project meets the principle “%(principle)s”.")
         % {"principle": Application._meta.get_field(name).verbose_name})
        for name in ("rai_safety", "rai_human", "rai_transparency")
        if not getattr(app, name).strip()
    ]


def _declaration_problems(app: Application) -> list[tuple[str, str]]:
    problems = [
        (name, _("Confirm the declaration: “%(declaration)s”")
         % {"declaration": Application._meta.get_field(name).verbose_name})
        for name in ("declares_accurate", "declares_no_double_funding", "declares_compliance")
        if not getattr(app, name)
    ]
    if app.privacy_notice_accepted_at is None:
        problems.append(("privacy_notice", _("Read and accept the personal-data collection "
                                             "notice.")))
    return problems


def _document_problems(app: Application, documents) -> list[tuple[str, str]]:
    present = {doc.document_type for doc in documents
               if doc.scan_status != Document.ScanStatus.INFECTED}
    problems = []
    # Nothing unchecked or refused is submitted: each waits for the scanner or is replaced.
    for doc in documents:
        if doc.scan_status == Document.ScanStatus.SCANNING:
            problems.append((f"documents-{doc.document_type}", _(
                "“%(name)s” is still being checked for viruses; you can submit once the "
                "check is done.") % {"name": doc.original_name}))
        elif doc.scan_status == Document.ScanStatus.INFECTED:
            problems.append((f"documents-{doc.document_type}", _(
                "A virus was found in “%(name)s”: remove it and upload a clean copy.")
                % {"name": doc.original_name}))
    for code in app.round.required_documents:
        if code not in present:
            label = DocumentType(code).label if code in DocumentType.values else code
            problems.append((f"documents-{code}", _("Upload the required document: %(type)s.")
                             % {"type": label}))
    return problems


def application_submission_problems(application: Application, *, at=None,
                                    check_round: bool = True) -> list[tuple[str | None, str]]:
    """Every check DOMAIN.md makes at submission, as ``(field, message)`` pairs; empty when
    the application may be submitted. Reads the lines, milestones, team and documents once
    (prefetched ones are used as they are)."""
    app = application
    problems: list[tuple[str | None, str]] = []
    if check_round:
        problems += round_open_problems(app, at=at)
    problems += [(field, Breach(message)) for field, message in
                 company_problems(app.organisation)]
    problems += _project_problems(app)
    problems += _budget_problems(app, list(app.budget_lines.all()))
    problems += _milestone_problems(app, list(app.milestones.all()))
    if not list(app.team_members.all()):
        problems.append(("team", _("Name at least one member of the project team.")))
    problems += _rai_problems(app)
    problems += _document_problems(app, list(app.documents.all()))
    problems += _declaration_problems(app)
    other_live = (Application.objects.filter(organisation_id=app.organisation_id,
                                             round_id=app.round_id)
                  .exclude(pk=app.pk).exclude(status__in=NOT_LIVE_STATUSES))
    if other_live.exists():
        problems.append((None, _("Your company already has an application in this round; "
                                 "only one is allowed per round.")))
    return problems


def application_rule_breaches(application: Application) -> list[tuple[str, str]]:
    """The submission problems of values already entered that break a rule of the scheme
    (``Breach``), without what is still missing: what a draft warns of while it is being
    filled in, so that nobody first hears of a subsidy over the cap at submission. Reads
    the milestones once (prefetched ones are used as they are)."""
    problems = (_project_problems(application)
                + _milestone_problems(application, list(application.milestones.all())))
    return [(field, message) for field, message in problems if isinstance(message, Breach)]
