"""Applications: the dashboard, drafting section by section, documents, submission,
withdrawal, the read-only view with its public timeline, and the printable summary."""

from collections import Counter
from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from applicants import selectors
from applicants.checks import (
    HONG_KONG,
    SECTION_LABELS,
    application_submission_problems,
    section_of,
)
from applicants.eligibility import round_categories
from applicants.errors import ProblemsError
from applicants.models import Application, ApplicationStatus, Document, Organisation
from applicants.services.documents import document_delete, document_open, document_upload
from applicants.services.drafts import (
    application_create_draft,
    application_update_section,
    editable_sections,
)
from applicants.services.filetypes import download_name
from applicants.services.submission import (
    application_resubmit,
    application_submit,
    application_withdraw,
)
from applicants.web.forms import (
    DocumentUploadForm,
    NewApplicationForm,
    SectionPage,
    WithdrawForm,
)
from applicants.workflow import (
    application_transition,
    available_transitions,
    public_status,
    public_steps_ahead,
    public_timeline,
)
from subsidy.notifications import selectors as notification_selectors
from subsidy.platform.errors import DomainError
from subsidy.platform.permissions import Action, can
from subsidy.platform.web.errors import add_domain_error, add_domain_error_messages
from subsidy.scheme import selectors as scheme_selectors
from subsidy.scheme.models import Sector

FORM_SECTIONS = [s for s in SECTION_LABELS if s != "documents"]
COUNTDOWN_WINDOW = timedelta(hours=72)


def _application_or_404(user, application_id, *, content: bool = False) -> Application:
    find = selectors.application_with_content if content else selectors.application_for_user
    try:
        return find(user=user, application_id=application_id)
    except Application.DoesNotExist:
        raise Http404 from None


def deadline(round_) -> dict:
    """The round's closing time in Hong Kong time, and the time left in its last 72 hours."""
    left = round_.closes_at - timezone.now()
    return {"closes_at": timezone.localtime(round_.closes_at, HONG_KONG),
            "hours_left": int(left.total_seconds() // 3600)
            if timedelta(0) < left <= COUNTDOWN_WINDOW else None,
            "closed": left <= timedelta(0)}


def _section_url(application, section) -> str:
    if section == "documents":
        return reverse("applicants:documents", args=[application.pk])
    return reverse("applicants:section", args=[application.pk, section])


def section_overview(application, problems) -> list[dict]:
    missing = Counter(section_of(field) for field, _message in problems)
    editable = editable_sections(application)
    return [{"code": code, "label": label, "url": _section_url(application, code),
             "missing": missing.get(code, 0), "editable": code in editable}
            for code, label in SECTION_LABELS.items()]


def _draft_problems(application) -> list:
    """What still stops a draft from being submitted (nothing to show once submitted)."""
    if application.status != ApplicationStatus.DRAFT:
        return []
    return application_submission_problems(application)


def _next_action(application) -> tuple[str, str] | None:
    detail = reverse("applicants:application", args=[application.pk])
    if application.status == ApplicationStatus.DRAFT:
        return _("Complete and submit"), _section_url(application, "project")
    if application.status == ApplicationStatus.INFO_REQUESTED:
        return _("Answer the request for information"), detail
    if application.status == ApplicationStatus.OFFERED:
        return _("Respond to the offer"), detail
    if application.status == ApplicationStatus.ACCEPTED:
        return _("See the grant and record the bank account for payments"), detail
    if application.status == ApplicationStatus.ACTIVE:
        return _("Claim each tranche as its milestone is met"), detail
    return None


def _waiting_note(application) -> str:
    """What the applicant is waiting for when nothing is theirs to do, instead of a bare
    "None for now"; empty once the application's road has ended."""
    S = ApplicationStatus
    if application.status in (S.SUBMITTED, S.SCREENING, S.IN_REVIEW, S.REVIEWED):
        return _("Nothing for you to do: the application is being assessed, and we will "
                 "write to you.")
    if application.status == S.WAITLISTED:
        return _("Nothing for you to do: we will write to you if funds become available.")
    if application.status == S.APPROVED:
        return _("Nothing for you to do: the grant offer is being prepared.")
    return ""


@login_required
def dashboard(request):
    applications = list(selectors.applications_for_user(user=request.user))
    rows = [{"application": app, "public_status": public_status(app.status),
             "next_action": _next_action(app), "waiting": _waiting_note(app)}
            for app in applications]
    return render(request, "applicants/dashboard.html", {
        "rows": rows,
        "memberships": selectors.memberships_for_user(user=request.user),
        "open_rounds": [{"round": r, "deadline": deadline(r)}
                        for r in scheme_selectors.rounds_open()],
        "may_create_organisation": can(request.user, Action.CREATE_ORGANISATION),
        "inbox": notification_selectors.inbox_for(user=request.user),
    })


@login_required
@require_http_methods(["GET", "POST"])
def application_new(request):
    organisations = Organisation.objects.filter(
        Q(memberships__user=request.user) & Q(memberships__role__in=["owner", "editor"]))
    form = NewApplicationForm(request.POST or None, organisations=organisations,
                              rounds=scheme_selectors.rounds_open(),
                              initial={"round": request.GET.get("round")})
    if request.method == "POST" and form.is_valid():
        try:
            application = application_create_draft(actor=request.user,
                                                   organisation=form.cleaned_data["organisation"],
                                                   round_=form.cleaned_data["round"],
                                                   category=form.cleaned_data["category"])
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Your draft has been created. It is saved as you go; "
                                        "submit it when every section is complete."))
            return redirect("applicants:section", application.pk, "project")
    sectors = dict(Sector.choices)
    return render(request, "applicants/application_new.html", {
        "form": form, "has_organisation": organisations.exists(),
        "round_categories": [(r, [sectors[c] for c in round_categories(r)])
                             for r in form.fields["round"].queryset]})


@login_required
def application_detail(request, application_id):
    application = _application_or_404(request.user, application_id, content=True)
    problems = _draft_problems(application)
    actions = {t.name for t in available_transitions(request.user, application)}
    return render(request, "applicants/application_detail.html", {
        "application": application,
        "public_status": public_status(application.status),
        "timeline": public_timeline(application.status_changes.all()),
        "steps_ahead": public_steps_ahead(application.status),
        "sections": section_overview(application, problems),
        "problems": problems,
        "information_request": selectors.open_information_request(application=application),
        "deadline": deadline(application.round),
        "actions": actions,
        "may_edit": can(request.user, Action.EDIT_APPLICATION, application),
        # An owner signs each later version of the grant's agreement.
        "may_sign": can(request.user, Action.RESPOND_TO_OFFER, application),
        "may_invite": application.status == ApplicationStatus.DRAFT
        and can(request.user, Action.MANAGE_MEMBERS, application.organisation),
    })


def _editable_or_redirect(request, application, section):
    if not can(request.user, Action.EDIT_APPLICATION, application):
        raise PermissionDenied
    if section not in editable_sections(application):
        messages.info(request, _("This part of the application cannot be changed now."))
        return redirect("applicants:application", application.pk)
    return None


@login_required
@require_http_methods(["GET", "POST"])
def application_section(request, application_id, section):
    if section not in FORM_SECTIONS:
        raise Http404
    application = _application_or_404(request.user, application_id, content=True)
    refused = _editable_or_redirect(request, application, section)
    if refused:
        return refused
    page = SectionPage(section, application, request.POST if request.method == "POST" else None)
    autosave = request.method == "POST" and "autosave" in request.POST
    if request.method == "POST" and not page.adding_row and page.is_valid():
        try:
            saved = application_update_section(actor=request.user, application=application,
                                               section=section, data=page.service_data(),
                                               expected_version=page.version)
        except DomainError as exc:
            page.add_domain_error(exc)
        else:
            if autosave:
                return _autosave_answer(saved, section)
            messages.success(request, _("Saved."))
            if "save_next" in request.POST:
                following = list(SECTION_LABELS)[list(SECTION_LABELS).index(section) + 1]
                return redirect(_section_url(application, following))
            return redirect("applicants:section", application.pk, section)
    if autosave:
        return _autosave_refusal(page)
    problems = _draft_problems(application)
    return render(request, "applicants/section.html", {
        "application": application, "section": section,
        "section_label": SECTION_LABELS[section], "page": page,
        "sections": section_overview(application, problems),
        "missing": [m for f, m in problems if section_of(f) == section],
        "deadline": deadline(application.round),
        "lines_total": sum((line.amount for line in application.budget_lines.all()), 0),
        "saved_at": timezone.localtime(application.updated_at, HONG_KONG),
    })


def _autosave_answer(application, section) -> JsonResponse:
    """What the page's script needs after saving in the background: the new version (the
    next save must name it), the time to show as "Saved at 14:32" (Hong Kong time), and
    the section's "still needed" list as it now stands."""
    saved_at = timezone.localtime(application.updated_at, HONG_KONG)
    missing = [str(m) for f, m in _draft_problems(application) if section_of(f) == section]
    return JsonResponse({"saved": True, "version": application.version, "missing": missing,
                         "saved_at": saved_at.strftime("%H:%M"),
                         "message": _("Saved at %(time)s") % {"time": saved_at.strftime("%H:%M")}})


def _autosave_refusal(page) -> JsonResponse:
    """Nothing was saved: the page's script keeps the changes on the page, warns before
    leaving, and says that the Save button shows what must be corrected."""
    forms = [page.form, *(page.formset.forms if page.formset is not None else [])]
    errors = [str(message) for form in forms for messages_ in form.errors.values()
              for message in messages_]
    if page.formset is not None:
        errors += [str(message) for message in page.formset.non_form_errors()]
    return JsonResponse({"saved": False, "errors": errors,
                         "message": _("Not saved: press Save to see what to correct.")},
                        status=422)


@login_required
@require_http_methods(["GET", "POST"])
def application_documents(request, application_id):
    application = _application_or_404(request.user, application_id, content=True)
    form = DocumentUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        refused = _editable_or_redirect(request, application, "documents")
        if refused:
            return refused
        if form.is_valid():
            try:
                document_upload(actor=request.user, application=application,
                                document_type=form.cleaned_data["document_type"],
                                uploaded_file=form.cleaned_data["file"])
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, _("The document has been uploaded."))
                return redirect("applicants:documents", application.pk)
    problems = _draft_problems(application)
    return render(request, "applicants/documents.html", {
        "application": application, "form": form,
        "sections": section_overview(application, problems),
        "missing": [m for f, m in problems if section_of(f) == "documents"],
        "editable": "documents" in editable_sections(application)
        and can(request.user, Action.EDIT_APPLICATION, application),
        "required": application.round.required_documents,
    })


@login_required
@require_POST
def document_delete_view(request, document_id):
    document = _document_or_404(request.user, document_id)
    try:
        document_delete(actor=request.user, document=document)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The document has been removed."))
    return redirect("applicants:documents", document.application_id)


def _document_or_404(user, document_id) -> Document:
    document = Document.objects.select_related("application").filter(pk=document_id).first()
    if document is None or not can(user, Action.VIEW_APPLICATION, document.application):
        raise Http404
    return document


@login_required
def document_download(request, document_id):
    """Documents are served only here, to those who may read the application's documents
    (404 to anyone else: nothing says the document exists)."""
    document = Document.objects.select_related("application").filter(pk=document_id).first()
    if document is None or not can(request.user, Action.READ_APPLICATION_DOCUMENTS,
                                   document.application):
        raise Http404
    try:
        handle = document_open(actor=request.user, document=document)
    except DomainError as exc:  # still being checked for viruses, or refused
        return render(request, "applicants/document_unavailable.html",
                      {"document": document, "reason": exc.message}, status=409)
    response = FileResponse(handle, as_attachment=True,
                            filename=download_name(document.original_name, document.mime_type),
                            content_type=document.mime_type)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def application_submit_view(request, application_id):
    application = _application_or_404(request.user, application_id, content=True)
    may_submit = can(request.user, Action.SUBMIT_APPLICATION, application)
    # A colleague who co-edits (an editor) may check the answers; only an owner submits.
    if not (may_submit or request.method == "GET"
            and can(request.user, Action.EDIT_APPLICATION, application)):
        raise PermissionDenied
    problems = None
    if request.method == "POST":
        try:
            application_submit(actor=request.user, application=application)
        except ProblemsError as exc:
            problems = exc.problems
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect("applicants:application", application.pk)
        else:
            return redirect("applicants:submitted", application.pk)
    if application.status != ApplicationStatus.DRAFT:
        return redirect("applicants:application", application.pk)
    if problems is None:
        problems = application_submission_problems(application)
    return render(request, "applicants/submit.html", {
        "application": application, "problems": problems,
        "sections": section_overview(application, problems),
        "problem_links": [{"message": m, "section": section_of(f),
                           "url": _section_url(application, section_of(f) or "project")
                           + (f"#id_{f}" if f and section_of(f) != "documents" else "")}
                          for f, m in problems],
        "deadline": deadline(application.round),
        "may_submit": may_submit,
    })


@login_required
def application_submitted(request, application_id):
    """The confirmation after submitting: the reference, and what happens next and when."""
    application = _application_or_404(request.user, application_id)
    if application.status == ApplicationStatus.DRAFT or application.submitted_at is None:
        return redirect("applicants:application", application.pk)
    return render(request, "applicants/submitted.html", {
        "application": application,
        "submitted_at": timezone.localtime(application.submitted_at, HONG_KONG),
        "closes_at": timezone.localtime(application.round.closes_at, HONG_KONG),
        "round_open": application.round.closes_at > timezone.now(),
        "steps_ahead": public_steps_ahead(application.status),
        "may_withdraw": can(request.user, Action.WITHDRAW_APPLICATION, application),
    })


@login_required
@require_POST
def application_resubmit_view(request, application_id):
    application = _application_or_404(request.user, application_id)
    try:
        application_resubmit(actor=request.user, application=application)
    except DomainError as exc:
        add_domain_error_messages(request, exc)
    else:
        messages.success(request, _("The requested information has been sent."))
    return redirect("applicants:application", application.pk)


@login_required
@require_POST
def application_offer_response(request, application_id):
    """The owner declines the offer, with an explicit confirmation. Accepting is signing the
    agreement, on its own page."""
    application = _application_or_404(request.user, application_id)
    decision = request.POST.get("decision")
    if decision not in ("accept", "decline"):
        raise Http404
    if decision == "accept":
        grant_id = scheme_selectors.grant_id_of(application=application)
        if grant_id is None:
            raise Http404
        return redirect("agreements:sign", grant_id)
    if decision == "decline" and not request.POST.get("confirm"):
        messages.error(request, _("Tick the box to confirm that you decline the offer."))
        return redirect("applicants:application", application.pk)
    try:
        application_transition(actor=request.user, application=application,
                               transition_name=f"{decision}_offer")
    except DomainError as exc:
        add_domain_error_messages(request, exc)
    else:
        messages.success(request, _("You have declined the offer."))
    return redirect("applicants:application", application.pk)


@login_required
@require_http_methods(["GET", "POST"])
def application_withdraw_view(request, application_id):
    application = _application_or_404(request.user, application_id)
    if not can(request.user, Action.WITHDRAW_APPLICATION, application):
        raise PermissionDenied
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            application_withdraw(actor=request.user, application=application,
                                 reason=form.cleaned_data["reason"])
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("The application has been withdrawn."))
            return redirect("applicants:application", application.pk)
    return render(request, "applicants/withdraw.html",
                  {"application": application, "form": form})


@login_required
def application_print(request, application_id):
    application = _application_or_404(request.user, application_id, content=True)
    return render(request, "applicants/print.html", {
        "application": application,
        "public_status": public_status(application.status),
        "printed_at": timezone.localtime(timezone.now(), HONG_KONG),
    })
