"""Colleagues co-edit a draft: an owner invites them by email from the draft, the link
(with its token and expiry) makes them an editor, they edit the draft, and only an owner
submits it."""

import re
from datetime import timedelta

from django.core import mail
from django.urls import reverse
from django.utils import timezone

from applicants.models import Application, Invitation
from tests.builders.accounts import confirm_identity
from tests.builders.applicants import PROJECT
from tests.factories import UserFactory


def invite_colleague(client, capture, application, email="colleague@harbour.example.hk"):
    page = client.get(reverse("applicants:application", args=[application.pk])).content.decode()
    members = reverse("applicants:members", args=[application.organisation_id]) + "#invite"
    assert f'href="{members}"' in page
    assert "Invite a colleague to co-edit this draft" in page
    with capture(execute=True):
        confirm_identity(client).post(members.split("#")[0], {"email": email,
                                                              "role": "editor"})
    [message] = [m for m in mail.outbox if email in m.to]
    return re.search(r"(/applicant/invitations/[^/\s]+/)", message.body).group(1)


def test_an_invited_colleague_co_edits_and_only_the_owner_submits(
        client, owner, ready_draft, django_capture_on_commit_callbacks):
    client.force_login(owner)
    link = invite_colleague(client, django_capture_on_commit_callbacks, ready_draft)
    colleague = UserFactory(email="colleague@harbour.example.hk")
    client.force_login(colleague)
    client.post(link)

    response = client.post(reverse("applicants:section", args=[ready_draft.pk, "project"]),
                           {**PROJECT, "title": "Cantonese notes for clinics",
                            "version": ready_draft.version, "save": "1"})
    assert response.status_code == 302
    assert Application.objects.get(pk=ready_draft.pk).title == "Cantonese notes for clinics"

    page = client.get(reverse("applicants:application",
                              args=[ready_draft.pk])).content.decode()
    assert "Only an owner of the company can submit" in page
    check = client.get(reverse("applicants:submit", args=[ready_draft.pk])).content.decode()
    assert "Only an owner of the company can submit" in check
    assert "Submit the application" not in check
    assert client.post(reverse("applicants:submit", args=[ready_draft.pk])).status_code == 403
    assert Application.objects.get(pk=ready_draft.pk).status == "draft"

    client.force_login(owner)
    client.post(reverse("applicants:submit", args=[ready_draft.pk]))
    assert Application.objects.get(pk=ready_draft.pk).status == "submitted"


def test_an_expired_invitation_lets_nobody_in(client, owner, draft,
                                              django_capture_on_commit_callbacks):
    client.force_login(owner)
    link = invite_colleague(client, django_capture_on_commit_callbacks, draft)
    Invitation.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    colleague = UserFactory(email="colleague@harbour.example.hk")
    client.force_login(colleague)
    response = client.post(link, follow=True)
    assert "This invitation has expired" in response.content.decode()
    assert client.get(reverse("applicants:section",
                              args=[draft.pk, "project"])).status_code == 404


def test_an_editor_is_not_offered_to_invite(client, draft):
    from applicants.models import Membership
    from tests.builders.applicants import member

    client.force_login(member(draft.organisation, Membership.Role.EDITOR))
    page = client.get(reverse("applicants:application", args=[draft.pk])).content.decode()
    assert "Invite a colleague to co-edit this draft" not in page
