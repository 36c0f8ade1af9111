"""Read-only views of the assessment records for administrators: every change to them goes
through ``reviews.services``, which audits it, so the admin site only shows them."""

from django.contrib import admin

from reviews.models import (
    Assignment,
    ConflictDeclaration,
    CriterionScore,
    Review,
    ReviewerPoolMember,
    RoundAssessmentSettings,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class CriterionScoreInline(admin.TabularInline):
    model = CriterionScore
    extra = 0
    can_delete = False
    fields = ["criterion", "score", "comment"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ReviewerPoolMember)
class ReviewerPoolMemberAdmin(ReadOnlyAdmin):
    list_display = ["reviewer", "round", "capacity", "active", "added_at"]
    list_filter = ["round", "active"]
    search_fields = ["reviewer__email", "reviewer__full_name"]


@admin.register(RoundAssessmentSettings)
class RoundAssessmentSettingsAdmin(ReadOnlyAdmin):
    list_display = ["round", "normalise_scores", "disagreement_threshold"]


@admin.register(Assignment)
class AssignmentAdmin(ReadOnlyAdmin):
    list_display = ["application", "reviewer", "status", "due_at", "assigned_at"]
    list_filter = ["status", "application__round"]
    search_fields = ["application__reference", "reviewer__email"]
    list_select_related = ["application", "reviewer"]


@admin.register(ConflictDeclaration)
class ConflictDeclarationAdmin(ReadOnlyAdmin):
    list_display = ["reviewer", "organisation", "has_conflict", "declared_at"]
    list_filter = ["has_conflict"]
    list_select_related = ["reviewer", "organisation"]


@admin.register(Review)
class ReviewAdmin(ReadOnlyAdmin):
    list_display = ["assignment", "version", "weighted_total", "recommendation", "is_current",
                    "submitted_at"]
    list_filter = ["is_current", "recommendation"]
    list_select_related = ["assignment__application", "assignment__reviewer"]
    inlines = [CriterionScoreInline]
