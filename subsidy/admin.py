from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db import models
from django.utils.translation import gettext_lazy as _

from subsidy.errors import DomainError
from subsidy.models import (
    API_SCOPES,
    ApiKey,
    AuditEvent,
    FundingRound,
    Notification,
    PartnerMember,
    PartnerOrganisation,
    Scheme,
    User,
    UserRole,
    WebhookDelivery,
    WebhookEndpoint,
)
from subsidy.permissions import Action, can
from subsidy.roles import STAFF_ROLES
from subsidy.services.api_keys import (
    api_key_create,
    api_key_revoke,
    partner_organisation_save,
)
from subsidy.services.partner_members import (
    partner_member_add,
    partner_member_check,
    partner_member_remove,
)


class UserRoleInline(admin.TabularInline):
    model = UserRole
    extra = 0


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "language", "is_active", "is_staff"]
    search_fields = ["email", "full_name"]
    list_filter = ["is_active", "is_staff", "role_grants__role", "language"]
    inlines = [UserRoleInline]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Profile"), {"fields": ("full_name", "language")}),
        (_("Access"), {"fields": ("is_active", "is_staff", "is_superuser")}),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",),
                             "fields": ("email", "full_name", "password1", "password2")}),)


@admin.register(Scheme)
class SchemeAdmin(admin.ModelAdmin):
    list_display = ["code", "name_en", "budget"]


@admin.register(FundingRound)
class FundingRoundAdmin(admin.ModelAdmin):
    list_display = ["code", "title_en", "scheme", "status", "opens_at", "closes_at", "envelope"]
    list_filter = ["scheme", "status"]
    search_fields = ["code", "title_en", "title_zh"]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """The audit trail is read-only everywhere, the admin included."""

    list_display = ["at", "actor_label", "action", "object_type", "object_repr", "ip_address"]
    list_filter = ["action", "object_type"]
    search_fields = ["actor_label", "object_repr", "object_id", "action"]
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["created_at", "event", "to_email", "language", "status", "attempts"]
    list_filter = ["status", "event", "language"]
    search_fields = ["to_email", "event"]
    readonly_fields = [f.name for f in Notification._meta.fields]

    def has_add_permission(self, request):
        return False


# --- Partner API ---------------------------------------------------------------------------

class AdministratorsOnly:
    """Partner organisations and API keys are managed by administrators only; nothing here
    is ever deleted (keys are revoked, partners deactivated)."""

    def has_module_permission(self, request):
        return can(request.user, Action.MANAGE_API_KEYS)

    def has_view_permission(self, request, obj=None):
        return can(request.user, Action.MANAGE_API_KEYS)

    def has_add_permission(self, request):
        return can(request.user, Action.MANAGE_API_KEYS)

    def has_change_permission(self, request, obj=None):
        return can(request.user, Action.MANAGE_API_KEYS)

    def has_delete_permission(self, request, obj=None):
        return False


class PartnerMemberForm(forms.ModelForm):
    class Meta:
        model = PartnerMember
        fields = ["user"]

    def clean(self):
        cleaned = super().clean()
        partner = self.instance.partner if self.instance.partner_id else None
        if cleaned.get("user") and not cleaned.get("DELETE"):
            try:
                partner_member_check(user=cleaned["user"], partner=partner)
            except DomainError as exc:
                self.add_error("user", exc.message)
        return cleaned


class PartnerMemberInline(AdministratorsOnly, admin.TabularInline):
    """The people who use the partner's pages on the site; added and removed through
    ``subsidy.services.partner_members`` (audited), never edited in place."""

    model = PartnerMember
    form = PartnerMemberForm
    extra = 0
    autocomplete_fields = ["user"]
    verbose_name = _("person using the partner portal")
    verbose_name_plural = _("people using the partner portal")

    def has_add_permission(self, request, obj=None):
        return can(request.user, Action.MANAGE_API_KEYS)

    def has_change_permission(self, request, obj=None):
        return can(request.user, Action.MANAGE_API_KEYS)

    def has_delete_permission(self, request, obj=None):
        return can(request.user, Action.MANAGE_API_KEYS)


class PartnerOrganisationAdmin(AdministratorsOnly, admin.ModelAdmin):
    list_display = ["name", "contact_email", "active", "created_at"]
    list_filter = ["active"]
    search_fields = ["name", "contact_email"]
    inlines = [PartnerMemberInline]

    def save_model(self, request, obj, form, change):
        partner_organisation_save(actor=request.user, partner=obj)

    def save_formset(self, request, form, formset, change):
        if formset.model is not PartnerMember:
            return super().save_formset(request, form, formset, change)
        # The admin's change message reads these lists.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for inline_form in formset.forms:
            deleting = inline_form.cleaned_data.get("DELETE", False)
            if not inline_form.has_changed() and not deleting:
                continue
            if inline_form.instance.pk:
                existing = PartnerMember.objects.select_related("partner", "user").get(
                    pk=inline_form.instance.pk)
                partner_member_remove(actor=request.user, member=existing)
                formset.deleted_objects.append(existing)
            user = inline_form.cleaned_data.get("user")
            if user is not None and not deleting:
                formset.new_objects.append(
                    partner_member_add(actor=request.user, partner=form.instance, user=user))


class ApiKeyAddForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(label=_("Scopes"), choices=API_SCOPES,
                                       widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = ApiKey
        fields = ["name", "partner", "user", "scopes", "expires_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Keys for people go to staff only: the list offers no one else.
        self.fields["user"].queryset = (
            User.objects.filter(role_grants__role__in=STAFF_ROLES).distinct()
            .order_by("full_name", "email"))

    def clean(self):
        cleaned = super().clean()
        if bool(cleaned.get("partner")) == bool(cleaned.get("user")):
            raise forms.ValidationError(
                _("Choose either a partner organisation or a staff user, not both."))
        if cleaned.get("user") and not cleaned["user"].is_staff_role:
            self.add_error("user", _("Keys for people are only issued to staff users."))
        if cleaned.get("partner") and not cleaned["partner"].active:
            self.add_error("partner", _("This partner organisation is inactive."))
        return cleaned


class ApiKeyAdmin(AdministratorsOnly, admin.ModelAdmin):
    """Keys are issued through ``api_key_create`` (the plaintext is shown once, in a
    message) and retired with the revoke action; they are never edited or deleted."""

    list_display = ["name", "prefix", "partner", "user", "created_at", "expires_at",
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
        return ["name", "partner", "user", "prefix", "scopes", "created_by", "created_at",
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
                                expires_at=form.cleaned_data["expires_at"])
        obj.pk, obj.prefix = issued.api_key.pk, issued.api_key.prefix
        obj._state.adding = False
        messages.warning(request, _("Copy this key now; it will not be shown again: %(key)s")
                         % {"key": issued.plaintext})

    @admin.action(description=_("Revoke the selected keys"))
    def revoke(self, request, queryset):
        revoked = 0
        for api_key in queryset.filter(revoked_at__isnull=True):
            api_key_revoke(actor=request.user, api_key=api_key)
            revoked += 1
        messages.success(request, _("%(count)d keys revoked.") % {"count": revoked})


class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = ["created_at", "endpoint", "event_type", "status", "attempts",
                    "last_response_code"]
    list_filter = ["status", "event_type"]
    readonly_fields = [f.name for f in WebhookDelivery._meta.fields]

    def has_add_permission(self, request):
        return False


class WebhookEndpointAdmin(admin.ModelAdmin):
    list_display = ["partner", "url", "active", "created_at"]
    list_filter = ["active", "partner"]
    exclude = ["secret"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


admin.site.register(PartnerOrganisation, PartnerOrganisationAdmin)
admin.site.register(ApiKey, ApiKeyAdmin)
admin.site.register(WebhookEndpoint, WebhookEndpointAdmin)
admin.site.register(WebhookDelivery, WebhookDeliveryAdmin)
