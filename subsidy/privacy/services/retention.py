"""The retention schedule (``settings.RETENTION``, docs/privacy.md): personal data kept no
longer than its purpose needs (PDPO Data Protection Principle 2(2) and s.26).

``retention_apply`` looks only at the clock and the data, never at when it last ran, so
running it twice, or from two workers at once, erases nothing more the second time."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from applicants.models import Application, ApplicationStatus, Document
from subsidy.notifications.models import Notification
from subsidy.platform.audit import audit_record

# Applications that will not move again: their documents start their retention period when
# they reached this state.
CLOSED_STATUSES = (
    ApplicationStatus.WITHDRAWN, ApplicationStatus.INELIGIBLE, ApplicationStatus.REJECTED,
    ApplicationStatus.DECLINED, ApplicationStatus.LAPSED, ApplicationStatus.COMPLETED,
    ApplicationStatus.TERMINATED,
)
CATEGORIES = ("notifications", "signin_records", "sessions", "abandoned_drafts",
              "closed_application_documents")


@dataclass(frozen=True)
class Cutoffs:
    """The moment before which each category's records are erased."""

    notifications: datetime
    signin_records: datetime
    sessions: datetime
    abandoned_drafts: datetime
    closed_application_documents: datetime

    @classmethod
    def at(cls, now: datetime) -> "Cutoffs":
        return cls(**{name: now - timedelta(days=settings.RETENTION[name])
                      for name in CATEGORIES})


def _notifications(cut: Cutoffs) -> QuerySet:
    # Pending rows are the outbox's work still to do, whatever their age.
    return (Notification.objects.filter(created_at__lt=cut.notifications)
            .exclude(status=Notification.Status.PENDING))


def _signin_querysets(cut: Cutoffs) -> list[QuerySet]:
    return [model.objects.filter(attempt_time__lt=cut.signin_records)
            for model in (AccessLog, AccessAttempt, AccessFailureLog)]


def _sessions(cut: Cutoffs) -> QuerySet:
    return Session.objects.filter(expire_date__lt=cut.sessions)


def _abandoned_drafts(cut: Cutoffs) -> QuerySet:
    return Application.objects.filter(status=ApplicationStatus.DRAFT,
                                      updated_at__lt=cut.abandoned_drafts)


def _closed_documents(cut: Cutoffs) -> QuerySet:
    return Document.objects.filter(
        application__status__in=CLOSED_STATUSES,
        application__status_changed_at__lt=cut.closed_application_documents)


def retention_due(*, now: datetime | None = None) -> dict[str, int]:
    """How many records of each category are past their retention period now."""
    cut = Cutoffs.at(now or timezone.now())
    return {
        "notifications": _notifications(cut).count(),
        "signin_records": sum(qs.count() for qs in _signin_querysets(cut)),
        "sessions": _sessions(cut).count(),
        "abandoned_drafts": _abandoned_drafts(cut).count(),
        "closed_application_documents": _closed_documents(cut).count(),
    }


def retention_apply(*, now: datetime | None = None) -> dict[str, int]:
    """Erase every record past its retention period; return how many of each category went.

    Drafts and documents are erased one application at a time under the application's row
    lock, checked again once it is held (an applicant saving the draft, or a status change,
    in between keeps it), with their stored files and an audit record. The audit record
    names the application and what was erased, never the erased content."""
    cut = Cutoffs.at(now or timezone.now())
    erased = dict.fromkeys(CATEGORIES, 0)
    erased["notifications"] = _notifications(cut).delete()[0]
    erased["signin_records"] = sum(qs.delete()[0] for qs in _signin_querysets(cut))
    erased["sessions"] = _sessions(cut).delete()[0]
    for pk in list(_abandoned_drafts(cut).order_by("pk").values_list("pk", flat=True)):
        erased["abandoned_drafts"] += _draft_erase(application_id=pk, cut=cut)
    application_ids = (_closed_documents(cut).order_by("application_id")
                       .values_list("application_id", flat=True).distinct())
    for pk in list(application_ids):
        erased["closed_application_documents"] += _documents_erase(application_id=pk, cut=cut)
    return erased


def _files_delete_on_commit(files) -> None:
    """Stored files go once the rows are gone for good: a rolled-back erasure keeps both."""
    names = [(f.storage, f.name) for f in files if f.name]

    def delete():
        for storage, name in names:
            storage.delete(name)

    transaction.on_commit(delete)


def _draft_erase(*, application_id: int, cut: Cutoffs) -> int:
    with transaction.atomic():
        draft = (Application.objects.select_for_update()
                 .filter(pk=application_id, status=ApplicationStatus.DRAFT,
                         updated_at__lt=cut.abandoned_drafts).first())
        if draft is None:
            return 0
        documents = list(draft.documents.all())
        audit_record(actor=None, action="application.draft_erased", obj=draft,
                     before={"last_changed": draft.updated_at,
                             "organisation_id": draft.organisation_id,
                             "documents": len(documents)},
                     after={"reason": "retention:abandoned_drafts"})
        _files_delete_on_commit(d.file for d in documents)
        draft.delete()
        return 1


def _documents_erase(*, application_id: int, cut: Cutoffs) -> int:
    with transaction.atomic():
        application = (Application.objects.select_for_update()
                       .filter(Q(pk=application_id), Q(status__in=CLOSED_STATUSES),
                               Q(status_changed_at__lt=cut.closed_application_documents))
                       .first())
        if application is None:
            return 0
        documents = list(application.documents.all())
        if not documents:
            return 0
        audit_record(actor=None, action="application.documents_erased", obj=application,
                     before={"documents": [{"id": d.pk, "type": d.document_type,
                                            "sha256": d.sha256} for d in documents]},
                     after={"reason": "retention:closed_application_documents"})
        _files_delete_on_commit(d.file for d in documents)
        Document.objects.filter(pk__in=[d.pk for d in documents]).delete()
        return len(documents)
