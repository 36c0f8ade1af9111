"""Officer and panel pages of the assessment: reviewer pools, assignments per application,
the round ranking with its exports."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from applicants.models import Application
from reviews.models import Assignment, ReviewCorrectionRequest, ReviewerPoolMember
from reviews.selectors import assessment as selectors
from reviews.selectors import pool as pool_selectors
from reviews.services import assignments as assignment_services
from reviews.services import pool as pool_services
from reviews.services.scoring import review_correction_decide
from reviews.web.exports import ranking_csv_response, ranking_xlsx_response
from reviews.web.forms import (
    AssessmentSettingsForm,
    AssignForm,
    CorrectionDecisionForm,
    PoolMemberForm,
    PoolMemberUpdateForm,
    RemoveAssignmentForm,
)
from subsidy.platform.errors import DomainError
from subsidy.platform.models import User
from subsidy.platform.permissions import Action, can
from subsidy.platform.web.errors import add_domain_error
from subsidy.scheme.models import FundingRound


def _require(request, action):
    if not can(request.user, action):
        raise PermissionDenied


@login_required
@require_http_methods(["GET", "POST"])
def pool(request, code):
    _require(request, Action.MANAGE_REVIEWER_POOL)
    round_ = get_object_or_404(FundingRound, code=code)
    form = PoolMemberForm(request.POST or None, round_=round_)
    if request.method == "POST" and form.is_valid():
        try:
            pool_services.pool_member_add(
                actor=request.user, round_=round_, reviewer=form.cleaned_data["reviewer"],
                expertise=form.cleaned_data["expertise"],
                capacity=form.cleaned_data["capacity"])
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Reviewer added to the pool."))
            return redirect("reviews:pool", code=round_.code)
    members = list(pool_selectors.pool_for_round(round_=round_))
    return render(request, "reviews/pool.html", {
        "round": round_, "form": form,
        "members": [(m, PoolMemberUpdateForm(
            initial={"expertise": ", ".join(m.expertise), "capacity": m.capacity,
                     "active": m.active}, prefix=f"m{m.pk}")) for m in members],
    })


@login_required
@require_POST
def pool_member(request, code, pk):
    _require(request, Action.MANAGE_REVIEWER_POOL)
    member = get_object_or_404(ReviewerPoolMember, round__code=code, pk=pk)
    try:
        if "remove" in request.POST:
            pool_services.pool_member_remove(actor=request.user, member=member)
            messages.success(request, _("Reviewer removed from the pool."))
        else:
            form = PoolMemberUpdateForm(request.POST, prefix=f"m{member.pk}")
            if not form.is_valid():
                messages.error(request, _("Give a capacity between 1 and 200."))
            else:
                pool_services.pool_member_update(
                    actor=request.user, member=member, expertise=form.cleaned_data["expertise"],
                    capacity=form.cleaned_data["capacity"], active=form.cleaned_data["active"])
                messages.success(request, _("Pool member saved."))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("reviews:pool", code=code)


@login_required
@require_POST
def auto_assign(request, code):
    _require(request, Action.ASSIGN_REVIEWERS)
    round_ = get_object_or_404(FundingRound, code=code)
    try:
        created = assignment_services.assignments_auto_assign(actor=request.user, round_=round_)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("%(count)d assignments made.") % {"count": len(created)})
    return redirect("reviews:pool", code=code)


@login_required
@require_http_methods(["GET", "POST"])
def application_assignments(request, pk):
    _require(request, Action.ASSIGN_REVIEWERS)
    application = get_object_or_404(
        Application.objects.select_related("round", "organisation"), pk=pk)
    members = pool_selectors.assignable_reviewers(application=application)
    form = AssignForm(request.POST or None, members=members)
    if request.method == "POST" and form.is_valid():
        try:
            assignment_services.assignment_create(
                actor=request.user, application=application,
                reviewer=get_object_or_404(User, pk=form.cleaned_data["reviewer"]),
                due_at=form.cleaned_data["due_at"])
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Reviewer assigned."))
            return redirect("reviews:application_assignments", pk=application.pk)
    return render(request, "reviews/application_assignments.html", {
        "application": application, "form": form, "members": members,
        "assessment": selectors.reviews_for_application(application=application),
        "corrections": [(c, CorrectionDecisionForm(auto_id=f"id_c{c.pk}_%s"))
                        for c in selectors.pending_corrections(application=application)],
    })


@login_required
@require_POST
def correction_decide(request, pk, request_pk):
    """An officer approves or rejects a reviewer's correction request."""
    correction = get_object_or_404(ReviewCorrectionRequest.objects.select_related("assignment"),
                                   assignment__application_id=pk, pk=request_pk)
    if not can(request.user, Action.DECIDE_REVIEW_CORRECTION, correction):
        raise PermissionDenied
    form = CorrectionDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Approve or reject the correction."))
    else:
        approve = form.cleaned_data["decision"] == "approve"
        try:
            review_correction_decide(actor=request.user, request=correction, approve=approve,
                                     note=form.cleaned_data["note"])
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Correction approved: the reviewer can now change "
                                        "their review.") if approve
                             else _("Correction rejected."))
    return redirect("reviews:application_assignments", pk=pk)


@login_required
@require_POST
def assignment_remove(request, pk, assignment_pk):
    _require(request, Action.ASSIGN_REVIEWERS)
    assignment = get_object_or_404(Assignment, application_id=pk, pk=assignment_pk)
    form = RemoveAssignmentForm(request.POST)
    form.is_valid()
    try:
        assignment_services.assignment_remove(actor=request.user, assignment=assignment,
                                              reason=form.cleaned_data.get("reason", ""))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Assignment removed."))
    return redirect("reviews:application_assignments", pk=pk)


# Rows of the ranking a page shows. Ranks, running totals and the envelope line are computed
# over the whole round first; a round of thousands rendered at once took seconds.
RANKING_PAGE_SIZE = 50


def _normalised_choice(request):
    return {"normalised": True, "raw": False}.get(request.GET.get("scores"))


@login_required
@require_http_methods(["GET", "POST"])
def ranking(request, code):
    _require(request, Action.VIEW_REVIEWS)
    round_ = get_object_or_404(FundingRound, code=code)
    settings = selectors.settings_for(round_)
    form = AssessmentSettingsForm(request.POST or None, initial={
        "normalise_scores": settings.normalise_scores,
        "disagreement_threshold": settings.disagreement_threshold,
        "reviews_visible_after_close": settings.reviews_visible_after_close,
        "panel_quorum": settings.panel_quorum})
    if request.method == "POST":
        _require(request, Action.MANAGE_REVIEWER_POOL)
        if form.is_valid():
            try:
                pool_services.assessment_settings_update(actor=request.user, round_=round_,
                                                         **form.cleaned_data)
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, _("Ranking settings saved."))
                return redirect("reviews:ranking", code=round_.code)
    ranking = selectors.round_ranking(round_=round_, normalised=_normalised_choice(request),
                                      settings=settings)
    paginator = Paginator(ranking.rows, RANKING_PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    envelope_page = (paginator.validate_number(
        (ranking.envelope_runs_out_at - 1) // RANKING_PAGE_SIZE + 1)
        if ranking.envelope_runs_out_at else None)
    return render(request, "reviews/ranking.html", {
        "round": round_, "ranking": ranking, "page": page, "query": query.urlencode(),
        "envelope_page": envelope_page, "form": form,
        "can_manage": can(request.user, Action.MANAGE_REVIEWER_POOL),
        "can_assign": can(request.user, Action.ASSIGN_REVIEWERS),
        "can_decide": can(request.user, Action.DECIDE_APPLICATIONS)})


@login_required
def ranking_export(request, code, fmt):
    _require(request, Action.VIEW_REVIEWS)
    if fmt not in ("csv", "xlsx"):
        raise Http404
    round_ = get_object_or_404(FundingRound, code=code)
    ranking = selectors.round_ranking(round_=round_, normalised=_normalised_choice(request))
    filename = f"ranking-{round_.code}"
    if fmt == "csv":
        return ranking_csv_response(ranking, filename)
    return ranking_xlsx_response(ranking, filename)
