"""Admin pages of users, their roles and the audit trail."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from subsidy.platform.models import AuditEvent, User, UserRole
from subsidy.platform.permissions import Action, can


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
