"""The programme officer's closure page: the checklist of a grant, item by item with where
to act, and the closing itself (completed, or terminated with its reason)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from subsidy.closure import selectors
from subsidy.closure.services.closing import grant_close_out
from subsidy.closure.web.forms import ClosureForm
from subsidy.platform.errors import DomainError
from subsidy.platform.permissions import Action, can
from subsidy.platform.web.errors import add_domain_error
from subsidy.scheme.models import Grant


@login_required
@require_http_methods(["GET", "POST"])
def closure_view(request, grant_id):
    if not can(request.user, Action.ADMINISTER_GRANTS):
        raise PermissionDenied
    grant = selectors.grant_for_closure(grant_id=grant_id)
    if grant is None:
        raise Http404
    closure = selectors.grant_closure_of(grant_id=grant.pk)
    closable = grant.status == Grant.Status.ACTIVE and closure is None
    form = ClosureForm(request.POST or None)
    if request.method == "POST" and closable and form.is_valid():
        try:
            grant_close_out(actor=request.user, grant=grant,
                            outcome=form.cleaned_data["outcome"],
                            reason=form.cleaned_data["reason"])
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("The grant is closed. The company and its partners "
                                        "are told."))
            return redirect("closure:grant", grant.pk)
    return render(request, "subsidy/closure/closure.html", {
        "grant": grant, "closure": closure, "closable": closable, "form": form,
        "checklists": selectors.grant_checklists(grant) if closable else {},
    })
