"""Admin pages of users, their roles and the audit trail.

The admin is a user too: what it writes goes through the same services, checks and audit
records as the staff pages, and what has no service is shown read-only.
"""

import contextvars

from allauth.account.admin import EmailAddressAdmin
from allauth.account.decorators import secure_admin_login
from allauth.account.models import EmailAddress
from allauth.mfa.admin import AuthenticatorAdmin
from allauth.mfa.models import Authenticator
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm
from django.contrib.auth.models import Group
from django.http import HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _

from subsidy.platform.accounts import (
    ACCOUNT_FIELDS,
    user_create,
    user_grant_role,
    user_revoke_role,
    user_set_password,
    user_update_account,
)
from subsidy.platform.errors import DomainError
from subsidy.platform.models import AuditEvent, User, UserRole
from subsidy.platform.permissions import Action, can
from subsidy.platform.second_factor import step_up_require


class DomainErrorsAsMessages:
    """For admin pages whose ``save_model``/``save_formset``/``delete_model`` call services: a
    refusal (a rule, a missing role, a lost race) rolls the admin's transaction back and
    comes back to the same page as an error message instead of a server error."""

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except DomainError as exc:
            # The admin wraps the save in transaction.atomic: nothing it wrote is kept.
            self.message_user(request, exc.message, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def delete_view(self, request, object_id, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except DomainError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())


class StepUpForChanges:
    """Saving here changes who may do what (roles, passwords, API keys): the administrator
    confirms their password and second factor again first (``step_up_require``). Looking
    needs no confirmation; any POST, an action on the list included, does."""

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if request.method == "POST":
            step_up_require(request)
        return super().changeform_view(request, object_id, form_url, extra_context)

    def changelist_view(self, request, extra_context=None):
        if request.method == "POST":
            step_up_require(request)
        return super().changelist_view(request, extra_context)


class ReadOnlyAdmin:
    """For records whose writes a service owns (and audits): shown in the admin, never added,
    changed or deleted there. Mixed into a ``ModelAdmin``, ours or another library's."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(ReadOnlyAdmin, admin.TabularInline):
    """A read-only record's rows, shown on its page the same way."""

    extra = 0
    can_delete = False


class UserRoleInline(admin.TabularInline):
    """Roles are granted and revoked through ``user_grant_role``/``user_revoke_role``, which
    audit them; a grant is never edited in place (revoke it and grant another)."""

    model = UserRole
    extra = 0
    fields = ["role", "granted_at"]
    readonly_fields = ["granted_at"]

    def has_add_permission(self, request, obj=None):
        return can(request.user, Action.MANAGE_USERS)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return can(request.user, Action.MANAGE_USERS)


# Who is using the admin's password page: Django builds its form without the request.
_password_actor: contextvars.ContextVar = contextvars.ContextVar("admin_password_actor")


class AuditedPasswordChangeForm(AdminPasswordChangeForm):
    """The admin's "change password" page, saved through ``user_set_password`` (the
    administrator role required, the change audited) instead of straight onto the row."""

    def save(self, commit=True):
        usable = self.cleaned_data.get("set_usable_password", True)
        return user_set_password(actor=_password_actor.get(), user=self.user,
                                 password=self.cleaned_data["password1"] if usable else None)


@admin.register(User)
class UserAdmin(StepUpForChanges, DomainErrorsAsMessages, DjangoUserAdmin):
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
    readonly_fields = ["last_login", "date_joined"]
    change_password_form = AuditedPasswordChangeForm

    def user_change_password(self, request, id, form_url=""):
        if request.method == "POST":
            step_up_require(request)
        token = _password_actor.set(request.user)
        try:
            return super().user_change_password(request, id, form_url)
        except DomainError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())
        finally:
            _password_actor.reset(token)

    def has_delete_permission(self, request, obj=None):
        # Accounts are deactivated, never deleted: the audit trail points at them.
        return False

    def save_model(self, request, obj, form, change):
        if change:
            user_update_account(actor=request.user, user=obj, **{
                name: form.cleaned_data[name] for name in form.changed_data
                if name in ACCOUNT_FIELDS})
            return
        usable = form.cleaned_data.get("set_usable_password", True)
        created = user_create(actor=request.user, email=form.cleaned_data["email"],
                              full_name=form.cleaned_data.get("full_name", ""),
                              password=form.cleaned_data["password1"] if usable else None)
        # The admin goes on with ``obj`` (role rows, its log, the redirect).
        obj.pk, obj._state.adding = created.pk, False

    def save_formset(self, request, form, formset, change):
        if formset.model is not UserRole:
            return super().save_formset(request, form, formset, change)
        user = form.instance
        # The admin's change message reads these lists.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for inline_form in formset.deleted_forms:
            if inline_form.instance.pk:
                user_revoke_role(actor=request.user, user=user, role=inline_form.instance.role)
                formset.deleted_objects.append(inline_form.instance)
        for inline_form in formset.extra_forms:
            if inline_form.has_changed() and inline_form not in formset.deleted_forms:
                formset.new_objects.append(user_grant_role(
                    actor=request.user, user=user, role=inline_form.cleaned_data["role"]))


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    """The audit trail is read-only everywhere, the admin included."""

    list_display = ["at", "actor_label", "action", "object_type", "object_repr", "ip_address"]
    list_filter = ["action", "object_type"]
    search_fields = ["actor_label", "object_repr", "object_id", "action"]
    date_hierarchy = "at"


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


def _read_only(model, library_admin) -> None:
    """Re-register ``model`` with its library's admin made read-only."""
    if admin.site.is_registered(model):
        admin.site.unregister(model)
    admin.site.register(model, type(f"ReadOnly{library_admin.__name__}",
                                    (ReadOnlyAdmin, library_admin), {}))


# Roles are UserRole grants (above), never Django groups: the groups page would be a second,
# unaudited way to hand out permissions.
if admin.site.is_registered(Group):
    admin.site.unregister(Group)
# Sign-in email addresses and second factors change only through the account pages, as their
# owner, after reauthentication: an administrator changing or deleting them here would be an
# unaudited change of someone's credentials.
_read_only(EmailAddress, EmailAddressAdmin)
_read_only(Authenticator, AuthenticatorAdmin)


def _admin_signed_in(request):
    """The admin's login page, for someone already signed in with admin access: on to where
    they were going. The admin has no password form of its own."""
    target = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        target = reverse("admin:index")
    return redirect(target)


# The admin signs in through the site's own sign-in (allauth), which asks for the second
# factor; a signed-in user without admin access is refused (403), not shown a password form.
admin.site.login = secure_admin_login(_admin_signed_in)
