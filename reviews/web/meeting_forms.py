"""Forms of the panel meeting pages; the rules are the services' (reviews.services.meetings)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from reviews.models import PanelVote


class ConveneForm(forms.Form):
    title = forms.CharField(label=_("Title of the meeting"), max_length=200)
    held_on = forms.DateField(label=_("Date of the meeting"),
                              widget=forms.DateInput(attrs={"type": "date"}))


class AttendanceForm(forms.Form):
    members = forms.MultipleChoiceField(label=_("Members present"), required=False,
                                        widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, panel_members, **kwargs):
        super().__init__(*args, **kwargs)
        self.members = {str(m.pk): m for m in panel_members}
        self.fields["members"].choices = [(str(m.pk), str(m)) for m in panel_members]

    def chosen(self):
        return [self.members[pk] for pk in self.cleaned_data["members"]]


class VoteForm(forms.Form):
    choice = forms.ChoiceField(label=_("Your vote"), choices=PanelVote.Choice.choices,
                               widget=forms.RadioSelect)


class ItemMinutesForm(forms.Form):
    minutes = forms.CharField(label=_("Minutes of this item"), required=False, max_length=8000,
                              widget=forms.Textarea(attrs={"rows": 4}))
    recommended_amount = forms.DecimalField(
        label=_("Recommended amount (HK$)"), required=False, max_digits=14, decimal_places=2,
        min_value=0)


class CloseForm(forms.Form):
    minutes = forms.CharField(label=_("Minutes of the meeting"), required=False,
                              max_length=20000, widget=forms.Textarea(attrs={"rows": 6}),
                              help_text=_("Who attended, what was discussed, anything the "
                                          "record must show. The items' own minutes are "
                                          "kept with each item."))
