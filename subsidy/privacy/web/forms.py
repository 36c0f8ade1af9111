"""Forms of the personal data pages: closing one's account, and a data access request."""

from django import forms
from django.forms.models import fields_for_model
from django.utils.translation import gettext_lazy as _

from subsidy.privacy.models import DataAccessRequest


class AccountCloseForm(forms.Form):
    """Closing cannot be undone: the person says they understand. Who they are is confirmed
    by the step-up (a fresh password and second factor) before the form is read."""

    confirm = forms.BooleanField(
        label=_("I understand that my account will be closed for good and that I will not be "
                "able to sign in again."))


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
