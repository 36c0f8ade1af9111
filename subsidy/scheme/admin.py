"""Admin pages of schemes and funding rounds."""

from django.contrib import admin

from subsidy.scheme.models import FundingRound, Scheme


@admin.register(Scheme)
class SchemeAdmin(admin.ModelAdmin):
    list_display = ["code", "name_en", "budget"]


@admin.register(FundingRound)
class FundingRoundAdmin(admin.ModelAdmin):
    list_display = ["code", "title_en", "scheme", "status", "opens_at", "closes_at", "envelope"]
    list_filter = ["scheme", "status"]
    search_fields = ["code", "title_en", "title_zh"]
