"""Read-only views of the assessment records for administrators: every change to them goes
through ``reviews.services``, which audits it, so the admin site only shows them."""

from django.contrib import admin

from reviews.models import (
    Assignment,
    ConflictDeclaration,
    CriterionScore,
    PanelDeclaration,
    Review,
    ReviewCorrectionRequest,
    ReviewerPoolMember,
    RoundAssessmentSettings,
)
from subsidy.platform.admin import ReadOnlyAdmin, ReadOnlyInline


class CriterionScoreInline(ReadOnlyInline):
    model = CriterionScore
    fields = ["criterion", "score", "comment"]
    readonly_fields = fields


@admin.register(ReviewerPoolMember)
class ReviewerPoolMemberAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ["reviewer", "round", "capacity", "active", "added_at"]
    list_filter = ["round", "active"]
    search_fields = ["reviewer__email", "reviewer__full_name"]


@admin.register(RoundAssessmentSettings)
class RoundAssessmentSettingsAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ["round", "normalise_scores", "disagreement_threshold",
                    "reviews_visible_after_close"]


@admin.register(Assignment)
class AssignmentAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ["application", "reviewer", "status", "due_at", "assigned_at"]
    list_filter = ["status", "application__round"]
    search_fields = ["application__reference", "reviewer__email"]
    list_select_related = ["application", "reviewer"]


@admin.register(ConflictDeclaration)
class ConflictDeclarationAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ["reviewer", "organisation", "has_conflict", "declared_at"]
    list_filter = ["has_conflict"]
    list_select_related = ["reviewer", "organisation"]


@admin.register(Review)
class ReviewAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ["assignment", "version", "weighted_total", "recommendation", "is_current",
                    "submitted_at"]
    list_filter = ["is_current", "recommendation"]
    list_select_related = ["assignment__application", "assignment__reviewer"]
    inlines = [CriterionScoreInline]


@admin.register(ReviewCorrectionRequest)
class ReviewCorrectionRequestAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ["assignment", "status", "requested_at", "decided_by", "decided_at"]
    list_filter = ["status"]
    list_select_related = ["assignment__application", "assignment__reviewer", "decided_by"]


@admin.register(PanelDeclaration)
class PanelDeclarationAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ["member", "application", "has_conflict", "declared_at"]
    list_filter = ["has_conflict"]
    list_select_related = ["member", "application"]
