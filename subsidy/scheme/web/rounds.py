"""Staff pages to manage funding rounds: list with budget position, create, edit, open, close.

Views parse input with forms and call ``subsidy.scheme.services.rounds``; every rule lives there.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.forms import formset_factory
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from subsidy.platform.errors import DomainError
from subsidy.platform.permissions import Action, can
from subsidy.platform.web.errors import add_domain_error
from subsidy.scheme import selectors
from subsidy.scheme.models import DocumentType, FundingRound, Scheme, Sector
from subsidy.scheme.services import rounds as round_services

DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class RoundForm(forms.Form):
    scheme = forms.ModelChoiceField(label=gettext_lazy("Scheme"), queryset=Scheme.objects.all())
    code = forms.RegexField(
        label=gettext_lazy("Round code"), regex=r"^[A-Z0-9]{2,20}$", max_length=20,
        help_text=gettext_lazy("Capital letters and digits, e.g. 2026R2. Used in references."),
        error_messages={"invalid": gettext_lazy("Use 2 to 20 capital letters and digits.")},
    )
    title_en = forms.CharField(label=gettext_lazy("Title (English)"), max_length=200)
    title_zh = forms.CharField(label=gettext_lazy("Title (Chinese)"), max_length=200,
                               required=False)
    opens_at = forms.DateTimeField(label=gettext_lazy("Opens at (HKT)"), widget=DATETIME_WIDGET)
    closes_at = forms.DateTimeField(label=gettext_lazy("Closes at (HKT)"), widget=DATETIME_WIDGET)
    envelope = forms.DecimalField(label=gettext_lazy("Envelope (HK$)"), max_digits=14,
                                  decimal_places=2, min_value=0)
    max_subsidy_per_project = forms.DecimalField(
        label=gettext_lazy("Maximum subsidy per project (HK$)"), max_digits=14,
        decimal_places=2, min_value=0)
    max_ratio_percent = forms.DecimalField(
        label=gettext_lazy("Maximum subsidy ratio (%)"), max_digits=5, decimal_places=2,
        initial=70, help_text=gettext_lazy("Of the eligible project cost; at most 90%."))
    gpu_hour_rate = forms.DecimalField(
        label=gettext_lazy("AI Supercomputing Centre rate per GPU-hour (HK$)"),
        max_digits=14, decimal_places=2, min_value=0)
    reviewers_per_application = forms.IntegerField(
        label=gettext_lazy("Reviewers per application"), min_value=1, max_value=10, initial=3)
    score_scale_max = forms.IntegerField(
        label=gettext_lazy("Top of the score scale"), min_value=2, max_value=10, initial=5)
    eligible_categories = forms.MultipleChoiceField(
        label=gettext_lazy("Eligible categories"), choices=Sector.choices,
        widget=forms.CheckboxSelectMultiple)
    required_documents = forms.MultipleChoiceField(
        label=gettext_lazy("Required documents"), choices=DocumentType.choices, required=False,
        widget=forms.CheckboxSelectMultiple)


class CriterionForm(forms.Form):
    code = forms.SlugField(label=gettext_lazy("Code"), max_length=40)
    name_en = forms.CharField(label=gettext_lazy("Criterion (English)"), max_length=200)
    name_zh = forms.CharField(label=gettext_lazy("Criterion (Chinese)"), max_length=200,
                              required=False)
    weight = forms.IntegerField(label=gettext_lazy("Weight"), min_value=1, max_value=100)
    guidance = forms.CharField(label=gettext_lazy("Guidance for reviewers"), required=False,
                               widget=forms.Textarea(attrs={"rows": 2}))


CriterionFormSet = formset_factory(CriterionForm, extra=1, can_delete=True)


def _require_manager(request):
    if not can(request.user, Action.MANAGE_ROUNDS):
        raise PermissionDenied


@login_required
def round_list(request):
    _require_manager(request)
    return render(request, "subsidy/rounds/list.html",
                  {"rounds": selectors.rounds_with_budget_position()})


def _rubric_from(formset) -> list[dict]:
    return [
        {k: v for k, v in form.cleaned_data.items() if k != "DELETE"}
        for form in formset.forms
        if form.cleaned_data and not form.cleaned_data.get("DELETE")
    ]


def _round_form_page(request, *, round_=None):
    if round_ is None:
        initial = {"scheme": Scheme.objects.order_by("code").first(),
                   "eligible_categories": [], "required_documents": []}
        rubric = FundingRound._meta.get_field("rubric").get_default()
    else:
        initial = {name: getattr(round_, name) for name in round_services.ROUND_FIELDS}
        initial["scheme"] = round_.scheme
        rubric = round_.rubric
    form = RoundForm(request.POST or None, initial=initial)
    formset = CriterionFormSet(request.POST or None, initial=rubric, prefix="rubric")
    if round_ is not None:
        form.fields["scheme"].disabled = True
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        values = {k: v for k, v in form.cleaned_data.items() if k != "scheme"}
        values["rubric"] = _rubric_from(formset)
        try:
            if round_ is None:
                round_ = round_services.round_create(
                    actor=request.user, scheme=form.cleaned_data["scheme"], **values)
                messages.success(request, _("Round %(code)s created.") % {"code": round_.code})
            else:
                round_services.round_update(actor=request.user, round_=round_, **values)
                messages.success(request, _("Round %(code)s saved.") % {"code": round_.code})
            return redirect("rounds:list")
        except DomainError as exc:
            add_domain_error(form, exc)
    return render(request, "subsidy/rounds/form.html",
                  {"form": form, "formset": formset, "round": round_})


@login_required
@require_http_methods(["GET", "POST"])
def round_new(request):
    _require_manager(request)
    return _round_form_page(request)


@login_required
@require_http_methods(["GET", "POST"])
def round_edit(request, code):
    _require_manager(request)
    return _round_form_page(request, round_=get_object_or_404(FundingRound, code=code))


@login_required
@require_POST
def round_set_status(request, code, action):
    _require_manager(request)
    round_ = get_object_or_404(FundingRound, code=code)
    service = {"open": round_services.round_open, "close": round_services.round_close}.get(action)
    if service is None:
        raise PermissionDenied
    try:
        service(actor=request.user, round_=round_)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Round %(code)s is now %(status)s.")
                         % {"code": round_.code,
                            "status": FundingRound.Status(
                                "open" if action == "open" else "closed").label})
    return redirect("rounds:list")
