"""Web forms of the applicant pages. They parse and redisplay what was typed; the rules are
checked by the services, whose problems are shown back against the same fields."""

from django import forms
from django.utils.translation import gettext_lazy as _

from applicants.eligibility import round_categories
from applicants.models import Application, BudgetLine, Membership, Organisation
from subsidy.platform.web.errors import add_problems, domain_error_problems
from subsidy.scheme.models import DocumentType, Sector


def _date_widget():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _amount_widget(**attrs):
    return forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off", **attrs})


class OrganisationForm(forms.ModelForm):
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https",
                             max_length=200)

    class Meta:
        model = Organisation
        fields = ["name_en", "name_zh", "br_number", "cr_number", "district",
                  "incorporation_date", "size", "sector", "is_cyberport_incubatee", "website"]
        widgets = {"incorporation_date": _date_widget(),
                   "br_number": forms.TextInput(attrs={"inputmode": "numeric",
                                                       "autocomplete": "off"}),
                   "cr_number": forms.TextInput(attrs={"inputmode": "numeric",
                                                       "autocomplete": "off"})}

    def validate_unique(self):
        # The service reports a registered BR number in its own words.
        return None


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("Email address"), max_length=254)
    role = forms.ChoiceField(label=_("Role"), choices=Membership.Role.choices,
                             initial=Membership.Role.EDITOR,
                             help_text=_("Owners manage members and submit; editors write "
                                         "applications (co-edit drafts); viewers can only "
                                         "read."))


class MemberRoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Membership.Role.choices)


class NewApplicationForm(forms.Form):
    organisation = forms.ModelChoiceField(label=_("Company"), queryset=Organisation.objects.none())
    round = forms.ModelChoiceField(label=_("Funding round"), queryset=None)
    category = forms.ChoiceField(
        label=_("Project category"), required=False,
        help_text=_("Only the categories the open rounds fund are listed: DeFi, NFT and "
                    "metaverse projects are not funded by this scheme."))

    def __init__(self, *args, organisations, rounds, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        self.fields["round"].queryset = rounds
        offered = {code for round_ in rounds for code in round_categories(round_)}
        self.fields["category"].choices = [("", "—")] + [
            (code, label) for code, label in Sector.choices if code in offered]
        # With one company (or one open round) there is nothing to choose.
        for name, choices in (("organisation", organisations), ("round", rounds)):
            only = list(choices[:2])
            if len(only) == 1 and not self.initial.get(name):
                self.initial[name] = only[0].pk


class VersionedForm(forms.Form):
    """Carries the draft version the editor loaded (optimistic locking)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class ProjectForm(VersionedForm):
    title = forms.CharField(label=_("Project title"), required=False,
                            widget=forms.TextInput(attrs={"maxlength": 200}))
    summary = forms.CharField(label=_("Project summary"), required=False,
                              widget=forms.Textarea(attrs={"rows": 6, "maxlength": 5000}),
                              help_text=_("Up to 5,000 characters."))
    category = forms.ChoiceField(label=_("Category"), required=False,
                                 choices=[("", "—")] + list(Sector.choices))
    start_date = forms.CharField(label=_("Start date"), required=False, widget=_date_widget())
    end_date = forms.CharField(label=_("End date"), required=False, widget=_date_widget())
    total_eligible_cost = forms.CharField(
        label=_("Total eligible cost (HK$)"), required=False,
        widget=_amount_widget(**{"data-total-cost": "", "readonly": ""}),
        help_text=_("Worked out from the budget lines when the Budget section is saved."))
    requested_subsidy = forms.CharField(
        label=_("Requested subsidy (HK$)"), required=False,
        widget=_amount_widget(**{"data-requested": ""}))

    @staticmethod
    def initial_for(app: Application) -> dict:
        return {"title": app.title, "summary": app.summary, "category": app.category,
                "start_date": app.start_date.isoformat() if app.start_date else "",
                "end_date": app.end_date.isoformat() if app.end_date else "",
                "total_eligible_cost": app.total_eligible_cost or "",
                "requested_subsidy": app.requested_subsidy or ""}


class ResponsibleAIForm(VersionedForm):
    rai_safety = forms.CharField(
        label=_("Safety-native design"), required=False,
        widget=forms.Textarea(attrs={"rows": 5, "maxlength": 4000}),
        help_text=_("How safety is designed in from the start: testing, red-teaming, "
                    "safeguards."))
    rai_human = forms.CharField(
        label=_("Human-oriented systems"), required=False,
        widget=forms.Textarea(attrs={"rows": 5, "maxlength": 4000}),
        help_text=_("How people stay in control and how users and affected people are "
                    "protected."))
    rai_transparency = forms.CharField(
        label=_("Transparency"), required=False,
        widget=forms.Textarea(attrs={"rows": 5, "maxlength": 4000}),
        help_text=_("How the system's purpose, data and limits are explained."))

    @staticmethod
    def initial_for(app: Application) -> dict:
        return {"rai_safety": app.rai_safety, "rai_human": app.rai_human,
                "rai_transparency": app.rai_transparency}


class DeclarationsForm(VersionedForm):
    declares_accurate = forms.BooleanField(
        required=False, label=Application._meta.get_field("declares_accurate").verbose_name)
    declares_no_double_funding = forms.BooleanField(
        required=False,
        label=Application._meta.get_field("declares_no_double_funding").verbose_name)
    declares_compliance = forms.BooleanField(
        required=False, label=Application._meta.get_field("declares_compliance").verbose_name)
    privacy_notice = forms.BooleanField(
        required=False, label=_("I have read the personal-data collection notice above and "
                                "agree to the use of the data as it describes."))

    @staticmethod
    def initial_for(app: Application) -> dict:
        return {"declares_accurate": app.declares_accurate,
                "declares_no_double_funding": app.declares_no_double_funding,
                "declares_compliance": app.declares_compliance,
                "privacy_notice": app.privacy_notice_accepted_at is not None}


class BudgetLineForm(forms.Form):
    category = forms.ChoiceField(label=_("Category"), required=False,
                                 choices=[("", "—")] + list(BudgetLine.Category.choices),
                                 widget=forms.Select(attrs={"data-line-category": ""}))
    description = forms.CharField(label=_("Description"), required=False,
                                  widget=forms.TextInput(attrs={"maxlength": 200}))
    gpu_hours = forms.CharField(label=_("GPU-hours (compute only)"), required=False,
                                widget=_amount_widget(**{"data-line-gpu-hours": ""}))
    quantity = forms.CharField(label=_("Quantity"), required=False,
                               widget=_amount_widget(**{"data-line-quantity": ""}))
    unit_cost = forms.CharField(label=_("Unit cost (HK$)"), required=False,
                                widget=_amount_widget(**{"data-line-unit-cost": ""}))
    justification = forms.CharField(label=_("Justification"), required=False,
                                    widget=forms.Textarea(attrs={"rows": 2,
                                                                 "maxlength": 2000}))

    @staticmethod
    def initial_rows(app: Application) -> list[dict]:
        return [{"category": line.category, "description": line.description,
                 "gpu_hours": line.gpu_hours if line.gpu_hours is not None else "",
                 "quantity": "" if line.category == "compute" else line.quantity,
                 "unit_cost": "" if line.category == "compute" else line.unit_cost,
                 "justification": line.justification} for line in app.budget_lines.all()]


class MilestoneForm(forms.Form):
    deliverable = forms.CharField(label=_("Deliverable"), required=False,
                                  widget=forms.TextInput(attrs={"maxlength": 300}))
    due_date = forms.CharField(label=_("Due date"), required=False, widget=_date_widget())
    share_percent = forms.CharField(label=_("Share of funding (%)"), required=False,
                                    widget=_amount_widget(**{"data-share": ""}))

    @staticmethod
    def initial_rows(app: Application) -> list[dict]:
        return [{"deliverable": m.deliverable, "due_date": m.due_date.isoformat(),
                 "share_percent": m.share_percent} for m in app.milestones.all()]


class TeamMemberForm(forms.Form):
    name = forms.CharField(label=_("Name"), required=False,
                           widget=forms.TextInput(attrs={"maxlength": 150}))
    role = forms.CharField(label=_("Role in the project"), required=False,
                           widget=forms.TextInput(attrs={"maxlength": 150}))
    expertise = forms.CharField(label=_("Expertise"), required=False,
                                widget=forms.Textarea(attrs={"rows": 2, "maxlength": 1000}),
                                help_text=_("Do not enter identity card numbers."))

    @staticmethod
    def initial_rows(app: Application) -> list[dict]:
        return [{"name": t.name, "role": t.role, "expertise": t.expertise}
                for t in app.team_members.all()]


class DocumentUploadForm(forms.Form):
    document_type = forms.ChoiceField(label=_("Type of document"),
                                      choices=DocumentType.choices)
    file = forms.FileField(
        label=_("File"),
        help_text=_("PDF, Word (DOCX), Excel (XLSX), PowerPoint (PPTX), PNG or JPEG; no macros."),
        widget=forms.ClearableFileInput(attrs={
            "accept": ".pdf,.docx,.xlsx,.pptx,.png,.jpg,.jpeg"}))


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("Reason (optional)"), required=False,
                             widget=forms.Textarea(attrs={"rows": 3, "maxlength": 2000}))
    confirm = forms.BooleanField(label=_("Yes, withdraw this application. This cannot be "
                                         "undone."))


ROW_FORMS = {"budget": BudgetLineForm, "milestones": MilestoneForm, "team": TeamMemberForm}
SECTION_FORMS = {"project": ProjectForm, "responsible_ai": ResponsibleAIForm,
                 "declarations": DeclarationsForm}


def category_choices(application: Application) -> list[tuple[str, str]]:
    """Only the categories the application's round funds are offered (DeFi, NFTs and the
    metaverse are not refused only at submission); a category saved earlier stays listed,
    so the applicant sees it and the still-needed list says why it must change."""
    eligible = round_categories(application.round)
    return [("", "—")] + [(code, label) for code, label in Sector.choices
                          if code in eligible or code == application.category]


class SectionPage:
    """The form of one section of the draft: a plain form, or the version field with a
    formset of rows (budget lines, milestones, team) that can grow without losing input."""

    def __init__(self, section: str, application: Application, data=None):
        self.section = section
        self.formset = None
        if data is not None and "add_row" in data and section in ROW_FORMS:
            data = data.copy()
            key = f"{section}-TOTAL_FORMS"
            current = data.get(key) or "0"
            data[key] = str(int(current) + 1) if current.isdigit() else current
        if section in ROW_FORMS:
            self.form = VersionedForm(data, initial={"version": application.version})
            rows = ROW_FORMS[section].initial_rows(application)
            factory = forms.formset_factory(ROW_FORMS[section], extra=0 if rows else 1,
                                            can_delete=True, max_num=100, absolute_max=100)
            self.formset = factory(data, prefix=section, initial=rows)
        else:
            form_class = SECTION_FORMS[section]
            initial = {**form_class.initial_for(application), "version": application.version}
            self.form = form_class(data, initial=initial)
            if section == "project":
                self.form.fields["category"].choices = category_choices(application)
        self._sent_rows: list[int] = []

    @property
    def adding_row(self) -> bool:
        return self.form.is_bound and "add_row" in self.form.data

    def is_valid(self) -> bool:
        valid = self.form.is_valid()
        return (self.formset.is_valid() and valid) if self.formset is not None else valid

    @property
    def sent_rows(self) -> list[int]:
        """The page's indexes of the rows ``service_data`` sent, in order."""
        return list(self._sent_rows)

    @property
    def version(self) -> int:
        return self.form.cleaned_data["version"]

    def service_data(self):
        if self.formset is None:
            return {k: v for k, v in self.form.cleaned_data.items() if k != "version"}
        rows = []
        self._sent_rows = []
        for index, row_form in enumerate(self.formset.forms):
            values = {k: v for k, v in row_form.cleaned_data.items() if k != "DELETE"}
            if row_form.cleaned_data.get("DELETE") or not any(
                    str(v).strip() for v in values.values()):
                continue
            self._sent_rows.append(index)
            rows.append(values)
        return rows

    def add_domain_error(self, error) -> None:
        """Show a service's refusal next to what it names: a row's field (``budget-2-quantity``
        counts the rows sent, so it is mapped back to the row on the page), or the form's."""
        for field, message in domain_error_problems(error):
            parts = (field or "").split("-", 2)
            if self.formset is not None and len(parts) == 3 and parts[0] == self.section:
                row_form = self.formset.forms[self._sent_rows[int(parts[1])]]
                add_problems(row_form, [(parts[2], message)])
            else:
                add_problems(self.form, [(field, message)])
