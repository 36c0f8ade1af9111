"""What the scheme holds about one person, for them to download (PDPO s.18, Data Protection
Principle 6): their account, their companies, the applications they wrote or can see, the
notifications sent to them, their sign-in records, what the audit trail says they did and,
for staff, the reviews they wrote. The one place that assembles it; the page and the
documents archive both read from here."""

import zipfile
from collections.abc import Iterable, Iterator
from datetime import datetime

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from axes.models import AccessFailureLog, AccessLog
from django.db.models import Q, QuerySet
from django.utils import timezone

from applicants.models import Application, Document, Membership, TeamMember
from applicants.workflow import public_status
from reviews.models import ConflictDeclaration, Review
from subsidy.finance.models import ClaimEvidence
from subsidy.notifications.models import Notification
from subsidy.platform.audit import snapshot
from subsidy.platform.models import AuditEvent, PartnerMember, User

EXPORT_FORMAT = "aiss-personal-data/1"
APPLICATION_FIELDS = [
    "reference", "public_id", "title", "summary", "category", "start_date", "end_date",
    "total_eligible_cost", "requested_subsidy", "rai_safety", "rai_human", "rai_transparency",
    "declares_accurate", "declares_no_double_funding", "declares_compliance",
    "privacy_notice_accepted_at", "submitted_at", "created_at", "updated_at",
]


def applications_of(user: User) -> QuerySet[Application]:
    """The applications ``user`` wrote, or that belong to a company they are a member of."""
    return (Application.objects
            .filter(Q(created_by=user) | Q(organisation__memberships__user=user))
            .distinct().select_related("round", "organisation").order_by("pk"))


def documents_of(user: User) -> tuple[QuerySet[Document], QuerySet[ClaimEvidence]]:
    """The files ``user`` uploaded: application documents and claim evidence."""
    return (Document.objects.filter(uploaded_by=user).order_by("pk"),
            ClaimEvidence.objects.filter(uploaded_by=user).order_by("pk"))


def _signin_filter(user: User) -> Q:
    return Q(username__iexact=user.email)


def personal_data_summary(user: User) -> dict[str, int]:
    """How many records of each kind are held about ``user``, for the page."""
    documents, evidence = documents_of(user)
    return {
        "applications": applications_of(user).count(),
        "documents": documents.count() + evidence.count(),
        "notifications": Notification.objects.filter(recipient=user).count(),
        "signin_records": (AccessLog.objects.filter(_signin_filter(user)).count()
                           + AccessFailureLog.objects.filter(_signin_filter(user)).count()),
        "audit_records": AuditEvent.objects.filter(actor=user).count(),
        "reviews": Review.objects.filter(assignment__reviewer=user).count(),
    }


def _application(app: Application, user: User) -> dict:
    return {
        **snapshot(app, APPLICATION_FIELDS),
        "round": app.round.code,
        "organisation": app.organisation.name_en,
        "status": public_status(app.status),
        "you_created_it": app.created_by_id == user.pk,
        "budget_lines": [snapshot(line, ["category", "description", "quantity", "unit_cost",
                                         "amount"]) for line in app.budget_lines.all()],
        "milestones": [snapshot(m, ["deliverable", "due_date", "share_percent"])
                       for m in app.milestones.all()],
        "team_members": [snapshot(t, ["name", "role", "expertise"])
                         for t in app.team_members.all()],
        "documents": [snapshot(d, ["document_type", "original_name", "size", "mime_type",
                                   "uploaded_at"]) for d in app.documents.all()],
    }


def _signin(record, **extra) -> dict:
    return {**snapshot(record, ["attempt_time", "ip_address", "user_agent", "path_info"]),
            **extra}


def personal_data_export(*, user: User, now: datetime | None = None) -> dict:
    """Everything held about ``user`` as one JSON-ready dict. Application contents come with
    the applicant's view of their status, never the confidential assessment; reviews are the
    reviewer's own words and scores."""
    applications = applications_of(user).prefetch_related(
        "budget_lines", "milestones", "team_members", "documents")
    application_ids = [app.pk for app in applications]
    full_name = user.full_name.strip()
    named_in_team = (TeamMember.objects.filter(application_id__in=application_ids,
                                               name__iexact=full_name)
                     .select_related("application") if full_name else TeamMember.objects.none())
    documents, evidence = documents_of(user)
    reviews = (Review.objects.filter(assignment__reviewer=user)
               .select_related("assignment__application").prefetch_related("scores")
               .order_by("pk"))
    return {
        "format": EXPORT_FORMAT,
        "exported_at": (now or timezone.now()).isoformat(),
        "profile": {
            **snapshot(user, ["email", "full_name", "language", "date_joined", "last_login",
                              "is_active"]),
            "email_addresses": [snapshot(a, ["email", "verified", "primary"])
                                for a in EmailAddress.objects.filter(user=user)],
            # Which second factors are set up; their secrets are never exported.
            "second_factors": [snapshot(a, ["type", "created_at", "last_used_at"])
                               for a in Authenticator.objects.filter(user=user)],
        },
        "roles": [snapshot(g, ["role", "granted_at"]) for g in user.role_grants.all()],
        "memberships": [
            {"organisation": m.organisation.name_en, "br_number": m.organisation.br_number,
             "role": m.role, "joined_at": m.joined_at.isoformat()}
            for m in Membership.objects.filter(user=user).select_related("organisation")
        ],
        "partner_membership": [
            {"partner": m.partner.name, "since": m.created_at.isoformat()}
            for m in PartnerMember.objects.filter(user=user).select_related("partner")
        ],
        "applications": [_application(app, user) for app in applications],
        "named_in_project_teams": [
            {"application": t.application.reference or str(t.application.public_id),
             **snapshot(t, ["name", "role", "expertise"])} for t in named_in_team
        ],
        "documents_uploaded": (
            [{"application": d.application_id,
              **snapshot(d, ["original_name", "document_type", "size", "sha256", "mime_type",
                             "uploaded_at"])} for d in documents]
            + [{"claim": e.claim_id,
                **snapshot(e, ["original_name", "size", "mime_type", "uploaded_at"])}
               for e in evidence]),
        "notifications": [
            snapshot(n, ["event", "to_email", "subject", "status", "context", "created_at",
                         "sent_at", "read_at"])
            for n in Notification.objects.filter(recipient=user).order_by("created_at", "pk")
        ],
        "signin_records": (
            [_signin(r, outcome="signed in", logout_time=r.logout_time and
                     r.logout_time.isoformat())
             for r in AccessLog.objects.filter(_signin_filter(user)).order_by("attempt_time")]
            + [_signin(r, outcome="failed", locked_out=r.locked_out)
               for r in AccessFailureLog.objects.filter(_signin_filter(user))
               .order_by("attempt_time")]),
        "audit_records": [
            snapshot(e, ["at", "action", "object_type", "object_id", "object_repr",
                         "ip_address"])
            for e in AuditEvent.objects.filter(actor=user).order_by("at", "pk")
        ],
        "audit_records_about_your_account": [
            snapshot(e, ["at", "actor_label", "action", "before", "after"])
            for e in AuditEvent.objects.filter(object_type=user._meta.label_lower,
                                               object_id=str(user.pk)).order_by("at", "pk")
        ],
        "reviews_written": [
            {"application": r.assignment.application.reference,
             **snapshot(r, ["version", "recommendation", "overall_comment",
                            "correction_reason", "weighted_total", "submitted_at"]),
             "scores": [snapshot(s, ["criterion", "score", "comment"]) for s in r.scores.all()]}
            for r in reviews
        ],
        "conflict_declarations": [
            snapshot(c, ["has_conflict", "reason", "declared_at"])
            for c in ConflictDeclaration.objects.filter(reviewer=user).order_by("pk")
        ],
    }


class _ZipSink:
    """A write-only file for ``zipfile`` that hands what was written to the response in
    pieces, so an archive of any size never sits in memory whole."""

    def __init__(self):
        self._pieces: list[bytes] = []

    def write(self, data) -> int:
        self._pieces.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def drain(self) -> Iterator[bytes]:
        pieces, self._pieces = self._pieces, []
        yield from pieces


CHUNK_SIZE = 64 * 1024


def _archive_entries(user: User) -> Iterable[tuple[str, object]]:
    documents, evidence = documents_of(user)
    # Only files found clean (or kept without a scanner): none waiting, none with a virus.
    documents = documents.exclude(scan_status__in=[Document.ScanStatus.SCANNING,
                                                   Document.ScanStatus.INFECTED])
    for document in documents.iterator():
        yield (f"applications/{document.application_id}/{document.pk}-"
               f"{_flat(document.original_name)}", document.file)
    for item in evidence.iterator():
        yield f"claims/{item.claim_id}/{item.pk}-{_flat(item.original_name)}", item.file


def _flat(name: str) -> str:
    """An uploader's file name as one path component of the archive."""
    return name.replace("/", "_").replace("\\", "_") or "file"


def personal_documents_archive(*, user: User) -> Iterator[bytes]:
    """The files ``user`` uploaded, as a ZIP archive produced piece by piece: each file is
    read in chunks and each chunk is passed on as soon as it is compressed. A file missing
    from storage is named in ``missing-files.txt`` instead of breaking the download."""
    sink = _ZipSink()
    missing = []
    with zipfile.ZipFile(sink, mode="w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, stored in _archive_entries(user):
            try:
                source = stored.storage.open(stored.name, "rb")
            except FileNotFoundError:
                missing.append(name)
                continue
            with source, archive.open(name, mode="w", force_zip64=True) as target:
                for chunk in iter(lambda src=source: src.read(CHUNK_SIZE), b""):
                    target.write(chunk)
                    yield from sink.drain()
        if missing:
            archive.writestr("missing-files.txt", "\n".join(missing) + "\n")
    yield from sink.drain()
