"""Input and output shapes of the partner API for organisations and applications
(``applicants.api.views``). Input serializers check shapes only: the rules and their messages
are the services', the same as on the applicant's pages."""

from decimal import Decimal

from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from applicants.checks import SECTIONS, application_rule_breaches
from applicants.models import (
    Application,
    ApplicationStatus,
    BudgetLine,
    District,
    Document,
    InformationRequest,
    LinkRequest,
    Milestone,
    Organisation,
    StatusChange,
    TeamMember,
)
from applicants.selectors import open_information_request
from applicants.services.drafts import MAX_LINES, PLAUSIBLE_AMOUNT, PLAUSIBLE_QUANTITY
from applicants.services.partners import API_SECTION_FIELDS
from applicants.workflow import public_status, public_status_code
from subsidy.api.serializers import AmountField, KnownFieldsOnly, QueryFilters
from subsidy.scheme.models import AI_SECTORS, DocumentType, Sector

PUBLIC_STATUS_CODES = sorted({public_status_code(s) for s in ApplicationStatus.values})

# The application form's names for what the API writes under another name.
FORM_NAMES_IN_API = {"budget": "budget_lines", "team": "team_members",
                     "privacy_notice": "privacy_notice_accepted"}


def api_field_path(field: str | None) -> str:
    """A problem's form field as a dotted path into the API's body: ``budget-0-gpu_hours``
    is ``budget_lines.0.gpu_hours``, ``privacy_notice`` is ``privacy_notice_accepted``, a
    missing document ``documents.br_certificate``; ``None`` is the application as a whole
    (``non_field_errors``)."""
    if not field:
        return "non_field_errors"
    head, *rest = field.split("-")
    return ".".join([FORM_NAMES_IN_API.get(head, head), *rest])


def problems_by_path(problems) -> dict[str, list[str]]:
    """``(field, message)`` problems as messages by the API's field path."""
    errors: dict[str, list[str]] = {}
    for field, message in problems:
        errors.setdefault(api_field_path(field), []).append(str(message))
    return errors


class OrganisationSerializer(serializers.ModelSerializer):
    linked_at = serializers.DateTimeField(read_only=True, help_text=(
        "When the partner's link to this organisation began."))
    created_via = serializers.CharField(read_only=True, help_text=(
        "'api' when the partner registered it, 'consent' when its owner approved a link "
        "request."))

    class Meta:
        model = Organisation
        fields = ["id", "name_en", "name_zh", "br_number", "cr_number", "district",
                  "incorporation_date", "size", "sector", "is_cyberport_incubatee", "website",
                  "created_at", "updated_at", "linked_at", "created_via"]


class OrganisationInputSerializer(KnownFieldsOnly, serializers.Serializer):
    name_en = serializers.CharField(max_length=200)
    name_zh = serializers.CharField(max_length=200, required=False, allow_blank=True,
                                    default="")
    br_number = serializers.CharField(max_length=8, help_text="8 digits.")
    cr_number = serializers.CharField(max_length=8, required=False, allow_blank=True,
                                      default="", help_text=(
                                          "Companies Registry number (CR No.): 7 or 8 "
                                          "digits. Optional."))
    district = serializers.ChoiceField(choices=District.choices, required=False,
                                       allow_blank=True, default="", help_text=(
                                           "District of the business address in Hong Kong "
                                           "(District Council code). Optional."))
    incorporation_date = serializers.DateField()
    size = serializers.ChoiceField(choices=Organisation.Size.choices)
    sector = serializers.ChoiceField(choices=Sector.choices)
    is_cyberport_incubatee = serializers.BooleanField(default=False)
    website = serializers.URLField(required=False, allow_blank=True, default="")
    owner_email = serializers.EmailField(help_text=(
        "Asked by email to confirm the company, of which they become the owner; nothing is "
        "registered until they do."))


class LinkRequestInputSerializer(KnownFieldsOnly, serializers.Serializer):
    br_number = serializers.RegexField(r"^[0-9]{8}$", help_text=(
        "The 8-digit Business Registration number of a company already registered in the "
        "portal."), error_messages={"invalid": gettext_lazy(
            "Enter the 8-digit Business Registration number, e.g. 12345678.")})


class LinkRequestSerializer(serializers.Serializer):
    br_number = serializers.CharField()
    status = serializers.ChoiceField(choices=["requested"], help_text=(
        "The same answer whether or not such a company is registered; the request is "
        "listed at /organisations/link-requests/ as 'pending'. Once an owner approves (or, "
        "for a company you registered, the person you named confirms it), the organisation "
        "appears in the list and an 'organisation.linked' event is sent."))


class LinkRequestItemSerializer(serializers.ModelSerializer):
    status = serializers.SerializerMethodField(help_text=(
        "'pending' until an owner approves (or the person named as owner confirms a "
        "company you registered), whether or not a company has this number (a decline is "
        "not shown, as it would tell that the company exists); "
        "'linked' while the link is active; 'ended' after an owner ended it."))
    organisation = serializers.SerializerMethodField(help_text=(
        "The linked organisation's id while the status is 'linked', otherwise null."))

    class Meta:
        model = LinkRequest
        fields = ["br_number", "status", "organisation", "requested_at"]

    @extend_schema_field(serializers.ChoiceField(choices=["pending", "linked", "ended"]))
    def get_status(self, obj) -> str:
        link = obj.link
        if link is None or link.linked_at is None:
            return "pending"
        return "linked" if link.revoked_at is None else "ended"

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_organisation(self, obj) -> int | None:
        return obj.link.organisation_id if self.get_status(obj) == "linked" else None


class OrganisationFilterSerializer(QueryFilters, serializers.Serializer):
    updated_since = serializers.DateTimeField(required=False)
    br_number = serializers.RegexField(r"^[0-9]{8}$", required=False, help_text=(
        "Only the linked company with this Business Registration number."))


class BudgetLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = BudgetLine
        fields = ["category", "description", "quantity", "unit_cost", "gpu_hours",
                  "justification", "amount"]
        read_only_fields = ["amount"]
        extra_kwargs = {"gpu_hours": {"help_text": "For the compute category: priced at the "
                                                   "round's GPU-hour rate."}}


class MilestoneSerializer(serializers.ModelSerializer):
    class Meta:
        model = Milestone
        fields = ["deliverable", "due_date", "share_percent"]


class TeamMemberSerializer(serializers.ModelSerializer):
    class Meta:
        model = TeamMember
        fields = ["name", "role", "expertise"]


class DocumentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Document
        fields = ["id", "document_type", "original_name", "size", "sha256", "mime_type",
                  "uploaded_at", "scan_status"]
        extra_kwargs = {"scan_status": {"help_text": (
            "The virus check: `scanning` until the scanner answers (the file cannot be "
            "downloaded or submitted meanwhile), then `clean`, or `infected` (the file was "
            "deleted); `not_scanned` where no scanner is configured.")}}


class ApplicationSummarySerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True, help_text=(
        "Stable from creation; a reference is given only at submission. Either names the "
        "application in URLs."))
    organisation = serializers.IntegerField(source="organisation_id", read_only=True)
    round = serializers.SlugRelatedField(slug_field="code", read_only=True)
    status = serializers.SerializerMethodField()
    status_label = serializers.SerializerMethodField()

    class Meta:
        model = Application
        fields = ["id", "reference", "organisation", "round", "status", "status_label",
                  "title", "requested_subsidy", "version", "created_at", "updated_at",
                  "submitted_at", "status_changed_at"]

    @extend_schema_field(serializers.ChoiceField(choices=PUBLIC_STATUS_CODES))
    def get_status(self, obj) -> str:
        return public_status_code(obj.status)

    def get_status_label(self, obj) -> str:
        return public_status(obj.status)


class InformationRequestSerializer(serializers.ModelSerializer):
    sections = serializers.ListField(
        child=serializers.ChoiceField(choices=list(SECTIONS)), help_text=(
            "The sections re-opened for the answer; only they can be changed."))
    patch_fields = serializers.SerializerMethodField(help_text=(
        "The PATCH fields of the re-opened sections (documents are uploaded, not "
        "patched)."))
    asked_at = serializers.DateTimeField(source="created_at")

    class Meta:
        model = InformationRequest
        fields = ["question", "sections", "patch_fields", "due_at", "asked_at"]

    def get_patch_fields(self, obj) -> list[str]:
        return [name for section in obj.sections
                for name in API_SECTION_FIELDS.get(section, [])]


class ApplicationSerializer(ApplicationSummarySerializer):
    budget_lines = BudgetLineSerializer(many=True, read_only=True)
    milestones = MilestoneSerializer(many=True, read_only=True)
    team_members = TeamMemberSerializer(many=True, read_only=True)
    documents = DocumentSerializer(many=True, read_only=True)
    privacy_notice_accepted = serializers.SerializerMethodField()
    information_request = serializers.SerializerMethodField(help_text=(
        "The programme office's open request for information while the status is "
        "info_requested, otherwise null."))
    warnings = serializers.SerializerMethodField(help_text=(
        "While the application can be changed: values already entered that break a rule "
        "of the scheme (a subsidy over the round's cap, milestone shares over 100%, ...), "
        "by field path, as a submission would refuse them. They are saved; what is still "
        "missing is not listed here (GET …/problems/ lists everything)."))

    class Meta(ApplicationSummarySerializer.Meta):
        fields = [*ApplicationSummarySerializer.Meta.fields, "summary", "category",
                  "start_date", "end_date", "total_eligible_cost", "rai_safety", "rai_human",
                  "rai_transparency", "declares_accurate", "declares_no_double_funding",
                  "declares_compliance", "privacy_notice_accepted", "budget_lines",
                  "milestones", "team_members", "documents", "information_request",
                  "warnings"]

    def get_privacy_notice_accepted(self, obj) -> bool:
        return obj.privacy_notice_accepted_at is not None

    @extend_schema_field(serializers.DictField(
        child=serializers.ListField(child=serializers.CharField())))
    def get_warnings(self, obj) -> dict:
        if obj.status not in (ApplicationStatus.DRAFT, ApplicationStatus.INFO_REQUESTED):
            return {}
        return problems_by_path(application_rule_breaches(obj))

    @extend_schema_field(InformationRequestSerializer(allow_null=True))
    def get_information_request(self, obj) -> dict | None:
        if obj.status != ApplicationStatus.INFO_REQUESTED:
            return None
        request = open_information_request(application=obj)
        return InformationRequestSerializer(request).data if request else None


class ApplicationCreateSerializer(KnownFieldsOnly, serializers.Serializer):
    organisation = serializers.IntegerField(help_text="The id of a linked organisation.")
    round = serializers.CharField(max_length=20, help_text="The code of an open round.")


class BudgetLineInputSerializer(KnownFieldsOnly, serializers.Serializer):
    category = serializers.ChoiceField(choices=BudgetLine.Category.choices)
    description = serializers.CharField(max_length=200)
    quantity = AmountField(maximum=PLAUSIBLE_QUANTITY, required=False, allow_null=True)
    unit_cost = AmountField(maximum=PLAUSIBLE_AMOUNT, required=False, allow_null=True)
    gpu_hours = AmountField(maximum=PLAUSIBLE_QUANTITY, required=False, allow_null=True)
    justification = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class MilestoneInputSerializer(KnownFieldsOnly, serializers.Serializer):
    deliverable = serializers.CharField(max_length=300)
    due_date = serializers.DateField()
    share_percent = AmountField(maximum=Decimal("100"), help_text="Percent of the grant.")


class TeamMemberInputSerializer(KnownFieldsOnly, serializers.Serializer):
    name = serializers.CharField(max_length=150)
    role = serializers.CharField(max_length=150)
    expertise = serializers.CharField(required=False, allow_blank=True, max_length=1000)


class ApplicationUpdateSerializer(KnownFieldsOnly, serializers.Serializer):
    """Documents the body of PATCH; values are checked by the same rules as the
    applicant's form; an error names the field by its path in the body
    (``budget_lines.2.quantity`` is the third budget line's quantity)."""

    version = serializers.IntegerField(help_text=(
        "The version you last read; a change made by someone else since is refused with "
        "422 (code 'stale')."))
    title = serializers.CharField(required=False, allow_blank=True, max_length=200)
    summary = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    category = serializers.ChoiceField(
        choices=[(sector.value, sector.label) for sector in AI_SECTORS], required=False,
        allow_blank=True, help_text="An AI category; the round's eligible_categories say "
                                    "which it funds.")
    start_date = serializers.DateField(required=False, allow_null=True)
    end_date = serializers.DateField(required=False, allow_null=True)
    total_eligible_cost = AmountField(maximum=PLAUSIBLE_AMOUNT, required=False,
                                      allow_null=True)
    requested_subsidy = AmountField(maximum=PLAUSIBLE_AMOUNT, required=False,
                                    allow_null=True)
    rai_safety = serializers.CharField(required=False, allow_blank=True, max_length=4000)
    rai_human = serializers.CharField(required=False, allow_blank=True, max_length=4000)
    rai_transparency = serializers.CharField(required=False, allow_blank=True,
                                             max_length=4000)
    declares_accurate = serializers.BooleanField(required=False)
    declares_no_double_funding = serializers.BooleanField(required=False)
    declares_compliance = serializers.BooleanField(required=False)
    privacy_notice_accepted = serializers.BooleanField(required=False)
    budget_lines = BudgetLineInputSerializer(many=True, required=False, max_length=MAX_LINES)
    milestones = MilestoneInputSerializer(many=True, required=False, max_length=MAX_LINES)
    team_members = TeamMemberInputSerializer(many=True, required=False,
                                             max_length=MAX_LINES)


class DocumentUploadSerializer(KnownFieldsOnly, serializers.Serializer):
    document_type = serializers.ChoiceField(choices=DocumentType.choices)
    file = serializers.FileField(help_text="PDF, DOCX, XLSX, PPTX, PNG or JPEG, recognised "
                                           "by their whole content; no macros.")


class DocumentReplaceSerializer(KnownFieldsOnly, serializers.Serializer):
    file = serializers.FileField(help_text="PDF, DOCX, XLSX, PNG or JPEG, recognised by "
                                           "content; it takes the old file's type.")


class ProblemsReportSerializer(serializers.Serializer):
    ready = serializers.BooleanField(help_text="True when a submission would pass now.")
    problems = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()), help_text=(
            "Messages by field path, as a refused submission would give them."))


class WithdrawInputSerializer(KnownFieldsOnly, serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=4000)


class ApplicationFilterSerializer(QueryFilters, serializers.Serializer):
    status = serializers.ChoiceField(choices=PUBLIC_STATUS_CODES, required=False)
    round = serializers.CharField(required=False, max_length=20)
    organisation = serializers.IntegerField(required=False)
    updated_since = serializers.DateTimeField(required=False)


class StatusChangeSerializer(serializers.ModelSerializer):
    from_status = serializers.SerializerMethodField()
    to_status = serializers.SerializerMethodField()
    status_label = serializers.SerializerMethodField()

    class Meta:
        model = StatusChange
        fields = ["id", "at", "transition", "from_status", "to_status", "status_label",
                  "note"]

    @extend_schema_field(serializers.ChoiceField(choices=PUBLIC_STATUS_CODES))
    def get_from_status(self, obj) -> str:
        return public_status_code(obj.from_status)

    @extend_schema_field(serializers.ChoiceField(choices=PUBLIC_STATUS_CODES))
    def get_to_status(self, obj) -> str:
        return public_status_code(obj.to_status)

    def get_status_label(self, obj) -> str:
        return public_status(obj.to_status)


class EventApplicationSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="application.public_id")
    reference = serializers.CharField(source="application.reference", allow_null=True)
    organisation = serializers.IntegerField(source="application.organisation_id")


class EventSerializer(StatusChangeSerializer):
    type = serializers.SerializerMethodField()
    application = EventApplicationSerializer(source="*")

    class Meta(StatusChangeSerializer.Meta):
        fields = ["id", "type", "at", "application", "transition", "from_status",
                  "to_status", "status_label", "note"]

    @extend_schema_field(serializers.ChoiceField(choices=["application.status_changed"]))
    def get_type(self, obj) -> str:
        return "application.status_changed"


class EventFilterSerializer(QueryFilters, serializers.Serializer):
    after = serializers.IntegerField(required=False, min_value=0, help_text=(
        "The id of the last event you processed: only later events are listed."))

