from django import forms
from django.conf import settings
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from subsidy.models import User


class SignupProfileForm(forms.Form):
    """Extra fields of allauth's sign-up form."""

    full_name = forms.CharField(label=_("Full name"), max_length=150)
    language = forms.ChoiceField(label=_("Preferred language"), choices=settings.LANGUAGES)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].initial = get_language()

    def signup(self, request, user):
        from subsidy.services.accounts import user_complete_signup

        user_complete_signup(user=user, full_name=self.cleaned_data["full_name"],
                             language=self.cleaned_data["language"])


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["full_name", "language"]
