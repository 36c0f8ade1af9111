"""The audit trail for auditors: every recorded change, filtered by object, actor and
period, on a page or downloaded as CSV or XLSX through the one exporter; a grant's,
claim's or payment's own history is the same page filtered to that object."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from subsidy.finance import selectors
from subsidy.finance.web.forms import DATE_WIDGET
from subsidy.finance.web.responses import require
from subsidy.platform import exports
from subsidy.platform.permissions import Action

AUDIT_PAGE_SIZE = 50

AUDIT_COLUMNS = (
    ("at", _("When")), ("actor_label", _("Who")), ("actor_email", _("Email")),
    ("action", _("Action")), ("object_type", _("Object type")),
    ("object_id", _("Object id")), ("object_repr", _("Object")),
    ("before_text", _("Before")), ("after_text", _("After")),
)

# The kinds of record a money history is asked for by.
# (the audit trail names a record by its model's label).
OBJECT_TYPES = (("", _("Any")), ("subsidy.grant", _("Grant")), ("subsidy.claim", _("Claim")),
                ("subsidy.disbursement", _("Payment")),
                ("subsidy.paymentbatch", _("Payment batch")),
                ("subsidy.recovery", _("Recovery order")),
                ("applicants.application", _("Application")))


class AuditFilterForm(forms.Form):
    object_type = forms.ChoiceField(label=_("Object type"), required=False,
                                    choices=OBJECT_TYPES)
    object_id = forms.CharField(label=_("Object id"), required=False, max_length=64)
    actor = forms.CharField(label=_("Who"), required=False, max_length=120)
    date_from = forms.DateField(label=_("From"), required=False, widget=DATE_WIDGET)
    date_to = forms.DateField(label=_("To"), required=False, widget=DATE_WIDGET)


@login_required
def audit_trail(request):
    require(request, Action.VIEW_AUDIT)
    form = AuditFilterForm(request.GET or None)
    wanted = form.cleaned_data if form.is_valid() else {}
    rows = selectors.audit_trail(**{key: value for key, value in wanted.items() if value})
    fmt = request.GET.get("format")
    if fmt == "csv":
        return exports.csv_response(rows, AUDIT_COLUMNS, "audit-trail")
    if fmt == "xlsx":
        return exports.xlsx_response(rows, AUDIT_COLUMNS, "audit-trail", "Audit trail")
    query = request.GET.copy()
    query.pop("format", None)
    query.pop("page", None)
    page = Paginator(rows, AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "subsidy/finance/audit_trail.html", {
        "form": form, "page": page, "rows": page.object_list, "query": query.urlencode()})
