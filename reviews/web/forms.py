"""Forms that parse the assessment pages' input; every rule is checked by the services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from reviews.models import Recommendation
from reviews.selectors.assessment import criteria_for
from subsidy.platform.models import User
from subsidy.platform.roles import Role
from subsidy.platform.selectors import users_with_role

DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class DeclarationForm(forms.Form):
    has_conflict = forms.TypedChoiceField(
        label=_("Do you have a conflict of interest with this applicant?"),
        choices=[("no", _("No, I have no conflict of interest")),
                 ("yes", _("Yes, I have a conflict of interest"))],
        coerce=lambda value: value == "yes", widget=forms.RadioSelect)
    reason = forms.CharField(
        label=_("Nature of the conflict"), required=False,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 2000}),
        help_text=_("Required if you declare a conflict, e.g. a family, business or "
                    "employment link with the company or its people."))


def review_form_class(round_) -> type[forms.Form]:
    """A form with a score and a comment for each criterion of the round's rubric. Every
    field may be left empty in a saved draft; the score of each criterion, the
    recommendation and the overall comment are needed to submit, so they are not marked
    "(optional)" (``required_to_submit``). Each score's label names its criterion, so an
    error summary says which criterion lacks a score."""
    fields = {}
    for criterion in criteria_for(round_):
        code = criterion["code"]
        fields[f"score_{code}"] = forms.IntegerField(
            label=_("%(criterion)s: score (1–%(max)d)") % {
                "criterion": criterion["name"], "max": round_.score_scale_max},
            required=False,
            widget=forms.NumberInput(attrs={"min": 1, "max": round_.score_scale_max,
                                            "step": 1}))
        fields[f"score_{code}"].required_to_submit = True
        fields[f"comment_{code}"] = forms.CharField(
            label=_("%(criterion)s: comment") % {"criterion": criterion["name"]},
            required=False,
            widget=forms.Textarea(attrs={"rows": 3, "maxlength": 2000}))
    fields["recommendation"] = forms.ChoiceField(
        label=_("Recommendation"), required=False,
        choices=[("", _("Choose…")), *Recommendation.choices])
    fields["overall_comment"] = forms.CharField(
        label=_("Overall comment"), required=False,
        widget=forms.Textarea(attrs={"rows": 6, "maxlength": 5000}))
    fields["recommendation"].required_to_submit = True
    fields["overall_comment"].required_to_submit = True
    return type("ReviewForm", (forms.Form,), fields)


def review_form_scores(round_, cleaned_data: dict) -> dict[str, dict]:
    return {c["code"]: {"score": cleaned_data.get(f"score_{c['code']}"),
                        "comment": cleaned_data.get(f"comment_{c['code']}") or ""}
            for c in round_.rubric}


def review_form_initial(review) -> dict:
    if review is None:
        return {}
    initial = {"recommendation": review.recommendation,
               "overall_comment": review.overall_comment}
    for score in review.scores.all():
        initial[f"score_{score.criterion}"] = score.score
        initial[f"comment_{score.criterion}"] = score.comment
    return initial


class CorrectionForm(forms.Form):
    reason = forms.CharField(label=_("Why does the review need a correction?"),
                             max_length=500, widget=forms.TextInput(attrs={"maxlength": 500}),
                             help_text=_("A programme officer approves the correction before "
                                         "you can change your review."))


class CorrectionDecisionForm(forms.Form):
    decision = forms.ChoiceField(label=_("Decision"), widget=forms.RadioSelect,
                                 choices=[("approve", _("Approve the correction")),
                                          ("reject", _("Reject it"))])
    note = forms.CharField(label=_("Note to the reviewer"), required=False, max_length=500,
                           help_text=_("Required to reject."))


class PoolMemberForm(forms.Form):
    reviewer = forms.ModelChoiceField(label=_("Reviewer"), queryset=User.objects.none())
    expertise = forms.CharField(label=_("Expertise tags"), required=False, max_length=400,
                                help_text=_("Separate tags with commas, e.g. nlp, fintech."))
    capacity = forms.IntegerField(label=_("Capacity (applications)"), initial=10)

    def __init__(self, *args, round_=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reviewer"].queryset = (
            users_with_role(Role.REVIEWER)
            .exclude(reviewer_pool_memberships__round=round_).order_by("full_name", "email"))


class PoolMemberUpdateForm(forms.Form):
    expertise = forms.CharField(label=_("Expertise tags"), required=False, max_length=400)
    capacity = forms.IntegerField(label=_("Capacity (applications)"))
    active = forms.BooleanField(label=_("Takes new assignments"), required=False)


class AssignForm(forms.Form):
    reviewer = forms.ChoiceField(label=_("Reviewer"))
    due_at = forms.DateTimeField(label=_("Due (HKT)"), required=False, widget=DATETIME_WIDGET,
                                 help_text=_("Leave empty for 14 days from now."))

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reviewer"].choices = [
            (m.reviewer_id, f"{m.reviewer} ({', '.join(m.expertise) or '—'})")
            for m in members]


class RemoveAssignmentForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), required=False, max_length=500)


class AssessmentSettingsForm(forms.Form):
    normalise_scores = forms.BooleanField(label=_("Rank by normalised scores (z-scores)"),
                                          required=False)
    disagreement_threshold = forms.DecimalField(
        label=_("Disagreement threshold (points out of 100)"), max_digits=5, decimal_places=2)
    reviews_visible_after_close = forms.BooleanField(
        label=_("Show reviewers each other's reviews once the review stage closes"),
        required=False,
        help_text=_("Reviews are blind while the review stage is open; untick to keep them "
                    "blind for good. Reviewers never see each other's names."))
    panel_quorum = forms.IntegerField(
        label=_("Panel quorum"), min_value=1, max_value=50, required=False,
        help_text=_("Members present, and free of any conflict, a panel meeting needs to "
                    "decide an application."))
