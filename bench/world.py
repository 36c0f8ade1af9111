"""The data scenarios 4 to 6 start from: staff, a scheme with one open round, companies with
their owners, a partner organisation with an API key, and a complete application as a
partner portal would send it.

Plain rows (people, companies, links) are bulk-created, since no rule depends on how they
were made; everything that carries a rule (keys, applications, decisions) goes through the
services. Call these after ``bench.common.use_database``.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

ROUND_CODE = "2026R1"
REQUIRED_DOCUMENTS = ["business_plan", "financial_statements", "br_certificate"]
GPU_HOUR_RATE = Decimal("18.50")


def staff(role: str, count: int = 1, *, tag: str = "") -> list:
    """``count`` active staff users holding ``role``."""
    from subsidy.platform.models import User, UserRole

    users = [User(email=f"{role}{tag}{n}@cyberport.example.hk", full_name=f"{role} {n}",
                  language="en") for n in range(count)]
    for user in users:
        user.set_unusable_password()
    users = User.objects.bulk_create(users)
    UserRole.objects.bulk_create([UserRole(user=user, role=role) for user in users])
    return users


def open_round(*, envelope: Decimal = Decimal("400000000.00"), code: str = ROUND_CODE,
               required_documents: list[str] | None = None):
    """An open round of a HK$500M scheme, accepting submissions for the next 30 days."""
    from django.utils import timezone

    from subsidy.scheme.models import FundingRound, Scheme

    scheme = Scheme.objects.create(code="aiss", name_en="Cyberport AI Subsidy Scheme",
                                   budget=Decimal("500000000.00"))
    now = timezone.now()
    return FundingRound.objects.create(
        scheme=scheme, code=code, title_en=f"AI Subsidy Scheme {code}",
        status=FundingRound.Status.OPEN, opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=30), envelope=envelope,
        max_subsidy_per_project=Decimal("5000000.00"), max_ratio_percent=Decimal("70.00"),
        gpu_hour_rate=GPU_HOUR_RATE,
        eligible_categories=["nlp", "computer_vision", "generative_ai"],
        required_documents=REQUIRED_DOCUMENTS if required_documents is None
        else required_documents)


def companies(count: int, *, partner=None) -> list:
    """``count`` companies, each with an active owner (who receives the receipts), linked to
    ``partner`` when one is given."""
    from django.utils import timezone

    from applicants.models import Membership, Organisation, PartnerLink
    from subsidy.platform.models import User

    organisations = Organisation.objects.bulk_create([
        Organisation(name_en=f"Harbour AI {n} Limited", name_zh=f"海港人工智能{n}有限公司",
                     br_number=f"{30000000 + n}", incorporation_date=date(2023, 1, 15),
                     size=Organisation.Size.MICRO, sector="nlp")
        for n in range(count)])
    owners = [User(email=f"founder{n}@harbour{n}.example.hk", full_name=f"Founder {n}",
                   language="zh-hant" if n % 3 == 0 else "en") for n in range(count)]
    for owner in owners:
        owner.set_unusable_password()
    owners = User.objects.bulk_create(owners)
    Membership.objects.bulk_create([
        Membership(organisation=organisation, user=owner, role=Membership.Role.OWNER)
        for organisation, owner in zip(organisations, owners, strict=True)])
    if partner is not None:
        now = timezone.now()
        PartnerLink.objects.bulk_create([
            PartnerLink(partner=partner, organisation=organisation,
                        created_via=PartnerLink.Origin.API, requested_at=now, linked_at=now)
            for organisation in organisations])
    return organisations


def partner_key(scopes: list[str]) -> str:
    """A partner organisation and the plaintext of a key issued to it with ``scopes``."""
    from subsidy.api.services.keys import api_key_create
    from subsidy.platform.models import PartnerOrganisation
    from subsidy.platform.roles import Role

    admin = staff(Role.ADMINISTRATOR, tag="-keys")[0]
    partner = PartnerOrganisation.objects.create(name="Science Park Incubator",
                                                 contact_email="api@incubator.example.hk")
    return api_key_create(actor=admin, name="Portal", scopes=scopes, partner=partner).plaintext


def application_body(n: int, *, start: date | None = None) -> dict:
    """Every field of a complete application, as the partner API takes it in one PATCH
    (without ``version``). Sizes differ a little per ``n``, as real projects do."""
    start = start or date.today() + timedelta(days=60)
    end = start + timedelta(days=364)
    gpu_hours = 20000 + 100 * (n % 50)
    engineers = Decimal("315000")
    total = GPU_HOUR_RATE * gpu_hours + 2 * engineers
    requested = (total * Decimal("0.65")).quantize(Decimal("1"))
    return {
        "title": f"Cantonese speech recognition for clinics, pilot {n}",
        "summary": "A speech model that transcribes Cantonese and code-mixed consultations "
                   "in public clinics, with the clinician confirming every note.",
        "category": "nlp", "start_date": start.isoformat(), "end_date": end.isoformat(),
        "total_eligible_cost": f"{total:.2f}", "requested_subsidy": f"{requested:.2f}",
        "budget_lines": [
            {"category": "compute", "description": "Model training",
             "gpu_hours": str(gpu_hours), "justification": "Fine-tuning on 3,000 hours."},
            {"category": "personnel", "description": "ML engineers", "quantity": "2",
             "unit_cost": str(engineers), "justification": "Two engineers for a year."}],
        "milestones": [
            {"deliverable": "Data collected", "due_date": (start + timedelta(days=90))
             .isoformat(), "share_percent": "40"},
            {"deliverable": "Model in pilot", "due_date": (start + timedelta(days=270))
             .isoformat(), "share_percent": "30"},
            {"deliverable": "Clinic roll-out", "due_date": end.isoformat(),
             "share_percent": "30"}],
        "team_members": [
            {"name": "Chan Tai Man", "role": "Lead engineer", "expertise": "Speech recognition"},
            {"name": "Wong Siu Ling", "role": "Clinical lead", "expertise": "Primary care"}],
        "rai_safety": "Red-team tests before each release.",
        "rai_human": "Clinicians confirm every transcript.",
        "rai_transparency": "Model cards are published.",
        "declares_accurate": True, "declares_no_double_funding": True,
        "declares_compliance": True, "privacy_notice_accepted": True,
    }


def document_pdf(title: str) -> bytes:
    from subsidy.devdata.applications import demo_pdf

    return demo_pdf(title)


def reviewed_applications(*, round_, organisations, officer) -> list:
    """One complete application per company, drafted and submitted by its owner and taken
    by ``officer`` through screening and review, ready for the panel's decision. The round
    must require no documents."""
    from applicants.models import Membership
    from applicants.services.drafts import application_create_draft
    from applicants.services.partners import application_update
    from applicants.services.submission import application_submit
    from applicants.workflow import application_transition

    owners = dict(Membership.objects.filter(organisation__in=organisations)
                  .values_list("organisation_id", "user"))
    from subsidy.platform.models import User

    users = User.objects.in_bulk(owners.values())
    made = []
    for n, organisation in enumerate(organisations):
        owner = users[owners[organisation.pk]]
        application = application_create_draft(actor=owner, organisation=organisation,
                                               round_=round_)
        application_update(actor=owner, application=application, changes=application_body(n),
                           expected_version=application.version)
        application.refresh_from_db()
        application_submit(actor=owner, application=application)
        for step in ("start_screening", "pass_to_review"):
            application_transition(actor=officer, application=application,
                                   transition_name=step)
        application_transition(actor=None, application=application,
                               transition_name="complete_review")
        made.append(application)
    return made
