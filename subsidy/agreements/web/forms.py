"""Forms of the agreement pages: they parse input; every rule lives in the services."""

from django import forms
from django.utils.translation import gettext_lazy as _


class SignForm(forms.Form):
    signer_name = forms.CharField(label=_("Your full name"), max_length=200,
                                  widget=forms.TextInput(attrs={"autocomplete": "name"}))
    signer_title = forms.CharField(
        label=_("Your title in the company"), max_length=200,
        help_text=_("For example Director or Chief Executive Officer."),
        widget=forms.TextInput(attrs={"autocomplete": "organization-title"}))
    document_sha256 = forms.RegexField(regex=r"^[0-9a-f]{64}$", widget=forms.HiddenInput,
                                       error_messages={"required": _("Open the offer page "
                                                                     "again and sign.")})
    confirm = forms.BooleanField(
        label=_("I have read the offer letter and grant agreement, and I sign it for the "
                "company as one of its owners."),
        error_messages={"required": _("Tick the box to confirm that you have read the "
                                      "agreement and sign it.")})


class EvidenceForm(forms.Form):
    evidence_text = forms.CharField(
        label=_("How the condition is met"), max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5}))
    evidence_file = forms.FileField(label=_("Supporting document (PDF, DOCX, XLSX, PNG or "
                                            "JPEG), if any"), required=False)


class ConditionCheckForm(forms.Form):
    decision = forms.ChoiceField(label=_("Decision"), widget=forms.RadioSelect, choices=[
        ("met", _("The condition is met")),
        ("return", _("Return it: more evidence is needed"))])
    comment = forms.CharField(label=_("Comments to the company"), max_length=4000,
                              required=False, widget=forms.Textarea(attrs={"rows": 3}),
                              help_text=_("Needed when you return the evidence."))
