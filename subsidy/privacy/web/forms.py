"""Forms of the personal data pages: closing one's account, and a data access request."""

from django import forms
from django.forms.models import fields_for_model
from django.utils.translation import gettext_lazy as _

from subsidy.privacy.models import DataAccessRequest


class AccountCloseForm(forms.Form):
    """Closing cannot be undone: the person confirms with their password, just typed."""

    password = forms.CharField(label=_("Your password"), strip=False,
                               widget=forms.PasswordInput(attrs={"autocomplete":
                                                                 "current-password"}))
    confirm = forms.BooleanField(
        label=_("I understand that my account will be closed for good and that I will not be "
                "able to sign in again."))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("The password is not correct."), code="password")
        return password


_WIDGETS = {"received_on": forms.DateInput(attrs={"type": "date"}),
            "closed_on": forms.DateInput(attrs={"type": "date"}),
            "description": forms.Textarea(attrs={"rows": 4}),
            "notes": forms.Textarea(attrs={"rows": 5})}


NEW_FIELDS = ["requester_name", "requester_email", "requester_address", "received_on",
              "description", "notes"]
UPDATE_FIELDS = ["status", "closed_on", "notes", "requester_name", "requester_email",
                 "requester_address", "received_on", "description"]


# Plain forms over the model's fields: the service, not a model form, writes the case and
# checks its dates (closing with no date stamps today's, which a model form would refuse).
class DataAccessRequestForm(forms.Form):
    """A new request as received."""


class DataAccessRequestUpdateForm(forms.Form):
    """A case's status, notes and details."""


DataAccessRequestForm.base_fields = fields_for_model(DataAccessRequest, fields=NEW_FIELDS,
                                                     widgets=_WIDGETS)
DataAccessRequestUpdateForm.base_fields = fields_for_model(
    DataAccessRequest, fields=UPDATE_FIELDS, widgets=_WIDGETS,
    help_texts={"closed_on": _("Left empty, closing the case stamps today's date.")})
