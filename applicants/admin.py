"""Read-only views of companies and their applications for administrators.

Companies, their members and invitations change on the company pages, through
``applicants.services.organisations`` (which checks who may do it and audits it);
applications change through the applicant pages and the workflow. The admin only shows them.
"""

from django.contrib import admin
from django.db import models

from applicants.models import (
    Application,
    ApplicationVersion,
    BudgetLine,
    Document,
    Invitation,
    Membership,
    Milestone,
    Organisation,
    OrganisationRegistration,
    StatusChange,
    TeamMember,
)
from subsidy.platform.admin import ReadOnlyAdmin, ReadOnlyInline


class MembershipInline(ReadOnlyInline):
    model = Membership
    fields = ["user", "role"]


@admin.register(Organisation)
class OrganisationAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ["name_en", "name_zh", "br_number", "sector", "is_cyberport_incubatee"]
    list_filter = ["sector", "size", "district", "is_cyberport_incubatee"]
    search_fields = ["name_en", "name_zh", "br_number", "cr_number"]
    inlines = [MembershipInline]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(Invitation)
class InvitationAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ["email", "organisation", "role", "created_at", "expires_at", "accepted_at"]
    search_fields = ["email", "organisation__name_en"]
    exclude = ["token_hash"]


@admin.register(OrganisationRegistration)
class OrganisationRegistrationAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    """Companies partners registered, waiting for (or answered by) the owner they named;
    answered only through the link in that person's email."""

    list_display = ["request", "owner_email", "created_at", "expires_at", "confirmed_at",
                    "declined_at"]
    list_select_related = ["request"]
    search_fields = ["owner_email", "request__br_number", "request__partner__name"]
    exclude = ["token_hash"]


class BudgetLineInline(ReadOnlyInline):
    model = BudgetLine
    fields = ["category", "description", "quantity", "unit_cost", "amount"]


class MilestoneInline(ReadOnlyInline):
    model = Milestone
    fields = ["deliverable", "due_date", "share_percent"]


class TeamMemberInline(ReadOnlyInline):
    model = TeamMember
    fields = ["name", "role"]


class DocumentInline(ReadOnlyInline):
    model = Document
    fields = ["document_type", "original_name", "size", "mime_type", "uploaded_at", "scan_status"]


class StatusChangeInline(ReadOnlyInline):
    model = StatusChange
    fields = ["at", "transition", "from_status", "to_status", "actor", "note"]


class VersionInline(ReadOnlyInline):
    model = ApplicationVersion
    fields = ["number", "created_at", "created_by"]


@admin.register(Application)
class ApplicationAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    """Read-only here: content changes go through the applicant pages and status changes
    through the workflow, both audited."""

    list_display = ["__str__", "organisation", "round", "status", "requested_subsidy",
                    "submitted_at"]
    list_filter = ["status", "round"]
    search_fields = ["reference", "title", "organisation__name_en", "organisation__br_number"]
    list_select_related = ["organisation", "round"]
    inlines = [BudgetLineInline, MilestoneInline, TeamMemberInline, DocumentInline,
               StatusChangeInline, VersionInline]
