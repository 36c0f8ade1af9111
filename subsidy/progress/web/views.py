"""The reporting pages: a grant's reporting requirements with their due dates, each
requirement's page where the company sends its report and the programme officer reviews
it, the evidence downloads, and the officer's queue of reports to review."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from applicants.services.filetypes import download_name
from subsidy.agreements.selectors import grant_for_agreement
from subsidy.platform.errors import DomainError
from subsidy.platform.permissions import Action, can
from subsidy.platform.web.errors import add_domain_error, add_domain_error_messages
from subsidy.progress import selectors
from subsidy.progress.models import ProgressReport, ReportEvidence
from subsidy.progress.services.reports import (
    ReportInput,
    report_accept,
    report_return,
    report_submit,
)
from subsidy.progress.web.forms import ReportForm, ReviewForm
from subsidy.scheme.models import Grant


@login_required
def grant_reports(request, grant_id):
    """Every report the grant owes, its due date (fixed when the grant started), whether it
    is late or overdue, and where it stands."""
    grant = grant_for_agreement(grant_id=grant_id)
    if grant is None or not can(request.user, Action.VIEW_GRANT, grant.application):
        raise Http404
    requirements = selectors.grant_requirements(grant)
    today = timezone.localdate()
    for requirement in requirements:
        requirement.overdue = requirement.is_overdue(today)
    return render(request, "subsidy/progress/grant_reports.html", {
        "grant": grant, "requirements": requirements,
        "indicators": selectors.round_indicators(grant.round_id),
    })


def _requirement_or_404(request, requirement_id):
    requirement = selectors.requirement_with_grant(requirement_id=requirement_id)
    if requirement is None or not can(request.user, Action.VIEW_GRANT,
                                      requirement.grant.application):
        raise Http404
    return requirement


def _report_of(requirement) -> ProgressReport | None:
    report_id = getattr(getattr(requirement, "report", None), "pk", None)
    return selectors.report_with_requirement(report_id=report_id) if report_id else None


@login_required
@require_http_methods(["GET", "POST"])
def requirement_view(request, requirement_id):
    """One requirement: its report (values, narrative, evidence, the officer's comments);
    the company sends or revises it here, and the officer reviews it."""
    requirement = _requirement_or_404(request, requirement_id)
    grant = requirement.grant
    report = _report_of(requirement)
    may_submit = (can(request.user, Action.SUBMIT_PROGRESS_REPORT, grant.application)
                  and grant.status == Grant.Status.ACTIVE
                  and (report is None or report.status == ProgressReport.Status.RETURNED))
    if request.method == "POST" and not may_submit:
        raise PermissionDenied
    form = None
    if may_submit:
        initial = {}
        if report is not None:
            initial = {"narrative": report.narrative,
                       **{f"indicator-{v.indicator_id}": v.value for v in report.values.all()}}
        form = ReportForm(request.POST or None, request.FILES or None, initial=initial,
                          indicators=selectors.round_indicators(grant.round_id))
        if request.method == "POST" and form.is_valid():
            evidence = form.cleaned_data.get("evidence")
            try:
                report_submit(actor=request.user, requirement=requirement,
                              data=ReportInput(narrative=form.cleaned_data["narrative"],
                                               values=form.values(),
                                               evidence=[evidence] if evidence else []))
            except DomainError as error:
                add_domain_error(form, error)
            else:
                messages.success(request, _("Your report has been sent to the programme "
                                            "officer."))
                return redirect("progress:requirement", requirement.pk)
    return render(request, "subsidy/progress/requirement.html", {
        "requirement": requirement, "grant": grant, "report": report, "form": form,
        "overdue": requirement.is_overdue(),
        "may_review": (report is not None and report.status == ProgressReport.Status.SUBMITTED
                       and can(request.user, Action.REVIEW_PROGRESS_REPORTS)),
        "review_form": ReviewForm(),
    })


@login_required
@require_POST
def report_review(request, requirement_id):
    requirement = _requirement_or_404(request, requirement_id)
    if not can(request.user, Action.REVIEW_PROGRESS_REPORTS):
        raise PermissionDenied
    report = _report_of(requirement)
    target = reverse("progress:requirement", args=[requirement.pk])
    form = ReviewForm(request.POST)
    if report is None or not form.is_valid():
        messages.error(request, _("Choose whether to accept or return the report."))
        return redirect(target)
    accept = form.cleaned_data["decision"] == "accept"
    try:
        if accept:
            report_accept(actor=request.user, report=report,
                          comment=form.cleaned_data["comment"])
        else:
            report_return(actor=request.user, report=report,
                          comment=form.cleaned_data["comment"])
    except DomainError as error:
        add_domain_error_messages(request, error)
        return redirect(target)
    messages.success(request, _("The report is accepted.") if accept
                     else _("The report has been returned to the company."))
    return redirect("progress:queue")


@login_required
def evidence_download(request, report_evidence_id):
    """A report's evidence, only to those who may see the grant."""
    evidence = (ReportEvidence.objects
                .select_related("report__requirement__grant__application")
                .filter(pk=report_evidence_id).first())
    if evidence is None or not can(request.user, Action.VIEW_GRANT,
                                   evidence.report.requirement.grant.application):
        raise Http404
    response = FileResponse(default_storage.open(evidence.file.name, "rb"), as_attachment=True,
                            filename=download_name(evidence.original_name, evidence.mime_type),
                            content_type=evidence.mime_type)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def report_queue(request):
    """Reports waiting for the programme officer, oldest first."""
    if not can(request.user, Action.REVIEW_PROGRESS_REPORTS):
        raise PermissionDenied
    return render(request, "subsidy/progress/queue.html",
                  {"reports": selectors.reports_to_review()})
