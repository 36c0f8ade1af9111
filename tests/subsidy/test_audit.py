import pytest

from subsidy.platform.audit import audit_record, current_ip
from subsidy.platform.models import AuditEvent
from tests.factories import SchemeFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_audit_record_keeps_actor_action_object_values_time_and_address():
    actor = UserFactory(email="officer@example.hk")
    scheme = SchemeFactory()
    token = current_ip.set("203.0.113.7")
    try:
        event = audit_record(actor=actor, action="scheme.set_budget", obj=scheme,
                             before={"budget": scheme.budget}, after={"budget": 1})
    finally:
        current_ip.reset(token)

    event.refresh_from_db()
    assert event.actor == actor
    assert event.actor_label == "officer@example.hk"
    assert event.object_type == "subsidy.scheme"
    assert event.object_id == str(scheme.pk)
    assert event.before == {"budget": "500000000.00"}
    assert event.after == {"budget": 1}
    assert event.ip_address == "203.0.113.7"
    assert event.at is not None


def test_system_actions_are_recorded_as_system():
    event = audit_record(actor=None, action="round.open", obj=SchemeFactory())
    assert event.actor is None
    assert event.actor_label == "system"


def test_audit_events_cannot_be_changed_or_deleted_through_the_orm():
    event = audit_record(actor=None, action="x", obj=SchemeFactory())
    event.action = "tampered"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    assert AuditEvent.objects.get(pk=event.pk).action == "x"


def test_admin_shows_audit_events_read_only(admin_client):
    event = audit_record(actor=None, action="round.create", obj=SchemeFactory())
    response = admin_client.get(f"/admin/subsidy/auditevent/{event.pk}/change/")
    assert response.status_code == 200
    assert b'name="action"' not in response.content  # no editable field
    assert admin_client.get("/admin/subsidy/auditevent/add/").status_code == 403
    assert admin_client.post(f"/admin/subsidy/auditevent/{event.pk}/delete/",
                             {"post": "yes"}).status_code == 403
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_request_ip_is_recorded_on_changes_made_through_pages(client):
    from subsidy.platform.roles import Role

    user = UserFactory(roles=[Role.APPLICANT], language="en")
    client.force_login(user)
    client.post("/profile/", {"full_name": "New Name", "language": "zh-hant"},
                REMOTE_ADDR="198.51.100.20")
    event = AuditEvent.objects.get(action="user.update_profile")
    assert event.ip_address == "198.51.100.20"
    assert event.before["language"] == "en"
    assert event.after["language"] == "zh-hant"
