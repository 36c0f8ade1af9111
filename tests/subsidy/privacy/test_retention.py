"""The retention schedule (settings.RETENTION): each category's records past their period
are erased, recent ones kept, and a second run erases nothing more."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.sessions.models import Session
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.utils import timezone

from applicants.models import Application, ApplicationStatus, Document
from config.celery import app as celery_app
from subsidy.notifications.models import Notification
from subsidy.platform.models import AuditEvent
from subsidy.privacy.services.retention import retention_apply
from tests.factories import ApplicationFactory, DocumentFactory, NotificationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def schedule(settings):
    settings.RETENTION = {"notifications": 365, "signin_records": 180, "sessions": 0,
                          "abandoned_drafts": 365, "closed_application_documents": 2555}


def ago(days: int):
    return timezone.now() - timedelta(days=days)


def erase_twice(committed):
    with committed():
        first = retention_apply()
    with committed():
        second = retention_apply()
    assert set(second.values()) == {0}
    return first


def stored_document(application, name):
    path = default_storage.save(f"applications/00/{name}", ContentFile(b"%PDF-1.4"))
    return DocumentFactory(application=application, file=path, original_name=name)


def test_old_notifications_go_recent_and_pending_ones_stay(committed):
    old = NotificationFactory(created_at=ago(400), status=Notification.Status.SENT,
                              sent_at=ago(400))
    recent = NotificationFactory(created_at=ago(30), status=Notification.Status.SENT,
                                 sent_at=ago(30))
    stuck = NotificationFactory(created_at=ago(400), status=Notification.Status.PENDING)

    erased = erase_twice(committed)

    assert erased["notifications"] == 1
    assert set(Notification.objects.values_list("pk", flat=True)) == {recent.pk, stuck.pk}
    assert not Notification.objects.filter(pk=old.pk).exists()


def signin(model, days, **extra):
    record = model.objects.create(username="founder@startup.hk", ip_address="203.0.113.7",
                                  user_agent="Firefox", http_accept="*/*", path_info="/",
                                  **extra)
    model.objects.filter(pk=record.pk).update(attempt_time=ago(days))
    return record


def test_old_sign_in_records_go_with_their_ip_address_and_browser(committed):
    signin(AccessLog, 200)
    signin(AccessFailureLog, 200)
    signin(AccessAttempt, 200, get_data="", post_data="", failures_since_start=1)
    recent = signin(AccessLog, 10)

    erased = erase_twice(committed)

    assert erased["signin_records"] == 3
    assert list(AccessLog.objects.values_list("pk", flat=True)) == [recent.pk]
    assert not AccessFailureLog.objects.exists() and not AccessAttempt.objects.exists()


def test_expired_sessions_go_and_live_ones_stay(committed):
    Session.objects.create(session_key="expired", session_data="x", expire_date=ago(1))
    Session.objects.create(session_key="live", session_data="x",
                           expire_date=timezone.now() + timedelta(hours=4))

    erased = erase_twice(committed)

    assert erased["sessions"] == 1
    assert list(Session.objects.values_list("session_key", flat=True)) == ["live"]


def test_abandoned_drafts_go_with_their_files_and_an_audit_record(committed):
    abandoned = ApplicationFactory(status=ApplicationStatus.DRAFT)
    document = stored_document(abandoned, "abandoned-plan.pdf")
    Application.objects.filter(pk=abandoned.pk).update(updated_at=ago(400))
    recent = ApplicationFactory(status=ApplicationStatus.DRAFT)
    Application.objects.filter(pk=recent.pk).update(updated_at=ago(100))
    old_submitted = ApplicationFactory(status=ApplicationStatus.SUBMITTED)
    Application.objects.filter(pk=old_submitted.pk).update(updated_at=ago(400))

    erased = erase_twice(committed)

    assert erased["abandoned_drafts"] == 1
    assert set(Application.objects.values_list("pk", flat=True)) == {recent.pk,
                                                                      old_submitted.pk}
    assert not default_storage.exists(document.file.name)
    record = AuditEvent.objects.get(action="application.draft_erased")
    assert record.object_id == str(abandoned.pk)
    assert record.after == {"reason": "retention:abandoned_drafts"}


def closed_application(status, days_ago):
    application = ApplicationFactory(status=status)
    Application.objects.filter(pk=application.pk).update(status_changed_at=ago(days_ago))
    return application


def test_documents_of_long_closed_applications_go_and_the_application_stays(committed):
    long_closed = closed_application(ApplicationStatus.COMPLETED, 2600)
    old_file = stored_document(long_closed, "final-report.pdf")
    recently_closed = closed_application(ApplicationStatus.REJECTED, 100)
    kept_closed = stored_document(recently_closed, "plan.pdf")
    running = closed_application(ApplicationStatus.ACTIVE, 2600)
    kept_running = stored_document(running, "milestone.pdf")

    erased = erase_twice(committed)

    assert erased["closed_application_documents"] == 1
    assert set(Document.objects.values_list("pk", flat=True)) == {kept_closed.pk,
                                                                   kept_running.pk}
    assert Application.objects.filter(pk=long_closed.pk).exists()
    assert not default_storage.exists(old_file.file.name)
    assert default_storage.exists(kept_closed.file.name)
    assert AuditEvent.objects.filter(action="application.documents_erased",
                                     object_id=str(long_closed.pk)).count() == 1


def test_the_dry_run_counts_and_erases_nothing(capsys):
    NotificationFactory(created_at=ago(400), status=Notification.Status.SENT,
                        sent_at=ago(400))
    Session.objects.create(session_key="expired", session_data="x", expire_date=ago(1))

    call_command("retention_apply", "--dry-run")
    out = capsys.readouterr().out

    assert "notifications (older than 365 days): 1 due" in out
    assert "sessions (older than 0 days): 1 due" in out
    assert Notification.objects.count() == 1 and Session.objects.count() == 1


def test_the_command_erases_and_reports(capsys):
    NotificationFactory(created_at=ago(400), status=Notification.Status.SENT,
                        sent_at=ago(400))

    call_command("retention_apply")

    assert "notifications (older than 365 days): 1 erased" in capsys.readouterr().out
    assert not Notification.objects.exists()


def test_the_retention_job_runs_from_beat_under_a_stable_name():
    NotificationFactory(created_at=ago(400), status=Notification.Status.SENT,
                        sent_at=ago(400))
    celery_app.loader.import_default_modules()

    result = celery_app.tasks["subsidy.tasks.apply_retention"].apply().get()

    assert result["notifications"] == 1
