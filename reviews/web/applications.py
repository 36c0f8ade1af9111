"""Staff pages of the assessment: queues, an application in full, screening and the other
steps of the lifecycle (panel decisions are in ``reviews.web.decisions``).

Views parse input with small forms, call one service of ``reviews.services.screening`` or
the workflow engine, and render. Which buttons a page shows comes
from the engine (``available_transitions``): no button offers a step the user may not take.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from applicants.checks import SECTION_LABELS, SECTIONS
from applicants.models import Application, ApplicationStatus, ApplicationVersion
from applicants.selectors import application_versions_compared
from applicants.workflow import (
    TRANSITIONS_BY_NAME,
    application_transition,
    available_transitions,
    public_status,
)
from reviews.selectors import queues as staff_selectors
from reviews.selectors.pool import review_shortfall
from reviews.services import screening
from reviews.web.audit import readable_audit
from subsidy.platform.choices import choice_label
from subsidy.platform.errors import DomainError
from subsidy.platform.permissions import Action, can
from subsidy.platform.web.errors import add_domain_error, add_domain_error_messages
from subsidy.scheme.models import FundingRound, Sector

S = ApplicationStatus
REVIEWS_PARTIAL = "reviews/_application_reviews.html"
SCREENING_STEPS = {"start_screening", "mark_ineligible", "request_information",
                   "pass_to_review"}
DECISION_STEPS = {"approve", "reject", "waitlist"}
# Steps taken with one button on the application page (``terminate`` asks for a reason).
BUTTON_STEPS = {"complete_review", "make_offer", "lapse_offer", "activate", "complete",
                "terminate"}
PAGE_SIZE = 50


def _require(request, action: str, obj=None) -> None:
    if not can(request.user, action, obj):
        raise PermissionDenied


def _application_or_404(application_id: int) -> Application:
    try:
        return staff_selectors.staff_application(application_id=application_id)
    except Application.DoesNotExist:
        raise Http404 from None


def _reviews_context(application) -> dict:
    """The reviews and scores block with what it shows, when the reviews pages provide it."""
    try:
        get_template(REVIEWS_PARTIAL)
    except TemplateDoesNotExist:
        return {"reviews_partial": None}
    from reviews.selectors.assessment import reviews_for_application

    return {"reviews_partial": REVIEWS_PARTIAL,
            "assessment": reviews_for_application(application=application)}


# --- Queues ----------------------------------------------------------------------------------

class QueueFilterForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("Search"), required=False, max_length=100,
                        help_text=gettext_lazy("Reference, project title or company name."))
    status = forms.ChoiceField(label=gettext_lazy("Status"), required=False)
    round = forms.ChoiceField(label=gettext_lazy("Round"), required=False)
    category = forms.ChoiceField(label=gettext_lazy("Project category"), required=False,
                                 choices=[("", gettext_lazy("Any"))] + list(Sector.choices))
    sector = forms.ChoiceField(label=gettext_lazy("Company sector"), required=False,
                               choices=[("", gettext_lazy("Any"))] + list(Sector.choices))
    incubatee = forms.ChoiceField(
        label=gettext_lazy("Cyberport incubatee"), required=False,
        choices=[("", gettext_lazy("Any")), ("yes", gettext_lazy("Yes")),
                 ("no", gettext_lazy("No"))])

    def __init__(self, *args, round_codes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", gettext_lazy("Any"))] + [
            (s, S(s).label) for s in staff_selectors.QUEUE_STATUSES]
        self.fields["round"].choices = [("", gettext_lazy("Any"))] + [
            (c, c) for c in round_codes]

    def filters(self) -> staff_selectors.QueueFilters:
        data = self.cleaned_data if self.is_valid() else {}
        return staff_selectors.QueueFilters(
            status=data.get("status", ""), round_code=data.get("round", ""),
            category=data.get("category", ""), sector=data.get("sector", ""),
            incubatee=data.get("incubatee", ""), q=data.get("q", ""))


def _label_choices(applications) -> None:
    """The labels of each row's status, category and company sector, each choice translated
    once per page. (``get_status_display()`` translates every label of the field's choices
    to look one up: 2,000 translations for a page of 50 rows.)"""
    statuses = {value: str(label) for value, label in S.choices}
    sectors = {value: str(label) for value, label in Sector.choices}
    for application in applications:
        application.status_label = statuses.get(application.status, application.status)
        application.category_label = sectors.get(application.category, application.category)
        organisation = application.organisation
        organisation.sector_label = sectors.get(organisation.sector, organisation.sector)


@login_required
def application_queue(request):
    """The queues per state with filters and search, one page at a time."""
    _require(request, Action.VIEW_REVIEWS)
    round_codes = list(FundingRound.objects.order_by("-opens_at").values_list("code",
                                                                              flat=True))
    form = QueueFilterForm(request.GET or None, round_codes=round_codes)
    filters = form.filters()
    counts = staff_selectors.staff_queue_counts(filters=filters)
    paginator = Paginator(staff_selectors.staff_queue(filters=filters), PAGE_SIZE)
    length = staff_selectors.staff_queue_length(filters=filters, counts=counts)
    if length is not None:
        paginator.count = length  # the tabs' kept counts hold it: no COUNT over the queue
    page = paginator.get_page(request.GET.get("page"))
    _label_choices(page)
    query = request.GET.copy()
    query.pop("page", None)
    tabs = []
    for status in staff_selectors.QUEUE_STATUSES:
        tab_query = query.copy()
        tab_query["status"] = status
        tabs.append({"status": status, "label": S(status).label, "count": counts.get(status, 0),
                     "url": f"?{tab_query.urlencode()}", "current": filters.status == status})
    return render(request, "reviews/staff/queue.html", {
        "form": form, "page": page, "tabs": tabs, "total": sum(counts.values()),
        "query": query.urlencode(),
        "may_decide": can(request.user, Action.DECIDE_APPLICATIONS),
    })


# --- One application -------------------------------------------------------------------------

def _actions(user, application) -> dict:
    names = {t.name for t in available_transitions(user, application)}
    return {
        "screen": bool(names & SCREENING_STEPS),
        "decide": bool(names & DECISION_STEPS),
        "buttons": [TRANSITIONS_BY_NAME[name] for name in
                    [t.name for t in available_transitions(user, application)]
                    if name in BUTTON_STEPS],
    }


@login_required
def application_detail(request, application_id):
    application = _application_or_404(application_id)
    _require(request, Action.VIEW_REVIEWS, application)
    versions = list(application.versions.all())
    # Each label shown translated alone (``choice_label``), not every choice of its field.
    application.status_label = choice_label(S.choices, application.status)
    organisation = application.organisation
    organisation.sector_label = choice_label(Sector.choices, organisation.sector)
    history = list(application.status_changes.all())
    for change in history:
        change.from_label = choice_label(S.choices, change.from_status)
        change.to_label = choice_label(S.choices, change.to_status)
    return render(request, "reviews/staff/application_detail.html", {
        "application": application,
        "grant": getattr(application, "grant", None),
        "public_status": public_status(application.status),
        "actions": _actions(request.user, application),
        "versions": versions,
        "history": history,
        "audit": readable_audit(staff_selectors.staff_application_audit(
            application=application)),
        "may_assign": application.status == S.IN_REVIEW
        and can(request.user, Action.ASSIGN_REVIEWERS, application),
        **_reviews_context(application),
    })


@login_required
def application_versions(request, application_id):
    """What changed between two submitted versions."""
    application = _application_or_404(application_id)
    _require(request, Action.VIEW_REVIEWS, application)
    numbers = sorted(v.number for v in application.versions.all())
    if len(numbers) < 2:
        raise Http404
    try:
        older = int(request.GET.get("older", numbers[-2]))
        newer = int(request.GET.get("newer", numbers[-1]))
        older_version, newer_version, changes = application_versions_compared(
            application=application, older=older, newer=newer)
    except (ValueError, ApplicationVersion.DoesNotExist):
        raise Http404 from None
    return render(request, "reviews/staff/versions.html", {
        "application": application, "older": older_version, "newer": newer_version,
        "changes": changes, "numbers": numbers,
    })


class StepForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason"), required=False, max_length=4000,
                             widget=forms.Textarea(attrs={"rows": 3}))


@login_required
@require_POST
def application_step(request, application_id, step):
    """One of the steps the application page offers as a button."""
    if step not in BUTTON_STEPS:
        raise Http404
    application = _application_or_404(application_id)
    _require(request, Action.VIEW_REVIEWS, application)
    form = StepForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    if (step == "complete_review" and application.status == S.IN_REVIEW
            and "confirm_missing" not in request.POST):
        shortfall = review_shortfall(application=application)
        if shortfall:
            return render(request, "reviews/staff/confirm_complete_review.html", {
                "application": application, "shortfall": shortfall})
    try:
        application_transition(actor=request.user, application=application,
                               transition_name=step, **({"reason": reason} if reason else {}))
    except DomainError as exc:
        add_domain_error_messages(request, exc)
    else:
        messages.success(request, _("Done: %(step)s.") % {
            "step": TRANSITIONS_BY_NAME[step].label})
    return redirect("staff:application", application.pk)


# --- Screening -------------------------------------------------------------------------------

class ScreeningForm(forms.Form):
    outcome = forms.ChoiceField(label=gettext_lazy("Outcome"), widget=forms.RadioSelect,
                                choices=list(screening.OUTCOMES.items()))
    reason = forms.CharField(
        label=gettext_lazy("Reason the application is ineligible"), required=False,
        max_length=4000, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("The applicant sees this reason."))
    question = forms.CharField(
        label=gettext_lazy("Question for the applicant"), required=False, max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}))
    sections = forms.MultipleChoiceField(
        label=gettext_lazy("Sections the applicant may change"), required=False,
        choices=[(code, SECTION_LABELS[code]) for code in SECTIONS],
        widget=forms.CheckboxSelectMultiple)
    due_at = forms.DateTimeField(
        label=gettext_lazy("Answer due by (HKT)"), required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"))

    def __init__(self, *args, checks, **kwargs):
        super().__init__(*args, **kwargs)
        self.checks = checks
        for check in checks:
            self.fields[f"rule-{check.code}"] = forms.ChoiceField(
                label=check.label, widget=forms.RadioSelect,
                choices=[("confirm", gettext_lazy("Confirm the automatic result")),
                         ("override", gettext_lazy("Override it"))],
                error_messages={"required": _("Confirm or override “%(rule)s”.")
                                % {"rule": check.label}})
            self.fields[f"reason-{check.code}"] = forms.CharField(
                label=gettext_lazy("Reason for overriding"), required=False, max_length=2000)

    def rows(self):
        return [{"check": check, "choice": self[f"rule-{check.code}"],
                 "reason": self[f"reason-{check.code}"]} for check in self.checks]

    def judgements(self) -> dict:
        return {check.code: {"confirmed": self.cleaned_data[f"rule-{check.code}"] == "confirm",
                             "reason": self.cleaned_data[f"reason-{check.code}"]}
                for check in self.checks}


@login_required
@require_http_methods(["GET", "POST"])
def application_screening(request, application_id):
    application = _application_or_404(application_id)
    _require(request, Action.SCREEN_APPLICATIONS, application)
    checks = screening.screening_checks(application)
    form = ScreeningForm(request.POST or None, checks=checks)
    if (request.method == "POST" and application.status == S.SCREENING
            and form.is_valid()):
        data = form.cleaned_data
        try:
            screening.screening_conclude(
                actor=request.user, application=application, judgements=form.judgements(),
                outcome=data["outcome"], reason=data["reason"], question=data["question"],
                sections=data["sections"], due_at=data["due_at"])
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Screening recorded: %(outcome)s.")
                             % {"outcome": screening.OUTCOMES[data["outcome"]]})
            return redirect("staff:application", application.pk)
    names = {t.name for t in available_transitions(request.user, application)}
    return render(request, "reviews/screening/screening.html", {
        "application": application, "form": form, "checks": checks,
        "may_start": "start_screening" in names,
        "may_conclude": application.status == S.SCREENING and bool(names & SCREENING_STEPS),
        "history": screening.screening_history(application),
    })


@login_required
@require_POST
def application_screening_start(request, application_id):
    application = _application_or_404(application_id)
    _require(request, Action.SCREEN_APPLICATIONS, application)
    try:
        screening.screening_start(actor=request.user, application=application)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Screening started."))
    return redirect("staff:screening", application.pk)
