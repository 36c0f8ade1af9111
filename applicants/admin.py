from django.contrib import admin

from applicants.models import Membership, Organisation


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name_en", "name_zh", "br_number", "sector", "is_cyberport_incubatee"]
    list_filter = ["sector", "size", "is_cyberport_incubatee"]
    search_fields = ["name_en", "name_zh", "br_number"]
    inlines = [MembershipInline]
