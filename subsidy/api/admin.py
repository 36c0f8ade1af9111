"""Admin pages of API keys: issued once, shown once."""

from django import forms
from django.contrib import admin, messages
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from subsidy.api.models import API_SCOPES, ApiKey
from subsidy.api.services.keys import (
    SCOPES_BY_KIND,
    api_key_create,
    api_key_revoke,
    api_key_scopes_problem,
)
from subsidy.platform.admin import AdministratorsOnly, DomainErrorsAsMessages, StepUpForChanges
from subsidy.platform.roles import STAFF_ROLES
from subsidy.platform.selectors import users_with_role


def _for_whom(code: str):
    """The holders whose keys may carry the scope, in the reader's language."""
    labels = [kind.label for kind in ApiKey.Kind if code in SCOPES_BY_KIND[kind]]
    return format_lazy(", ".join(["{}"] * len(labels)), *labels)


class ApiKeyAddForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(
        label=_("Scopes"), widget=forms.CheckboxSelectMultiple,
        choices=[(code, format_lazy("{} ({})", label, _for_whom(code)))
                 for code, label in API_SCOPES],
        help_text=_("Only the scopes that can work for the key's holder are accepted."))
    aisc = forms.BooleanField(
        label=_("For the AI Supercomputing Centre"), required=False,
        help_text=_("The Centre's key sends usage statements (scope aisc:statements) and "
                    "comes with a signing secret, shown once with the key."))

    class Meta:
        model = ApiKey
        fields = ["name", "partner", "user", "aisc", "scopes", "expires_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Keys for people go to staff only: the list offers no one else.
        self.fields["user"].queryset = (
            users_with_role(*STAFF_ROLES, active=False)
            .order_by("full_name", "email"))

    def clean(self):
        cleaned = super().clean()
        holders = [bool(cleaned.get(name)) for name in ("partner", "user", "aisc")]
        if holders.count(True) != 1:
            raise forms.ValidationError(
                _("Choose one holder: a partner organisation, a staff user or the AI "
                  "Supercomputing Centre."))
        if cleaned.get("user") and not cleaned["user"].is_staff_role:
            self.add_error("user", _("Keys for people are only issued to staff users."))
        if cleaned.get("partner") and not cleaned["partner"].active:
            self.add_error("partner", _("This partner organisation is inactive."))
        if cleaned.get("scopes") and holders.count(True) == 1:
            kind = (ApiKey.Kind.PARTNER if cleaned.get("partner")
                    else ApiKey.Kind.STAFF if cleaned.get("user") else ApiKey.Kind.AISC)
            problem = api_key_scopes_problem(cleaned["scopes"], kind=kind)
            if problem:
                self.add_error("scopes", problem)
        return cleaned


class ApiKeyAdmin(StepUpForChanges, DomainErrorsAsMessages, AdministratorsOnly,
                  admin.ModelAdmin):
    """Keys are issued through ``api_key_create`` (the plaintext is shown once, in a
    message) and retired with the revoke action; they are never edited or deleted."""

    list_display = ["name", "prefix", "kind", "partner", "user", "created_at", "expires_at",
                    "revoked_at", "last_used_at"]
    list_filter = ["partner"]
    search_fields = ["name", "prefix", "partner__name", "user__email"]
    actions = ["revoke"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = ApiKeyAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return ["name", "kind", "partner", "user", "prefix", "scopes", "created_by", "created_at",
                "expires_at", "revoked_at", "last_used_at"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ApiKeyAddForm.Meta.fields
        return self.get_readonly_fields(request, obj)

    def has_change_permission(self, request, obj=None):
        # Existing keys are read-only (the list page still needs the permission).
        return obj is None and super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        issued = api_key_create(actor=request.user, name=form.cleaned_data["name"],
                                scopes=form.cleaned_data["scopes"],
                                partner=form.cleaned_data["partner"],
                                user=form.cleaned_data["user"],
                                aisc=form.cleaned_data["aisc"],
                                expires_at=form.cleaned_data["expires_at"])
        obj.pk, obj.prefix = issued.api_key.pk, issued.api_key.prefix
        obj._state.adding = False
        messages.warning(request, _("Copy this key now; it will not be shown again: %(key)s")
                         % {"key": issued.plaintext})
        if issued.signing_secret:
            messages.warning(request, _("Copy the signing secret now; it will not be shown "
                                        "again: %(secret)s") % {"secret": issued.signing_secret})

    @admin.action(description=_("Revoke the selected keys"))
    def revoke(self, request, queryset):
        revoked = 0
        for api_key in queryset.filter(revoked_at__isnull=True):
            api_key_revoke(actor=request.user, api_key=api_key)
            revoked += 1
        messages.success(request, _("%(count)d keys revoked.") % {"count": revoked})


admin.site.register(ApiKey, ApiKeyAdmin)
