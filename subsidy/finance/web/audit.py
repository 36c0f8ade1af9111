"""The audit trail for auditors: every recorded change, filtered by object, actor and
period, on a page or downloaded as CSV or XLSX through the one exporter; a grant's,
claim's or payment's own history is the same page filtered to that object."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from subsidy.finance import selectors
from subsidy.finance.models import Claim, Disbursement
from subsidy.finance.web.forms import DATE_WIDGET
from subsidy.finance.web.responses import require
from subsidy.platform import exports
from subsidy.platform.permissions import Action
from subsidy.scheme.models import Grant

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


def _audit_page(request, rows, template: str, filename: str, context: dict):
    """The rows as a page of 50, or downloaded as CSV or XLSX (``?format=``)."""
    fmt = request.GET.get("format")
    if fmt == "csv":
        return exports.csv_response(rows, AUDIT_COLUMNS, filename)
    if fmt == "xlsx":
        return exports.xlsx_response(rows, AUDIT_COLUMNS, filename, "Audit trail")
    query = request.GET.copy()
    query.pop("format", None)
    query.pop("page", None)
    page = Paginator(rows, AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, template, {**context, "page": page, "rows": page.object_list,
                                      "query": query.urlencode()})


@login_required
def audit_trail(request):
    require(request, Action.VIEW_AUDIT)
    form = AuditFilterForm(request.GET or None)
    wanted = form.cleaned_data if form.is_valid() else {}
    rows = selectors.audit_trail(**{key: value for key, value in wanted.items() if value})
    return _audit_page(request, rows, "subsidy/finance/audit_trail.html", "audit-trail",
                       {"form": form})


def _history(request, obj, *, title: str, back: str):
    """One record's own history: the audit trail of that object, newest first."""
    require(request, Action.VIEW_AUDIT)
    rows = selectors.audit_trail(object_type=obj._meta.label_lower, object_id=str(obj.pk))
    name = f"history-{obj._meta.model_name}-{obj.pk}"
    return _audit_page(request, rows, "subsidy/finance/history.html", name,
                       {"title": title, "back": back, "subject": obj})


@login_required
def grant_history(request, grant_id):
    grant = get_object_or_404(Grant.objects.select_related("application"), pk=grant_id)
    return _history(request, grant, back=reverse("finance:grant", args=[grant.pk]),
                    title=_("History of grant %(reference)s")
                    % {"reference": grant.application.reference})


@login_required
def claim_history(request, claim_id):
    claim = get_object_or_404(Claim.objects.select_related("tranche__grant__application"),
                              pk=claim_id)
    return _history(request, claim, back=reverse("finance:claim", args=[claim.pk]),
                    title=_("History of the claim for tranche %(number)s of %(reference)s")
                    % {"number": claim.tranche.number,
                       "reference": claim.tranche.grant.application.reference})


@login_required
def payment_history(request, payment_id):
    payment = get_object_or_404(Disbursement.objects.select_related("batch"), pk=payment_id)
    back = (reverse("finance:batch", args=[payment.batch_id]) if payment.batch_id
            else reverse("finance:claim", args=[payment.claim_id]))
    return _history(request, payment, back=back,
                    title=_("History of payment %(id)s") % {"id": payment.end_to_end_id})
