from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from subsidy.platform.models import User

# Each language is offered in its own script, so a reader of either can find theirs.
LANGUAGE_CHOICES = [("en", "English"), ("zh-hant", "繁體中文")]


def _current_language_choice() -> str:
    return "zh-hant" if (get_language() or "").lower().startswith("zh") else "en"


class SignupProfileForm(forms.Form):
    """Extra fields of allauth's sign-up form, shown between the email and the passwords."""

    field_order = ["email", "full_name", "language", "password1", "password2"]

    full_name = forms.CharField(
        label=_("Full name"), max_length=150,
        help_text=_("The name we use when we write to you."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    language = forms.ChoiceField(
        label=_("Preferred language"), choices=LANGUAGE_CHOICES,
        help_text=_("We write to you and show the site in this language."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].initial = _current_language_choice()

    def signup(self, request, user):
        from subsidy.platform.accounts import user_complete_signup

        user_complete_signup(user=user, full_name=self.cleaned_data["full_name"],
                             language=self.cleaned_data["language"])


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["full_name", "language"]
        labels = {"full_name": _("Full name"), "language": _("Preferred language")}
        help_texts = {"language": _("We write to you and show the site in this language.")}
        widgets = {"full_name": forms.TextInput(attrs={"autocomplete": "name"}),
                   "language": forms.Select(choices=LANGUAGE_CHOICES)}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["full_name"].required = True
        self.fields["language"].choices = LANGUAGE_CHOICES
