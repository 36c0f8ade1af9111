"""Admin pages of schemes and funding rounds.

A scheme's budget changes through ``scheme_set_budget`` (it cannot drop below the envelopes
already allocated, and the change is audited). Rounds are created, edited, opened and closed
on the staff round pages, through ``subsidy.scheme.services.rounds``; here they are read-only.
"""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from subsidy.platform.admin import DomainErrorsAsMessages, ReadOnlyAdmin
from subsidy.scheme.models import FundingRound, Scheme
from subsidy.scheme.services.rounds import scheme_set_budget


@admin.register(Scheme)
class SchemeAdmin(DomainErrorsAsMessages, admin.ModelAdmin):
    list_display = ["code", "name_en", "budget"]
    fields = ["code", "name_en", "name_zh", "budget", "created_at"]
    readonly_fields = ["code", "name_en", "name_zh", "created_at"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if "budget" in form.changed_data:
            scheme_set_budget(actor=request.user, scheme=obj, budget=form.cleaned_data["budget"])


@admin.register(FundingRound)
class FundingRoundAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ["code", "title_en", "scheme", "status", "opens_at", "closes_at", "envelope",
                    "staff_page"]
    list_filter = ["scheme", "status"]
    search_fields = ["code", "title_en", "title_zh"]
    readonly_fields = ["staff_page"]

    @admin.display(description=_("Staff page"))
    def staff_page(self, obj):
        return format_html('<a href="{}">{}</a>', reverse("rounds:edit", args=[obj.code]),
                           _("Edit on the staff round page"))
