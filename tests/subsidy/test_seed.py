from decimal import Decimal

import pytest
from django.core.management import call_command

from applicants.models import Application, Organisation
from reviews.models import Assignment
from subsidy.platform.models import User, UserRole
from subsidy.platform.roles import Role
from subsidy.scheme.models import FundingRound, Scheme

pytestmark = pytest.mark.django_db


def test_seed_demo_creates_scheme_open_round_users_and_companies(capsys):
    call_command("seed_demo")

    scheme = Scheme.objects.get()
    assert scheme.budget == Decimal("500000000.00")
    round_ = FundingRound.objects.get()
    assert round_.envelope == Decimal("100000000.00")
    assert round_.is_accepting_submissions()
    assert 29 <= (round_.closes_at - round_.opens_at).days <= 31
    assert [c["weight"] for c in round_.rubric] == [25, 20, 20, 15, 10, 10]
    held = set(UserRole.objects.values_list("role", flat=True))
    assert held == set(Role.values)
    assert Organisation.objects.count() >= 3
    printed = capsys.readouterr().out
    assert "officer@demo.aiss.hk" in printed and "Cyberport-Demo-2026" in printed


def test_seed_demo_is_idempotent():
    call_command("seed_demo")
    counts = (User.objects.count(), FundingRound.objects.count(), Organisation.objects.count(),
              UserRole.objects.count())
    call_command("seed_demo")
    assert counts == (User.objects.count(), FundingRound.objects.count(),
                      Organisation.objects.count(), UserRole.objects.count())


def test_seed_demo_gives_older_demo_companies_their_numbers_and_keeps_what_is_there():
    call_command("seed_demo")
    Organisation.objects.update(cr_number="", district="")
    kept = Organisation.objects.get(br_number="61234567")
    Organisation.objects.filter(pk=kept.pk).update(district="CW")

    call_command("seed_demo")

    assert not Organisation.objects.filter(cr_number="").exists()
    assert Organisation.objects.get(pk=kept.pk).district == "CW"
    assert Organisation.objects.get(br_number="64567890").district == "ST"


def test_every_demo_login_works(client):
    call_command("seed_demo")
    for user in User.objects.all():
        response = client.post("/accounts/login/",
                               {"login": user.email, "password": "Cyberport-Demo-2026"})
        assert response.status_code == 302, user.email
        assert client.get("/dashboard/").status_code in (200, 302)
        assert "_auth_user_id" in client.session, user.email
        client.post("/accounts/logout/")


def test_seed_demo_links_the_demo_partner_person_and_companies(client):
    from applicants.models import PartnerLink
    from subsidy.platform.models import PartnerMember

    call_command("seed_demo")
    call_command("seed_demo")

    member = PartnerMember.objects.select_related("partner", "user").get()
    assert member.user.email == "partner@demo.aiss.hk"
    links = PartnerLink.objects.filter(partner=member.partner)
    assert [link.organisation.br_number for link in links if link.is_active] == ["63456789"]
    assert [link.organisation.br_number for link in links if link.is_pending] == ["62345678"]
    client.force_login(member.user)
    assert client.get("/dashboard/").url == "/partner/"


def test_the_demo_reviewed_application_has_its_reviews():
    call_command("seed_demo")
    reviewed = Application.objects.get(status="reviewed")
    submitted = Assignment.objects.filter(application=reviewed, status="submitted")
    assert submitted.count() == reviewed.round.reviewers_per_application
    assert all(a.reviews.filter(is_current=True).exists() for a in submitted)
