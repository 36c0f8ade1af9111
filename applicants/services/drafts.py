"""Drafting an application: start a draft, save it section by section.

A draft may be incomplete (the submission checks say what is missing), but what is saved
is never malformed: text within its length, amounts non-negative and plausible, dates real
and in order. Every save carries the version the editor started from; a stale version is
refused, so one editor never silently overwrites another's work.
"""

import datetime
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from applicants.checks import SECTIONS, hong_kong_time
from applicants.eligibility import eligibility_problems
from applicants.errors import ProblemsError
from applicants.models import (
    NOT_LIVE_STATUSES,
    Application,
    ApplicationStatus,
    BudgetLine,
    Milestone,
    Organisation,
    TeamMember,
)
from applicants.workflow import application_created_publish
from subsidy.platform.audit import actor_user, audit_record
from subsidy.platform.errors import DomainError
from subsidy.platform.permissions import Action, require
from subsidy.scheme.models import FundingRound, Sector

# Above this an amount is a typing slip, not a project budget (the whole scheme is HK$500M).
PLAUSIBLE_AMOUNT = Decimal("500000000")
PLAUSIBLE_QUANTITY = Decimal("10000000")
MAX_LINES = 100
CENT = Decimal("0.01")
# A Hong Kong identity card number (e.g. A123456(7)); the product never stores one.
HKID_PATTERN = re.compile(r"\b[A-Z]{1,2}\s?\d{6}\s?\(?[0-9A]\)?", re.IGNORECASE)

Problems = list[tuple[str | None, str]]


def editable_sections(application: Application) -> set[str]:
    """The sections an applicant may change now: all of a draft; after submission only
    those an open request for information re-opened; none otherwise."""
    if application.status == ApplicationStatus.DRAFT:
        return set(SECTIONS)
    if application.status == ApplicationStatus.INFO_REQUESTED:
        request = (application.information_requests.filter(answered_at__isnull=True)
                   .order_by("-created_at").first())
        return set(request.sections) if request else set()
    return set()


def require_editable(*, actor, application: Application, section: str) -> None:
    """Refuse a change of ``section`` that the actor or the application's state does not
    allow."""
    require(actor, Action.EDIT_APPLICATION, application)
    _require_open(application, section, editable_sections(application))


def _require_open(application: Application, section: str, editable: set[str]) -> None:
    if section in editable:
        return
    if application.status == ApplicationStatus.INFO_REQUESTED:
        raise DomainError(_("Only the sections named in the request for information can be "
                            "changed."), code="frozen")
    raise DomainError(_("A submitted application cannot be changed."), code="frozen")


@transaction.atomic
def application_create_draft(*, actor, organisation: Organisation, round_: FundingRound,
                             category: str | None = None) -> Application:
    """Start a draft for an open round; one live application per company per round. The
    company must be eligible (``applicants.eligibility``), and so must the project's
    category when it is given; every reason it is not comes back at once."""
    require(actor, Action.EDIT_ORGANISATION, organisation)
    if not round_.is_accepting_submissions():
        raise DomainError(_("Round %(code)s is not open for applications (it closes at "
                            "%(time)s, Hong Kong time).")
                          % {"code": round_.code, "time": hong_kong_time(round_.closes_at)},
                          code="round_closed")
    problems = eligibility_problems(organisation=organisation, round_=round_,
                                    category=category)
    if problems:
        raise ProblemsError(problems, code="ineligible")
    message = _("Your company already has an application in this round; only one is "
                "allowed per round.")
    live = Application.objects.filter(organisation=organisation, round=round_).exclude(
        status__in=NOT_LIVE_STATUSES)
    if live.exists():
        raise DomainError(message, code="duplicate")
    try:
        with transaction.atomic():
            application = Application.objects.create(round=round_, organisation=organisation,
                                                     category=category or "",
                                                     created_by=actor_user(actor))
    except IntegrityError as exc:
        raise DomainError(message, code="duplicate") from exc
    audit_record(actor=actor, action="application.create", obj=application,
                 after={"round": round_.code, "organisation": organisation.pk,
                        "status": application.status})
    application_created_publish(application)
    return application


# --- Parsing what a form or an API client sent ---------------------------------------------

def _text(value, field: str, problems: Problems, *, max_length: int,
          required: bool = False) -> str:
    text = "" if value is None else str(value).strip()
    if len(text) > max_length:
        problems.append((field, _("Keep this to %(max)s characters or fewer (it has "
                                  "%(length)s).") % {"max": max_length, "length": len(text)}))
    elif required and not text:
        problems.append((field, _("This field is required.")))
    return text[:max_length]


def _decimal(value, field: str, problems: Problems, *, maximum: Decimal,
             required: bool = False) -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            problems.append((field, _("This field is required.")))
        return None
    try:
        number = Decimal(str(value).replace(",", "").strip())
    except (InvalidOperation, ValueError):
        problems.append((field, _("Enter a number.")))
        return None
    if not number.is_finite():
        problems.append((field, _("Enter a number.")))
        return None
    if number < 0:
        problems.append((field, _("Enter zero or a positive number.")))
        return None
    if number > maximum:
        problems.append((field, _("This is more than %(max)s; check the figure.")
                         % {"max": f"{maximum:,}"}))
        return None
    if number != number.quantize(CENT):
        problems.append((field, _("Use at most two decimal places.")))
        return None
    return number


def _date(value, field: str, problems: Problems, *, required: bool = False):
    if value is None or value == "":
        if required:
            problems.append((field, _("This field is required.")))
        return None
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value).strip())
    except ValueError:
        problems.append((field, _("Enter a real date as YYYY-MM-DD.")))
        return None


def _no_hkid(text: str, field: str, problems: Problems) -> None:
    if HKID_PATTERN.search(text):
        problems.append((field, _("Do not enter identity card (HKID) numbers; the scheme does "
                                  "not collect them.")))


# --- Sections ------------------------------------------------------------------------------

def _save_project(app: Application, data: dict, problems: Problems) -> None:
    app.title = _text(data.get("title"), "title", problems, max_length=200)
    app.summary = _text(data.get("summary"), "summary", problems, max_length=5000)
    category = data.get("category") or ""
    if category and category not in Sector.values:
        problems.append(("category", _("Choose a category from the list.")))
        category = ""
    app.category = category
    app.start_date = _date(data.get("start_date"), "start_date", problems)
    app.end_date = _date(data.get("end_date"), "end_date", problems)
    if app.start_date and app.end_date and app.end_date < app.start_date:
        problems.append(("end_date", _("The end date must not be before the start date.")))
    for name in ("total_eligible_cost", "requested_subsidy"):
        amount = _decimal(data.get(name), name, problems, maximum=PLAUSIBLE_AMOUNT)
        setattr(app, name, amount if amount is not None else Decimal("0"))


def _save_responsible_ai(app: Application, data: dict, problems: Problems) -> None:
    for name in ("rai_safety", "rai_human", "rai_transparency"):
        setattr(app, name, _text(data.get(name), name, problems, max_length=4000))


def _save_declarations(app: Application, data: dict, problems: Problems) -> None:
    for name in ("declares_accurate", "declares_no_double_funding", "declares_compliance"):
        setattr(app, name, bool(data.get(name)))
    if data.get("privacy_notice"):
        app.privacy_notice_accepted_at = app.privacy_notice_accepted_at or timezone.now()
    else:
        app.privacy_notice_accepted_at = None


def _rows(data, section: str, problems: Problems) -> list[dict]:
    rows = data if isinstance(data, list) else []
    if len(rows) > MAX_LINES:
        problems.append((section, _("Enter at most %(max)s rows.") % {"max": MAX_LINES}))
        return []
    return [row if isinstance(row, dict) else {} for row in rows]


def _replace_rows(model, app: Application, rows: list, problems: Problems) -> None:
    """A list section is saved as a whole: the rows sent replace the stored ones."""
    if not problems:
        model.objects.filter(application=app).delete()
        model.objects.bulk_create(rows)


def budget_line_priced(round_: FundingRound, row: dict, index: int,
                       problems: Problems) -> BudgetLine:
    """One budget line as the applicant gave it, with its amount: quantity times unit cost,
    rounded to the cent; compute is GPU-hours at the AI Supercomputing Centre's list rate of
    the round. The one rule for a line's amount, for saving and for the page's live total."""
    prefix = f"budget-{index}-"
    category = row.get("category") or ""
    if category not in BudgetLine.Category.values:
        problems.append((prefix + "category", _("Choose a category from the list.")))
    line = BudgetLine(position=index, category=category,
                      description=_text(row.get("description"), prefix + "description",
                                        problems, max_length=200, required=True),
                      justification=_text(row.get("justification"), prefix + "justification",
                                          problems, max_length=2000))
    if category == BudgetLine.Category.COMPUTE:
        line.gpu_hours = _decimal(row.get("gpu_hours"), prefix + "gpu_hours", problems,
                                  maximum=PLAUSIBLE_QUANTITY, required=True)
        line.quantity = line.gpu_hours or Decimal("0")
        line.unit_cost = round_.gpu_hour_rate
    else:
        line.quantity = _decimal(row.get("quantity"), prefix + "quantity", problems,
                                 maximum=PLAUSIBLE_QUANTITY, required=True) or Decimal("0")
        line.unit_cost = _decimal(row.get("unit_cost"), prefix + "unit_cost", problems,
                                  maximum=PLAUSIBLE_AMOUNT, required=True) or Decimal("0")
    line.amount = (line.quantity * line.unit_cost).quantize(CENT, rounding=ROUND_HALF_UP)
    if line.amount > PLAUSIBLE_AMOUNT:
        problems.append((prefix + "quantity", _("This line comes to more than "
                                                "%(max)s; check the figures.")
                         % {"max": f"{PLAUSIBLE_AMOUNT:,}"}))
    return line


def budget_preview(*, application: Application, rows: list) -> tuple[list[Decimal], Decimal]:
    """Each line's amount and the total eligible cost they come to, as the budget would be
    saved, without saving; a figure not (yet) readable counts as nothing."""
    amounts = [budget_line_priced(application.round, row if isinstance(row, dict) else {}, i,
                                  []).amount
               for i, row in enumerate(rows[:MAX_LINES])]
    return amounts, sum(amounts, Decimal("0.00"))


def _save_budget(app: Application, data, problems: Problems) -> None:
    lines = []
    for i, row in enumerate(_rows(data, "budget", problems)):
        line = budget_line_priced(app.round, row, i, problems)
        line.application = app
        lines.append(line)
    _replace_rows(BudgetLine, app, lines, problems)
    if lines and not problems:
        # The total eligible cost is worked out from the budget lines.
        app.total_eligible_cost = sum((line.amount for line in lines), Decimal("0.00"))


def _save_milestones(app: Application, data, problems: Problems) -> None:
    milestones = [
        Milestone(
            application=app, position=i,
            deliverable=_text(row.get("deliverable"), f"milestones-{i}-deliverable", problems,
                              max_length=300, required=True),
            due_date=_date(row.get("due_date"), f"milestones-{i}-due_date", problems,
                           required=True),
            share_percent=_decimal(row.get("share_percent"), f"milestones-{i}-share_percent",
                                   problems, maximum=Decimal("100"), required=True),
        )
        for i, row in enumerate(_rows(data, "milestones", problems))
    ]
    _replace_rows(Milestone, app, milestones, problems)


def _save_team(app: Application, data, problems: Problems) -> None:
    members = []
    for i, row in enumerate(_rows(data, "team", problems)):
        prefix = f"team-{i}-"
        member = TeamMember(
            application=app, position=i,
            name=_text(row.get("name"), prefix + "name", problems, max_length=150,
                       required=True),
            role=_text(row.get("role"), prefix + "role", problems, max_length=150,
                       required=True),
            expertise=_text(row.get("expertise"), prefix + "expertise", problems,
                            max_length=1000),
        )
        for name in ("name", "role", "expertise"):
            _no_hkid(getattr(member, name), prefix + name, problems)
        members.append(member)
    _replace_rows(TeamMember, app, members, problems)


SECTION_WRITERS = {
    "project": _save_project,
    "budget": _save_budget,
    "milestones": _save_milestones,
    "team": _save_team,
    "responsible_ai": _save_responsible_ai,
    "declarations": _save_declarations,
}


def stale_draft_error() -> DomainError:
    return DomainError(_("Someone else saved this draft after you opened it, so your changes "
                         "were not saved over theirs. Your entries are still on this page: "
                         "reload the draft in another tab, compare, and save again."),
                       code="stale")


def application_update_section(*, actor, application: Application, section: str, data,
                               expected_version: int) -> Application:
    """Save one section of a draft (or a section re-opened by a request for information).

    ``expected_version`` is the version the editor loaded; if someone saved in between, the
    save is refused and nothing changes. Budget lines, milestones and team are replaced as a
    whole by the rows sent. Every problem found is reported at once (``ProblemsError``)."""
    return application_update_sections(actor=actor, application=application,
                                       sections={section: data},
                                       expected_version=expected_version)


@transaction.atomic
def application_update_sections(*, actor, application: Application, sections: dict,
                                expected_version: int) -> Application:
    """Save several sections at once (``{section: data}``), under one lock, as one new
    version with one audit record: all of them, or none. Every problem of every section is
    reported together (``ProblemsError``)."""
    if any(section not in SECTION_WRITERS for section in sections):
        raise DomainError(_("Unknown section."), code="unknown_section")
    app = (Application.objects.select_for_update(of=("self",)).select_related("round")
           .get(pk=application.pk))
    require(actor, Action.EDIT_APPLICATION, app)
    editable = editable_sections(app)
    for section in sections:
        _require_open(app, section, editable)
    if app.version != expected_version:
        raise stale_draft_error()
    problems: Problems = []
    for section, data in sections.items():
        # A list section writes its rows only while nothing is wrong; any problem rolls
        # every section back.
        SECTION_WRITERS[section](app, data if data is not None else {}, problems)
    if problems:
        raise ProblemsError(problems)
    app.version += 1
    app.save()
    audit_record(actor=actor, action="application.save_section", obj=app,
                 after={"section": ", ".join(sections), "version": app.version,
                        "requested_subsidy": app.requested_subsidy,
                        "total_eligible_cost": app.total_eligible_cost})
    # The caller's object shows what was saved (its prefetched rows may be stale now).
    for model_field in Application._meta.concrete_fields:
        setattr(application, model_field.attname, getattr(app, model_field.attname))
    application.__dict__.pop("_prefetched_objects_cache", None)
    return app
