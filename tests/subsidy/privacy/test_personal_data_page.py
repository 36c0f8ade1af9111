"""The "Your personal data" page: everyone signed in sees what is held about them, downloads
it (JSON, and a ZIP of the files they uploaded), corrects it, or closes their account."""

import io
import json
import zipfile

import pytest
from allauth.account.models import EmailAddress
from axes.models import AccessLog
from django.contrib.sessions.models import Session
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse

from applicants.models import Application, ApplicationStatus, Document, Membership
from subsidy.notifications.models import Notification
from subsidy.platform.models import AuditEvent, User, UserRole
from subsidy.platform.roles import Role
from tests.builders.accounts import confirm_identity
from tests.factories import (
    ApplicationFactory,
    AssignmentFactory,
    AuditEventFactory,
    CriterionScoreFactory,
    DocumentFactory,
    MembershipFactory,
    NotificationFactory,
    ReviewFactory,
    TeamMemberFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

PASSWORD = "Correct-Horse-Battery-9"


@pytest.fixture
def founder():
    return UserFactory(email="founder@startup.hk", full_name="Chan Tai Man",
                       roles=[Role.APPLICANT])


@pytest.fixture
def company(founder):
    return MembershipFactory(user=founder, role=Membership.Role.OWNER).organisation


def stored_document(*, uploaded_by, application, name, content):
    path = default_storage.save(f"applications/00/{name}", ContentFile(content))
    return DocumentFactory(uploaded_by=uploaded_by, application=application, file=path,
                           original_name=name, size=len(content))


def download_json(client):
    response = client.get(reverse("privacy:export_json"))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    return json.loads(response.content)


def test_the_page_is_in_the_account_menu_of_every_signed_in_person(client, founder):
    client.force_login(founder)

    home = client.get(reverse("core:dashboard"), follow=True)
    page = client.get(reverse("privacy:personal_data"))

    assert reverse("privacy:personal_data") in home.content.decode()
    assert page.status_code == 200
    assert "Download all your personal data (JSON)" in page.content.decode()


def test_the_page_asks_a_visitor_to_sign_in(client):
    response = client.get(reverse("privacy:export_json"))

    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_the_json_holds_what_is_kept_about_the_person_and_nothing_of_others(
        client, founder, company):
    application = ApplicationFactory(organisation=company, created_by=founder,
                                     title="Cantonese speech for clinics")
    TeamMemberFactory(application=application, name="Chan Tai Man", role="Founder")
    TeamMemberFactory(application=application, name="Wong Siu Ming", role="Engineer")
    NotificationFactory(recipient=founder, event="application_submitted")
    stranger = UserFactory(email="stranger@elsewhere.hk")
    NotificationFactory(recipient=stranger, event="claim_paid")
    ApplicationFactory(created_by=stranger, title="Somebody else's project")
    AccessLog.objects.create(username=founder.email, ip_address="203.0.113.7",
                             user_agent="Firefox/120", http_accept="*/*", path_info="/")
    AccessLog.objects.create(username=stranger.email, ip_address="198.51.100.1",
                             user_agent="Safari", http_accept="*/*", path_info="/")
    AuditEventFactory(actor=founder, action="application.update")
    client.force_login(founder)

    data = download_json(client)

    assert data["profile"]["email"] == "founder@startup.hk"
    assert data["profile"]["full_name"] == "Chan Tai Man"
    assert data["profile"]["email_addresses"] == [
        {"email": "founder@startup.hk", "verified": True, "primary": True}]
    assert [r["role"] for r in data["roles"]] == [Role.APPLICANT]
    assert data["memberships"] == [{"organisation": company.name_en,
                                    "br_number": company.br_number, "role": "owner",
                                    "joined_at": data["memberships"][0]["joined_at"]}]
    assert [a["title"] for a in data["applications"]] == ["Cantonese speech for clinics"]
    assert data["applications"][0]["status"] == "Draft"
    assert {t["name"] for t in data["applications"][0]["team_members"]} == {
        "Chan Tai Man", "Wong Siu Ming"}
    assert [t["name"] for t in data["named_in_project_teams"]] == ["Chan Tai Man"]
    assert [n["event"] for n in data["notifications"]] == ["application_submitted"]
    # The sign-in the test made itself is listed too.
    signins = [(s["ip_address"], s["user_agent"]) for s in data["signin_records"]]
    assert ("203.0.113.7", "Firefox/120") in signins
    assert not [s for s in signins if s[0] == "198.51.100.1"]
    assert [e["action"] for e in data["audit_records"]] == ["application.update"]
    assert data["reviews_written"] == []
    assert "stranger@elsewhere.hk" not in json.dumps(data)


def test_a_reviewers_json_holds_the_reviews_they_wrote(client):
    reviewer = UserFactory(roles=[Role.REVIEWER])
    review = ReviewFactory(assignment=AssignmentFactory(reviewer=reviewer),
                           overall_comment="Strong team, weak market evidence.")
    CriterionScoreFactory(review=review, criterion="innovation", score=4)
    ReviewFactory(overall_comment="Another reviewer's words.")
    client.force_login(reviewer)

    data = download_json(client)

    assert [r["overall_comment"] for r in data["reviews_written"]] == [
        "Strong team, weak market evidence."]
    assert data["reviews_written"][0]["scores"] == [
        {"criterion": "innovation", "score": 4, "comment": "Clear plan."}]


def test_the_zip_holds_the_files_the_person_uploaded_and_not_others(client, founder, company):
    application = ApplicationFactory(organisation=company, created_by=founder)
    stored_document(uploaded_by=founder, application=application, name="plan.pdf",
                    content=b"%PDF-1.4 founder's plan")
    colleague = MembershipFactory(organisation=company, role=Membership.Role.EDITOR).user
    stored_document(uploaded_by=colleague, application=application, name="accounts.pdf",
                    content=b"%PDF-1.4 colleague's accounts")
    client.force_login(founder)

    response = client.get(reverse("privacy:export_documents"))

    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    names = archive.namelist()
    assert len(names) == 1 and names[0].endswith("-plan.pdf")
    assert archive.read(names[0]) == b"%PDF-1.4 founder's plan"


def test_a_file_missing_from_storage_is_named_not_fatal(client, founder, company):
    DocumentFactory(uploaded_by=founder, original_name="lost.pdf",
                    application=ApplicationFactory(organisation=company))
    client.force_login(founder)

    response = client.get(reverse("privacy:export_documents"))
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))

    assert archive.namelist() == ["missing-files.txt"]
    assert b"lost.pdf" in archive.read("missing-files.txt")


def close(client):
    """Close the signed-in account, its password just confirmed as the step-up asks."""
    confirm_identity(client)
    return client.post(reverse("privacy:account_close"), {"confirm": "on"})


def test_closing_the_account_erases_the_person_and_keeps_the_schemes_records(
        client, founder, company):
    application = ApplicationFactory(organisation=company, created_by=founder,
                                     status=ApplicationStatus.REJECTED)
    document = stored_document(uploaded_by=founder, application=application, name="plan.pdf",
                               content=b"%PDF-1.4")
    NotificationFactory(recipient=founder, event="application_rejected")
    AccessLog.objects.create(username=founder.email, ip_address="203.0.113.7",
                             user_agent="Firefox/120", http_accept="*/*", path_info="/")
    audit_before = AuditEvent.objects.filter(actor=founder).count()
    client.force_login(founder)
    other_browser = client.session.session_key

    response = close(client)

    assert response.status_code == 302
    founder.refresh_from_db()
    assert founder.email == f"closed-account-{founder.pk}@closed.invalid"
    assert founder.full_name == ""
    assert not founder.has_usable_password()
    assert not founder.is_active
    assert not Notification.objects.filter(recipient=founder).exists()
    assert not AccessLog.objects.filter(username__iexact="founder@startup.hk").exists()
    assert not EmailAddress.objects.filter(user=founder).exists()
    assert not UserRole.objects.filter(user=founder).exists()
    assert not Membership.objects.filter(user=founder).exists()
    assert not Session.objects.filter(session_key=other_browser).exists()
    # What the scheme must keep stays, pointing at the anonymised account.
    assert Application.objects.get(pk=application.pk).created_by_id == founder.pk
    assert Document.objects.filter(pk=document.pk).exists()
    assert AuditEvent.objects.filter(actor=founder).count() == audit_before + 1
    closing = AuditEvent.objects.get(actor=founder, action="user.close_account")
    assert "founder@startup.hk" not in json.dumps(closing.after) + closing.actor_label
    assert closing.after["kept"]


def test_a_closed_account_cannot_sign_in_again(client, founder):
    client.force_login(founder)
    close(client)

    response = client.post(reverse("account_login"),
                           {"login": "founder@startup.hk", "password": PASSWORD})

    assert "_auth_user_id" not in client.session
    assert response.status_code == 200  # the sign-in form again, with its error
    assert client.get(reverse("privacy:personal_data")).status_code == 302


def test_closing_first_asks_for_the_password_again(client, founder):
    client.force_login(founder)
    path = reverse("privacy:account_close")

    asked = client.post(path, {"confirm": "on"})
    founder.refresh_from_db()
    assert asked.status_code == 302
    assert asked.url.startswith(reverse("account_reauthenticate"))
    assert founder.is_active and founder.email == "founder@startup.hk"

    resumed = client.post(asked.url, {"password": PASSWORD})

    founder.refresh_from_db()
    assert resumed.status_code == 302
    assert not founder.is_active


def test_closing_needs_the_box_ticked(client, founder):
    client.force_login(founder)
    confirm_identity(client)

    response = client.post(reverse("privacy:account_close"), {})

    assert response.status_code == 400
    founder.refresh_from_db()
    assert founder.is_active


def test_the_last_administrator_is_told_why_they_cannot_close(client):
    administrator = UserFactory(roles=[Role.ADMINISTRATOR])
    client.force_login(administrator)

    page = client.get(reverse("privacy:personal_data")).content.decode()
    response = close(client)

    assert "at least one active administrator" in page
    assert response.status_code == 400
    administrator.refresh_from_db()
    assert administrator.is_active


def test_an_administrator_may_close_when_another_remains(client):
    administrator = UserFactory(roles=[Role.ADMINISTRATOR])
    UserFactory(roles=[Role.ADMINISTRATOR])
    client.force_login(administrator)

    assert close(client).status_code == 302
    assert not User.objects.get(pk=administrator.pk).is_active


def test_the_only_owner_of_a_company_with_a_running_application_must_hand_over_first(
        client, founder, company):
    ApplicationFactory(organisation=company, status=ApplicationStatus.IN_REVIEW)
    client.force_login(founder)

    page = client.get(reverse("privacy:personal_data")).content.decode()
    refused = close(client)
    MembershipFactory(organisation=company, role=Membership.Role.OWNER)
    allowed = close(client)

    assert f"You are the only owner of {company.name_en}" in page
    assert refused.status_code == 400
    assert allowed.status_code == 302


def test_an_owner_of_a_company_whose_applications_are_all_closed_may_close(
        client, founder, company):
    ApplicationFactory(organisation=company, status=ApplicationStatus.COMPLETED)
    client.force_login(founder)

    assert close(client).status_code == 302


def test_the_page_reads_in_chinese(client, founder):
    founder.language = "zh-hant"
    founder.save()
    client.force_login(founder)

    page = client.get(reverse("privacy:personal_data"), HTTP_ACCEPT_LANGUAGE="zh-hant")

    assert "你的個人資料及私隱" in page.content.decode()


def test_the_privacy_policy_is_public_and_states_the_schedule_in_force(client, settings):
    settings.RETENTION = {**settings.RETENTION, "signin_records": 90}

    home = client.get(reverse("core:home")).content.decode()
    signup = client.get(reverse("account_signup")).content.decode()
    policy = client.get(reverse("privacy:policy"))

    assert policy.status_code == 200
    assert reverse("privacy:policy") in home
    assert reverse("privacy:policy") in signup
    assert "90 days" in policy.content.decode()
