"""Compute at the AI Supercomputing Centre: the staff's statements (upload, list, one
statement) and a grant's compute page (allocation against use, burn chart, forecast), which
the company sees too."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from subsidy.compute import selectors
from subsidy.compute.chart import burn_chart
from subsidy.compute.services.allocations import compute_allocation_set
from subsidy.compute.services.lines import COLUMNS
from subsidy.compute.services.statements import (
    StatementDuplicate,
    StatementRejected,
    statement_from_csv,
    statement_receive,
)
from subsidy.compute.web.forms import AllocationForm, StatementUploadForm
from subsidy.platform.errors import DomainError
from subsidy.platform.permissions import Action, can
from subsidy.platform.web.errors import add_domain_error
from subsidy.scheme.models import Grant

EXAMPLE_CSV = ",".join(COLUMNS) + "\r\n" + "\r\n".join([
    "AISS-2026R1-00042,2026-11,H800,120.50,2229.25",
    "AISS-2026R1-00042,2026-11,A100,40,740.00",
]) + "\r\n"


def _require_manage(request):
    if not can(request.user, Action.MANAGE_COMPUTE):
        raise PermissionDenied


@login_required
@require_http_methods(["GET", "POST"])
def statements_view(request):
    """The statements received, newest first; upload a CSV statement. A rejected file lists
    every problem with its line number, and nothing of it is posted."""
    _require_manage(request)
    form = StatementUploadForm(request.POST or None, request.FILES or None)
    problems = []
    if request.method == "POST" and form.is_valid():
        content = form.cleaned_data["file"].read()
        try:
            statement = statement_receive(
                statement=statement_from_csv(reference=form.cleaned_data["reference"],
                                             content=content),
                actor=request.user)
        except StatementRejected as rejected:
            problems = rejected.problems
            form.add_error(None, rejected.message)
        except StatementDuplicate as duplicate:
            messages.warning(request, duplicate.message)
            return redirect("compute:statement", duplicate.statement.pk)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Statement %(reference)s posted.")
                             % {"reference": statement.reference})
            return redirect("compute:statement", statement.pk)
    page = Paginator(selectors.statements_list(), 50).get_page(request.GET.get("page"))
    return render(request, "subsidy/compute/statements.html", {
        "form": form, "problems": problems, "page": page, "columns": COLUMNS,
        "example_lines": EXAMPLE_CSV.splitlines()}, status=400 if problems else 200)


@login_required
def statement_template_view(request):
    _require_manage(request)
    response = HttpResponse(EXAMPLE_CSV, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="aisc-usage-statement.csv"'
    return response


@login_required
def statement_view(request, statement_id):
    _require_manage(request)
    statement = selectors.statement_with_charges(statement_id)
    if statement is None:
        raise Http404
    return render(request, "subsidy/compute/statement.html", {"statement": statement})


def _grant_or_404(request, grant_id) -> Grant:
    grant = (Grant.objects.select_related("application__organisation", "round")
             .filter(pk=grant_id).first())
    if grant is None or not can(request.user, Action.VIEW_GRANT, grant.application):
        raise Http404
    return grant


@login_required
def grant_compute_view(request, grant_id):
    """A grant's allocation against its use, the burn chart and the forecast."""
    grant = _grant_or_404(request, grant_id)
    summary = selectors.grant_compute_summary(grant.pk)
    monthly = selectors.grant_monthly_use(grant.pk) if summary else []
    chart = (burn_chart(monthly=monthly, allocation=summary.allocation_amount,
                        forecast=summary.forecast_exhaustion) if summary else None)
    may_manage = can(request.user, Action.MANAGE_COMPUTE)
    return render(request, "subsidy/compute/grant.html", {
        "grant": grant, "summary": summary, "monthly": monthly, "chart": chart,
        "charges": selectors.grant_charges(grant.pk)[:200] if summary else [],
        "may_manage": may_manage and grant.status in Grant.COMMITTING_STATUSES
        and not (summary and summary.released),
        "allocation_form": AllocationForm(initial={
            "hours": summary.allocation_hours if summary
            else selectors.planned_gpu_hours(grant)}),
    })


@login_required
@require_POST
def allocation_set_view(request, grant_id):
    grant = _grant_or_404(request, grant_id)
    _require_manage(request)
    form = AllocationForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter a positive number of GPU-hours."))
        return redirect("compute:grant", grant.pk)
    try:
        allocation = compute_allocation_set(actor=request.user, grant=grant,
                                            hours=form.cleaned_data["hours"])
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The compute allocation is now %(hours)s GPU-hours.")
                         % {"hours": allocation.hours})
    return redirect("compute:grant", grant.pk)
