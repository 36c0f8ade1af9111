"""Read-side queries of the applicant side. Every lookup by id is scoped to what the user
may see, so a changed id in a URL finds nothing (a 404) instead of someone else's data."""

import uuid

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery

from applicants.models import (
    Application,
    ApplicationVersion,
    Document,
    InformationRequest,
    LinkRequest,
    Membership,
    Organisation,
    StatusChange,
)


def memberships_for_user(*, user) -> QuerySet[Membership]:
    return (Membership.objects.filter(user=user).select_related("organisation")
            .order_by("organisation__name_en"))


def organisation_for_member(*, user, organisation_id: int) -> Organisation:
    """The organisation if ``user`` is a member; ``Organisation.DoesNotExist`` otherwise."""
    return Organisation.objects.filter(memberships__user=user).get(pk=organisation_id)


def organisation_members(*, organisation: Organisation) -> QuerySet[Membership]:
    return (organisation.memberships.select_related("user")
            .order_by("role", "user__email"))


def organisation_pending_invitations(*, organisation: Organisation):
    return organisation.invitations.filter(accepted_at__isnull=True).order_by("-created_at")


def applications_for_user(*, user) -> QuerySet[Application]:
    """The applications of every organisation the user belongs to, for the dashboard; a
    fixed number of queries whatever their number and content."""
    return (Application.objects
            .filter(organisation__memberships__user=user)
            .select_related("round", "organisation")
            .annotate(open_requests=Count("information_requests",
                                          filter=Q(information_requests__answered_at__isnull=True),
                                          distinct=True))
            .order_by("-created_at", "-id"))


def application_for_user(*, user, application_id: int) -> Application:
    """One application its organisation's member may see; ``Application.DoesNotExist``
    for anyone else (staff pages have their own selectors)."""
    return (Application.objects.filter(organisation__memberships__user=user)
            .select_related("round", "round__scheme", "organisation")
            .get(pk=application_id))


def application_with_content(*, user, application_id: int) -> Application:
    """The application with its lines, milestones, team, documents, versions (without the
    snapshots), status changes and requests for information, in a fixed number of
    queries."""
    return (Application.objects.filter(organisation__memberships__user=user)
            .select_related("round", "round__scheme", "organisation")
            .prefetch_related(
                "budget_lines", "milestones", "team_members",
                Prefetch("documents", queryset=Document.objects.order_by("document_type",
                                                                         "uploaded_at")),
                Prefetch("versions", queryset=ApplicationVersion.objects.defer("snapshot")),
                "status_changes",
                Prefetch("information_requests",
                         queryset=InformationRequest.objects.order_by("-created_at")),
            )
            .get(pk=application_id))


def open_information_request(*, application: Application) -> InformationRequest | None:
    requests = [r for r in application.information_requests.all() if r.answered_at is None]
    return requests[0] if requests else None


def document_for_user(*, user, document_id: int) -> Document:
    """A document of an application the user's organisation owns;
    ``Document.DoesNotExist`` otherwise."""
    return (Document.objects.filter(application__organisation__memberships__user=user)
            .select_related("application").get(pk=document_id))


def application_version_for_user(*, user, application_id: int, number: int):
    return ApplicationVersion.objects.filter(
        application__organisation__memberships__user=user).get(
        application_id=application_id, number=number)


def application_versions_compared(*, application: Application, older: int, newer: int):
    """The two submitted versions and what changed between them (staff pages)."""
    from applicants.versions import version_diff

    versions = {v.number: v for v in application.versions.filter(number__in=[older, newer])}
    if older not in versions or newer not in versions:
        raise ApplicationVersion.DoesNotExist
    return versions[older], versions[newer], version_diff(versions[older], versions[newer])


# --- What a partner organisation sees through the API --------------------------------------

def _active_links(partner):
    from applicants.models import PartnerLink

    return PartnerLink.objects.filter(partner=partner, linked_at__isnull=False,
                                      revoked_at__isnull=True)


def organisations_for_partner(*, partner) -> QuerySet[Organisation]:
    """The organisations the partner holds an active link to, with the link's start and
    origin; any other organisation is absent, whatever its id."""
    links = _active_links(partner).filter(organisation=OuterRef("pk"))
    return (Organisation.objects.filter(Exists(links))
            .annotate(linked_at=Subquery(links.values("linked_at")[:1]),
                      created_via=Subquery(links.values("created_via")[:1])))


def link_requests_for_partner(*, partner) -> QuerySet[LinkRequest]:
    """The partner's own open link requests, whether or not a company has the number, with
    the link each led to (for its status)."""
    return (LinkRequest.objects.filter(partner=partner, cancelled_at__isnull=True)
            .select_related("link"))


def applications_for_partner(*, partner) -> QuerySet[Application]:
    """The applications of the partner's linked organisations, for lists: one query for a
    page whatever its size."""
    linked = _active_links(partner).filter(organisation=OuterRef("organisation_id"))
    return Application.objects.filter(Exists(linked)).select_related("round")


def application_for_partner(*, partner, identifier: str, parts: bool = True) -> Application:
    """One of the partner's applications by its reference or its id (a UUID, which drafts
    have before they get a reference); ``Application.DoesNotExist`` for anything else.
    ``parts=False`` leaves out the budget lines, milestones, team and documents, for writes
    that read them again under their own lock."""
    try:
        lookup = {"public_id": uuid.UUID(str(identifier))}
    except ValueError:
        lookup = {"reference": identifier}
    applications = applications_for_partner(partner=partner).select_related("organisation")
    if parts:
        applications = applications.prefetch_related(
            "budget_lines", "milestones", "team_members",
            Prefetch("documents", queryset=Document.objects.order_by("document_type",
                                                                     "uploaded_at")))
    return applications.get(**lookup)


def status_changes_for_partner(*, partner) -> QuerySet[StatusChange]:
    """What happened to the partner's applications, as seen from outside: steps between
    the internal assessment states are left out, as on the applicant's timeline."""
    from applicants.workflow import ASSESSMENT_STATUSES

    linked = _active_links(partner).filter(
        organisation=OuterRef("application__organisation_id"))
    return (StatusChange.objects.filter(Exists(linked))
            .exclude(from_status__in=ASSESSMENT_STATUSES, to_status__in=ASSESSMENT_STATUSES)
            .select_related("application"))


def partner_links_for_organisation(*, organisation: Organisation):
    """Pending requests and active links of a company, for its owners' page."""
    return (organisation.partner_links.filter(revoked_at__isnull=True)
            .select_related("partner", "linked_by").order_by("partner__name", "id"))
