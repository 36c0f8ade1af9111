"""Admin pages of partner organisations and their people."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from subsidy.api.services.keys import partner_organisation_save
from subsidy.partners.services.members import (
    partner_member_add,
    partner_member_check,
    partner_member_remove,
)
from subsidy.platform.admin import AdministratorsOnly, DomainErrorsAsMessages
from subsidy.platform.errors import DomainError
from subsidy.platform.models import PartnerMember, PartnerOrganisation
from subsidy.platform.permissions import Action, can


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
    ``subsidy.partners.services.members`` (audited), never edited in place."""

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


class PartnerOrganisationAdmin(DomainErrorsAsMessages, AdministratorsOnly, admin.ModelAdmin):
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


admin.site.register(PartnerOrganisation, PartnerOrganisationAdmin)
