"""The personal data pages: every signed-in person's own page (see, download, correct, close
their account), and the staff's register of data access requests with their 40-day clock.

Views parse input and call one service of ``subsidy.privacy.services``."""

import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.forms.models import model_to_dict
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from subsidy.platform.errors import DomainError
from subsidy.platform.permissions import Action, can
from subsidy.platform.second_factor import step_up_require
from subsidy.platform.web.errors import add_domain_error
from subsidy.privacy.models import DataAccessRequest
from subsidy.privacy.services import erasure, export, requests
from subsidy.privacy.web.forms import (
    UPDATE_FIELDS,
    AccountCloseForm,
    DataAccessRequestForm,
    DataAccessRequestUpdateForm,
)


@require_GET
def policy(request):
    """The public privacy policy: what is kept, why and for how long, from the schedule."""
    return render(request, "privacy/policy.html", {
        "retention": settings.RETENTION,
        "privacy_officer_email": settings.PRIVACY_OFFICER_EMAIL,
    })


@login_required
@never_cache
@require_GET
def personal_data(request):
    return _personal_data_page(request, AccountCloseForm())


def _personal_data_page(request, close_form, status=200):
    return render(request, "privacy/personal_data.html", {
        "summary": export.personal_data_summary(request.user),
        "blockers": erasure.account_closure_blockers(user=request.user),
        "close_form": close_form,
        "privacy_officer_email": settings.PRIVACY_OFFICER_EMAIL,
    }, status=status)


def _download_name(kind: str) -> str:
    return f"aiss-personal-data-{timezone.localdate():%Y%m%d}.{kind}"


@login_required
@never_cache
@require_GET
def personal_data_json(request):
    data = export.personal_data_export(user=request.user)
    response = HttpResponse(json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False,
                                       indent=2),
                            content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_download_name("json")}"'
    return response


@login_required
@never_cache
@require_GET
def personal_documents_zip(request):
    response = StreamingHttpResponse(export.personal_documents_archive(user=request.user),
                                     content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{_download_name("zip")}"'
    return response


@login_required
@require_http_methods(["POST"])
def account_close(request):
    step_up_require(request)
    form = AccountCloseForm(request.POST)
    if form.is_valid():
        try:
            erasure.account_close(user=request.user)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            logout(request)
            messages.success(request, _("Your account has been closed and your personal data "
                                        "erased, apart from the records the scheme must keep."))
            return redirect("core:home")
    return _personal_data_page(request, form, status=400)


def _require_privacy_staff(request) -> None:
    if not can(request.user, Action.MANAGE_DATA_ACCESS_REQUESTS):
        raise PermissionDenied


@login_required
@require_http_methods(["GET", "POST"])
def requests_list(request):
    _require_privacy_staff(request)
    form = DataAccessRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            case = requests.data_access_request_record(actor=request.user, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Data access request %(reference)s recorded.")
                             % {"reference": case.reference})
            return redirect("privacy:request", case.pk)
    today = timezone.localdate()
    # Open cases first, the one due soonest at the top; closed ones after, latest first.
    cases = DataAccessRequest.objects.all()
    cases = [*cases.filter(status=DataAccessRequest.Status.OPEN).order_by("received_on", "pk"),
             *cases.exclude(status=DataAccessRequest.Status.OPEN).order_by("-received_on",
                                                                           "-pk")]
    return render(request, "privacy/requests.html", {
        "cases": [(case, case.clock(today)) for case in cases], "form": form,
        "reminder_days": settings.DAR_REMINDER_DAYS,
    }, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def request_detail(request, pk: int):
    _require_privacy_staff(request)
    case = get_object_or_404(DataAccessRequest, pk=pk)
    form = DataAccessRequestUpdateForm(request.POST or None,
                                       initial=model_to_dict(case, UPDATE_FIELDS))
    if request.method == "POST" and form.is_valid():
        try:
            requests.data_access_request_update(actor=request.user, case=case,
                                                **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("The request has been saved."))
            return redirect("privacy:request", case.pk)
    return render(request, "privacy/request.html", {
        "case": case, "clock": case.clock(), "form": form,
        "reminder_days": settings.DAR_REMINDER_DAYS,
    }, status=400 if form.errors else 200)
