"""Reviewer pages: my assignments, the conflict declaration and the scoring form.

A reviewer reaches an application only through a live assignment of theirs (404 for
anything else); before declaring, the page shows the title and the applicant's name only.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from reviews.models import Assignment
from reviews.selectors import assessment as selectors
from reviews.services import assignments as assignment_services
from reviews.services import scoring
from reviews.web.forms import (
    CorrectionForm,
    DeclarationForm,
    review_form_class,
    review_form_initial,
    review_form_scores,
)
from subsidy.platform.errors import DomainError
from subsidy.platform.permissions import Action, can
from subsidy.platform.web.errors import add_domain_error


def _require_reviewer(request):
    if not can(request.user, Action.REVIEW_APPLICATION):
        raise PermissionDenied


@login_required
def my_assignments(request):
    _require_reviewer(request)
    return render(request, "reviews/my_assignments.html",
                  {"assignments": selectors.reviewer_assignments(user=request.user)})


@login_required
@require_http_methods(["GET", "POST"])
def assignment(request, pk):
    """The declaration before anything else; then the scoring form beside the application
    and its documents; once submitted, the locked review, and the other reviewers' reviews
    (without their names) once the round's review stage closes."""
    _require_reviewer(request)
    assignment = selectors.assignment_for_reviewer(user=request.user, pk=pk)
    round_ = assignment.application.round
    if assignment.status == Assignment.Status.PENDING_DECLARATION:
        if request.method == "POST":
            raise PermissionDenied
        return render(request, "reviews/declare.html",
                      {"assignment": assignment, "form": DeclarationForm()})
    working = selectors.review_working_copy(assignment=assignment)
    editing = assignment.status == Assignment.Status.ACTIVE or (
        working is not None and not working.is_submitted)
    form_class = review_form_class(round_)
    form = form_class(request.POST or None, initial=review_form_initial(working))
    if request.method == "POST":
        if not editing:
            raise PermissionDenied
        submit = "submit" in request.POST
        if form.is_valid():
            try:
                scoring.review_save(
                    actor=request.user, assignment=assignment,
                    scores=review_form_scores(round_, form.cleaned_data),
                    recommendation=form.cleaned_data["recommendation"],
                    overall_comment=form.cleaned_data["overall_comment"], submit=submit)
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, _("Your review has been submitted.") if submit
                                 else _("Your draft has been saved."))
                return redirect("reviews:assignment", pk=assignment.pk)
    criteria = [{**c, "score_field": form[f"score_{c['code']}"],
                 "comment_field": form[f"comment_{c['code']}"]}
                for c in selectors.criteria_for(round_)]
    current = selectors.review_current(assignment=assignment)
    application = assignment.application
    return render(request, "reviews/assignment.html", {
        "assignment": assignment, "application": application, "form": form,
        "criteria": criteria, "editing": editing, "review": working,
        "current": selectors.review_laid_out(current, criteria) if current else None,
        "others": selectors.reviews_of_others(assignment=assignment),
        "correction_requests": selectors.correction_requests(assignment=assignment),
        "correction_form": CorrectionForm(),
        "with_links": can(request.user, Action.READ_APPLICATION_DOCUMENTS, application),
    })


@login_required
@require_POST
def declare(request, pk):
    _require_reviewer(request)
    assignment = selectors.assignment_for_reviewer(user=request.user, pk=pk)
    form = DeclarationForm(request.POST)
    if form.is_valid():
        try:
            declaration = assignment_services.declaration_record(
                actor=request.user, assignment=assignment,
                has_conflict=form.cleaned_data["has_conflict"],
                reason=form.cleaned_data["reason"])
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            if declaration.has_conflict:
                messages.success(request, _("Thank you. Your conflict of interest is recorded "
                                            "and the application has been taken off your "
                                            "list."))
                return redirect("reviews:my_assignments")
            messages.success(request, _("Thank you. You can now read and score the "
                                        "application."))
            return redirect("reviews:assignment", pk=assignment.pk)
    return render(request, "reviews/declare.html", {"assignment": assignment, "form": form},
                  status=400)


@login_required
@require_POST
def correction(request, pk):
    _require_reviewer(request)
    assignment = selectors.assignment_for_reviewer(user=request.user, pk=pk)
    form = CorrectionForm(request.POST)
    try:
        if "discard" in request.POST:
            scoring.review_correction_discard(actor=request.user, assignment=assignment)
            messages.success(request, _("The correction was discarded."))
        elif form.is_valid():
            scoring.review_correction_request(actor=request.user, assignment=assignment,
                                              reason=form.cleaned_data["reason"])
            messages.success(request, _("Your correction request has been sent to a "
                                        "programme officer. You can change your review once "
                                        "it is approved."))
        else:
            messages.error(request, _("Say why the review needs a correction."))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("reviews:assignment", pk=assignment.pk)
