"""Partner API v1: organisations, applications and the events feed.

A partner organisation's key acts only for the organisations it is linked to
(``applicants.services.partners``); everything else answers 404, whatever the identifier.
Views parse input, call one selector or service, and render the output; the rules and their
messages are the services', the same as on the applicant's pages.
"""

import re

from django.http import FileResponse, Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, generics, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from applicants import selectors
from applicants.api.serializers import (
    ApplicationCreateSerializer,
    ApplicationFilterSerializer,
    ApplicationSerializer,
    ApplicationSummarySerializer,
    ApplicationUpdateSerializer,
    DocumentReplaceSerializer,
    DocumentSerializer,
    DocumentUploadSerializer,
    EventFilterSerializer,
    EventSerializer,
    LinkRequestInputSerializer,
    LinkRequestItemSerializer,
    LinkRequestSerializer,
    OrganisationFilterSerializer,
    OrganisationInputSerializer,
    OrganisationSerializer,
    ProblemsReportSerializer,
    StatusChangeSerializer,
    WithdrawInputSerializer,
    problems_by_path,
)
from applicants.checks import application_submission_problems
from applicants.errors import ProblemsError
from applicants.models import Application, Document, Organisation
from applicants.services import partners, registrations
from applicants.services.documents import (
    ALLOWED_TYPES,
    document_delete,
    document_open,
    document_replace,
    document_upload,
)
from applicants.services.drafts import application_create_draft
from applicants.services.filetypes import download_name
from applicants.services.submission import (
    application_resubmit,
    application_submit,
    application_withdraw,
)
from applicants.workflow import ASSESSMENT_STATUSES, UNDER_ASSESSMENT
from subsidy.api.auth import PartnerClient
from subsidy.api.idempotency import IDEMPOTENCY_KEY_PARAMETER, IdempotentWritesMixin
from subsidy.api.query import DeclaredQueryParameters
from subsidy.scheme.models import FundingRound, Grant

APPLICATIONS_READ = ["applications:read"]
APPLICATIONS_WRITE = ["applications:write"]
READ_OR_WRITE = {"GET": APPLICATIONS_READ, "*": APPLICATIONS_WRITE}

REFERENCE_PARAMETER = OpenApiParameter(
    name="reference", type=str, location=OpenApiParameter.PATH,
    description=("The application's reference (given at submission, e.g. "
                 "AISS-2026R1-00001) or its id (a UUID, which a draft has from creation)."))


def problems_as_validation_error(exc: ProblemsError) -> exceptions.ValidationError:
    """Every problem the service found, by field, as one 400."""
    return exceptions.ValidationError(problems_by_path(exc.problems), code=exc.code)


class PartnerView(DeclaredQueryParameters):
    """Answers only a partner organisation's key; a staff key has no organisations."""

    def partner(self):
        client = self.request.user
        if not isinstance(client, PartnerClient):
            raise exceptions.PermissionDenied(
                _("Organisations and applications are handled with a partner "
                  "organisation's key."), code="partner_key_required")
        return client.partner

    def handle_exception(self, exc):
        if isinstance(exc, ProblemsError):
            exc = problems_as_validation_error(exc)
        return super().handle_exception(exc)

    def application(self, *, parts: bool = True) -> Application:
        """The application the path names; ``parts=False`` for a write whose service reads
        the parts itself (the answer is rendered from a fresh read)."""
        try:
            return selectors.application_for_partner(partner=self.partner(),
                                                     identifier=self.kwargs["reference"],
                                                     parts=parts)
        except Application.DoesNotExist:
            raise Http404 from None

    def application_grant(self) -> Grant:
        """The grant of the application the path names: 404 while it has none."""
        grant = Grant.objects.filter(application=self.application(parts=False)).first()
        if grant is None:
            raise Http404
        return grant


# --- Organisations -------------------------------------------------------------------------

@extend_schema(tags=["organisations"])
class OrganisationList(IdempotentWritesMixin, PartnerView, generics.ListAPIView):
    """The organisations linked to the partner; POST registers a company. The company
    exists, linked to you, only once the person you name as owner confirms it by the link
    emailed to them; until then it is your pending link request for its BR number. When a
    company with that number is already registered, its owners are asked to link it
    instead, as by a link request: the answer, your list of link requests, this list, the
    events and the webhooks are the same in both cases until a person at the company acts."""

    required_scopes = READ_OR_WRITE
    serializer_class = OrganisationSerializer
    query_filters = OrganisationFilterSerializer
    cursor_ordering = ("-created_at", "-id")

    def get_queryset(self):
        organisations = selectors.organisations_for_partner(partner=self.partner())
        if "updated_since" in self.query:
            organisations = organisations.filter(updated_at__gte=self.query["updated_since"])
        if "br_number" in self.query:
            organisations = organisations.filter(br_number=self.query["br_number"])
        return organisations

    @extend_schema(request=OrganisationInputSerializer,
                   responses={202: LinkRequestSerializer},
                   parameters=[IDEMPOTENCY_KEY_PARAMETER])
    def post(self, request):
        data = OrganisationInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        self.partner()
        registrations.partner_organisation_create(client=request.user, **data.validated_data)
        return Response({"br_number": data.validated_data["br_number"],
                         "status": "requested"}, status=status.HTTP_202_ACCEPTED)


@extend_schema(tags=["organisations"])
class OrganisationDetail(PartnerView, generics.RetrieveAPIView):
    required_scopes = APPLICATIONS_READ
    serializer_class = OrganisationSerializer

    def get_queryset(self):
        return selectors.organisations_for_partner(partner=self.partner())


@extend_schema(tags=["organisations"])
class OrganisationLinkRequest(IdempotentWritesMixin, PartnerView, generics.ListAPIView):
    """Your open requests to link a company, newest first; POST asks an already registered
    company's owners to link it to you. They approve or decline on their company's page.
    Neither the answer to POST nor this list says whether a company has the number: every
    request is listed, "pending" until an owner approves."""

    required_scopes = READ_OR_WRITE
    serializer_class = LinkRequestItemSerializer
    cursor_ordering = ("-requested_at", "-id")

    def get_queryset(self):
        return selectors.link_requests_for_partner(partner=self.partner())

    @extend_schema(request=LinkRequestInputSerializer,
                   responses={202: LinkRequestSerializer},
                   parameters=[IDEMPOTENCY_KEY_PARAMETER])
    def post(self, request):
        data = LinkRequestInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        self.partner()
        partners.partner_link_request(client=request.user, **data.validated_data)
        return Response({"br_number": data.validated_data["br_number"],
                         "status": "requested"}, status=status.HTTP_202_ACCEPTED)


@extend_schema(tags=["organisations"])
class OrganisationLinkRequestCancel(IdempotentWritesMixin, PartnerView, generics.GenericAPIView):
    """Withdraw your pending request to link the company with this BR number. The answer
    is always 204, whether or not there was such a request or company; an active link is
    not touched (only the company's owners end it)."""

    required_scopes = APPLICATIONS_WRITE
    serializer_class = LinkRequestSerializer

    @extend_schema(request=None, responses={204: None},
                   parameters=[IDEMPOTENCY_KEY_PARAMETER, OpenApiParameter(
                       name="br_number", type={"type": "string", "pattern": "^[0-9]{8}$"},
                       location=OpenApiParameter.PATH)])
    def delete(self, request, br_number):
        self.partner()
        if not re.fullmatch(r"[0-9]{8}", br_number):
            raise Http404  # names no company, as the schema's pattern says
        partners.partner_link_request_cancel(client=request.user, br_number=br_number)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Applications --------------------------------------------------------------------------

@extend_schema(tags=["applications"])
class ApplicationList(IdempotentWritesMixin, PartnerView, generics.ListAPIView):
    """The applications of the partner's organisations, newest first; POST starts a draft
    for a linked organisation in an open round."""

    required_scopes = READ_OR_WRITE
    serializer_class = ApplicationSummarySerializer
    query_filters = ApplicationFilterSerializer
    cursor_ordering = ("-created_at", "-id")

    def get_queryset(self):
        wanted = self.query
        applications = selectors.applications_for_partner(partner=self.partner())
        if "status" in wanted:
            applications = (applications.filter(status__in=ASSESSMENT_STATUSES)
                            if wanted["status"] == UNDER_ASSESSMENT
                            else applications.filter(status=wanted["status"]))
        if "round" in wanted:
            applications = applications.filter(round__code=wanted["round"])
        if "organisation" in wanted:
            applications = applications.filter(organisation_id=wanted["organisation"])
        if "updated_since" in wanted:
            applications = applications.filter(updated_at__gte=wanted["updated_since"])
        return applications

    @extend_schema(request=ApplicationCreateSerializer,
                   responses={201: ApplicationSerializer},
                   parameters=[IDEMPOTENCY_KEY_PARAMETER])
    def post(self, request):
        data = ApplicationCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        partner = self.partner()
        try:
            organisation = selectors.organisations_for_partner(partner=partner).get(
                pk=data.validated_data["organisation"])
        except Organisation.DoesNotExist:
            raise exceptions.ValidationError(
                {"organisation": [_("No linked organisation has this id.")]}) from None
        round_ = FundingRound.objects.filter(code=data.validated_data["round"]).first()
        if round_ is None:
            raise exceptions.ValidationError({"round": [_("No round has this code.")]})
        application = application_create_draft(actor=request.user, organisation=organisation,
                                               round_=round_)
        return self._render(application, status.HTTP_201_CREATED)

    def _render(self, application, code):
        self.kwargs["reference"] = str(application.public_id)
        return Response(ApplicationSerializer(self.application()).data, status=code)


@extend_schema(tags=["applications"], parameters=[REFERENCE_PARAMETER])
class ApplicationDetail(IdempotentWritesMixin, PartnerView, generics.GenericAPIView):
    """One application with its budget, milestones, team and documents. PATCH changes a
    draft (or the sections a request for information re-opened)."""

    required_scopes = READ_OR_WRITE
    serializer_class = ApplicationSerializer

    def get(self, request, reference):
        return Response(ApplicationSerializer(self.application()).data)

    @extend_schema(request=ApplicationUpdateSerializer,
                   parameters=[IDEMPOTENCY_KEY_PARAMETER])
    def patch(self, request, reference):
        application = self.application()
        if not isinstance(request.data, dict):
            raise exceptions.ValidationError(
                {"non_field_errors": [_("Send a JSON object.")]})
        shape = ApplicationUpdateSerializer(data=request.data, partial=True)
        shape.is_valid(raise_exception=True)
        if "version" not in request.data:
            raise exceptions.ValidationError({"version": [_("This field is required.")]})
        changes = {name: value for name, value in request.data.items() if name != "version"}
        partners.application_update(actor=request.user, application=application,
                                    changes=changes,
                                    expected_version=shape.validated_data["version"])
        return Response(ApplicationSerializer(self.application()).data)


@extend_schema(tags=["applications"], parameters=[REFERENCE_PARAMETER])
class ApplicationDocuments(IdempotentWritesMixin, PartnerView, generics.GenericAPIView):
    """The application's documents (all of them: a list, not a page); POST uploads one
    (multipart/form-data) to a draft."""

    required_scopes = READ_OR_WRITE
    serializer_class = DocumentSerializer
    parser_classes = (MultiPartParser, FormParser)
    pagination_class = None

    @extend_schema(responses={200: DocumentSerializer(many=True)})
    def get(self, request, reference):
        return Response(DocumentSerializer(self.application().documents.all(), many=True).data)

    @extend_schema(request={"multipart/form-data": DocumentUploadSerializer},
                   responses={201: DocumentSerializer},
                   parameters=[IDEMPOTENCY_KEY_PARAMETER])
    def post(self, request, reference):
        application = self.application(parts=False)
        data = DocumentUploadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        document = document_upload(actor=request.user, application=application,
                                   document_type=data.validated_data["document_type"],
                                   uploaded_file=data.validated_data["file"])
        return Response(DocumentSerializer(document).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["applications"], parameters=[REFERENCE_PARAMETER])
class ApplicationDocument(IdempotentWritesMixin, PartnerView, generics.GenericAPIView):
    """One document: GET downloads the file (once checked for viruses: ``scan_status`` is
    ``clean`` or ``not_scanned``), PUT replaces it with another of the same type
    (multipart/form-data, ``file``), DELETE removes it from a draft."""

    required_scopes = READ_OR_WRITE
    serializer_class = DocumentSerializer
    parser_classes = (MultiPartParser, FormParser)
    # GET: 422 while the document is being checked for viruses, or when one was found.
    read_refusals = ("422",)

    def get_object(self):  # what OPTIONS describes
        return self.document(parts=False)

    def document(self, *, parts: bool = True) -> Document:
        application = self.application(parts=parts)
        try:
            return Document.objects.select_related("application").get(
                pk=self.kwargs["document_id"], application=application)
        except Document.DoesNotExist:
            raise Http404 from None

    @extend_schema(responses={(200, mime): OpenApiResponse(
        response=OpenApiTypes.BINARY, description="The file as uploaded.")
        for mime in ALLOWED_TYPES})
    def get(self, request, reference, document_id):
        document = self.document(parts=False)
        handle = document_open(actor=request.user, document=document)
        response = FileResponse(
            handle, as_attachment=True, content_type=document.mime_type,
            filename=download_name(document.original_name, document.mime_type))
        response["X-Content-Type-Options"] = "nosniff"
        return response

    @extend_schema(request={"multipart/form-data": DocumentReplaceSerializer},
                   responses={201: DocumentSerializer},
                   parameters=[IDEMPOTENCY_KEY_PARAMETER])
    def put(self, request, reference, document_id):
        document = self.document(parts=False)
        data = DocumentReplaceSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        new = document_replace(actor=request.user, document=document,
                               uploaded_file=data.validated_data["file"])
        return Response(DocumentSerializer(new).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={204: None}, parameters=[IDEMPOTENCY_KEY_PARAMETER])
    def delete(self, request, reference, document_id):
        document_delete(actor=request.user, document=self.document(parts=False))
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(tags=["applications"], parameters=[REFERENCE_PARAMETER])
class ApplicationProblems(PartnerView, generics.GenericAPIView):
    """Every problem a submission would meet now, by field, without saving or submitting
    anything: check a draft as you fill it. ``ready`` is true when there are none."""

    required_scopes = APPLICATIONS_READ
    serializer_class = ProblemsReportSerializer

    def get(self, request, reference):
        application = self.application()
        problems = problems_by_path(application_submission_problems(
            application, check_round=application.status != Application.Status.INFO_REQUESTED))
        return Response({"ready": not problems, "problems": problems})


@extend_schema(tags=["applications"], parameters=[REFERENCE_PARAMETER])
class ApplicationSubmit(IdempotentWritesMixin, PartnerView, generics.GenericAPIView):
    """Submit a draft, or send the information a request asked for. Every check of the
    web form runs; a refusal lists each problem (400). The reference is in the answer."""

    required_scopes = APPLICATIONS_WRITE
    serializer_class = ApplicationSerializer

    @extend_schema(request=None, parameters=[IDEMPOTENCY_KEY_PARAMETER])
    def post(self, request, reference):
        application = self.application(parts=False)
        if application.status == Application.Status.INFO_REQUESTED:
            application_resubmit(actor=request.user, application=application)
        else:
            application_submit(actor=request.user, application=application,
                               repeat_is_success=False)
        self.kwargs["reference"] = str(application.public_id)
        return Response(ApplicationSerializer(self.application()).data)


@extend_schema(tags=["applications"], parameters=[REFERENCE_PARAMETER])
class ApplicationWithdraw(IdempotentWritesMixin, PartnerView, generics.GenericAPIView):
    """Withdraw an application before a decision."""

    required_scopes = APPLICATIONS_WRITE
    serializer_class = ApplicationSerializer

    @extend_schema(request=WithdrawInputSerializer, parameters=[IDEMPOTENCY_KEY_PARAMETER])
    def post(self, request, reference):
        application = self.application(parts=False)
        data = WithdrawInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        application_withdraw(actor=request.user, application=application,
                             reason=data.validated_data.get("reason", ""))
        return Response(ApplicationSerializer(self.application()).data)


@extend_schema(tags=["applications"], parameters=[REFERENCE_PARAMETER])
class ApplicationHistory(PartnerView, generics.ListAPIView):
    """The application's public status history, oldest first."""

    required_scopes = APPLICATIONS_READ
    serializer_class = StatusChangeSerializer
    cursor_ordering = ("at", "id")

    def get_queryset(self):
        application = self.application()
        return (selectors.status_changes_for_partner(partner=self.partner())
                .filter(application=application))


# --- Events --------------------------------------------------------------------------------

@extend_schema(tags=["events"])
class EventList(PartnerView, generics.ListAPIView):
    """Everything that happened to the partner's applications, oldest first. Keep the id of
    the last event processed and ask again with ``after=<id>``; or follow ``next``."""

    required_scopes = APPLICATIONS_READ
    serializer_class = EventSerializer
    query_filters = EventFilterSerializer
    cursor_ordering = ("id",)

    def get_queryset(self):
        events = selectors.status_changes_for_partner(partner=self.partner())
        if "after" in self.query:
            events = events.filter(id__gt=self.query["after"])
        return events
