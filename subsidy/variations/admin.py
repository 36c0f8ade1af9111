"""Variations in the admin, read-only: they are asked, decided and their round rules set
through the pages and services, which check and audit every step."""

from django.contrib import admin

from subsidy.platform.admin import ReadOnlyAdmin, ReadOnlyInline
from subsidy.variations.models import (
    RoundVariationRules,
    Variation,
    VariationBudgetMove,
    VariationMilestoneChange,
)


class MilestoneChangeInline(ReadOnlyInline):
    model = VariationMilestoneChange
    fields = ["milestone", "old_due_date", "new_due_date", "old_deliverable", "new_deliverable"]
    readonly_fields = fields


class BudgetMoveInline(ReadOnlyInline):
    model = VariationBudgetMove
    fields = ["from_line", "to_line", "amount"]
    readonly_fields = fields


@admin.register(Variation)
class VariationAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ["grant", "number", "status", "decider", "requested_at", "decided_at"]
    list_filter = ["status", "decider"]
    search_fields = ["grant__application__reference"]
    list_select_related = ["grant__application"]
    inlines = [MilestoneChangeInline, BudgetMoveInline]


@admin.register(RoundVariationRules)
class RoundVariationRulesAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ["round", "budget_tolerance_percent", "panel_threshold"]
