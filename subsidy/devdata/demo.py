"""Demo data for a local run: the scheme, an open round, one user per role, companies.

Idempotent: running it again finds what exists and changes nothing that is already there.
"""

from datetime import date, timedelta
from decimal import Decimal

from allauth.account.models import EmailAddress
from django.db import transaction
from django.utils import timezone

from applicants.models import Membership, Organisation, PartnerLink
from reviews.models import ReviewerPoolMember
from subsidy.devdata.companies import company_numbers_fill
from subsidy.platform.models import PartnerMember, PartnerOrganisation, User, UserRole
from subsidy.platform.roles import Role
from subsidy.scheme.models import DocumentType, FundingRound, Scheme, Sector

DEMO_PASSWORD = "Cyberport-Demo-2026"  # noqa: S105 - printed for the local demo only

DEMO_USERS = [
    ("admin@demo.aiss.hk", "Ada Administrator", "en", [Role.ADMINISTRATOR]),
    ("officer@demo.aiss.hk", "Olivia Chan (Programme officer)", "en", [Role.PROGRAMME_OFFICER]),
    ("reviewer1@demo.aiss.hk", "Dr Raymond Lee (Reviewer)", "en", [Role.REVIEWER]),
    ("reviewer2@demo.aiss.hk", "黃慧儀博士（評審）", "zh-hant", [Role.REVIEWER]),
    ("reviewer3@demo.aiss.hk", "Prof. Kenneth Ho (Reviewer)", "en", [Role.REVIEWER]),
    ("panel@demo.aiss.hk", "Patrick Wong (Panel member)", "en", [Role.PANEL_MEMBER]),
    ("finance@demo.aiss.hk", "Fiona Lam (Finance officer)", "en", [Role.FINANCE_OFFICER]),
    ("approver@demo.aiss.hk", "Alan Tsang (Finance approver)", "en", [Role.FINANCE_APPROVER]),
    ("treasury@demo.aiss.hk", "Tammy Ho (Finance officer, releases batches)", "en",
     [Role.FINANCE_OFFICER]),
    ("applicant@demo.aiss.hk", "Amy Cheung (Applicant)", "en", [Role.APPLICANT]),
    ("applicant.zh@demo.aiss.hk", "陳大文（申請人）", "zh-hant", [Role.APPLICANT]),
    ("partner@demo.aiss.hk", "Peter Yip (Partner)", "en", [Role.PARTNER]),
]

# The demo partner organisation, the person who uses its pages, the company it acts for
# (approved by the company's owner) and the company whose owner has yet to answer.
DEMO_PARTNER = ("Victoria Harbour Incubator", "api@incubator.demo.aiss.hk",
                "partner@demo.aiss.hk")
DEMO_PARTNER_LINKED_BR, DEMO_PARTNER_REQUESTED_BR = "63456789", "62345678"

DEMO_REVIEWER_EXPERTISE = [
    ("reviewer1@demo.aiss.hk", ["computer vision", "robotics"]),
    ("reviewer2@demo.aiss.hk", ["nlp", "cantonese"]),
    ("reviewer3@demo.aiss.hk", ["generative ai", "finance"]),
]

# Owner, names, BR number, Companies Registry number, district, sector, incubatee.
DEMO_ORGANISATIONS = [
    ("applicant@demo.aiss.hk", "Harbour Vision AI Limited", "港灣視覺人工智能有限公司",
     "61234567", "3123456", "SK", Sector.COMPUTER_VISION, True),
    ("applicant.zh@demo.aiss.hk", "Lion Rock Language Technologies Limited",
     "獅子山語言科技有限公司", "62345678", "3234567", "WTS", Sector.NLP, False),
    ("applicant@demo.aiss.hk", "Kowloon Robotics Limited", "九龍機械人有限公司",
     "63456789", "3345678", "KT", Sector.ROBOTICS, True),
]


@transaction.atomic
def demo_seed() -> dict:
    scheme, _ = Scheme.objects.get_or_create(
        code="aiss",
        defaults={"name_en": "Cyberport AI Subsidy Scheme",
                  "name_zh": "數碼港人工智能資助計劃",
                  "budget": Decimal("500000000.00")},
    )
    now = timezone.now()
    FundingRound.objects.get_or_create(
        code="2026R1",
        defaults={
            "scheme": scheme,
            "title_en": "AI Subsidy Scheme – Round 1 (2026)",
            "title_zh": "人工智能資助計劃 – 2026 年第一輪",
            "status": FundingRound.Status.OPEN,
            "opens_at": now - timedelta(days=1),
            "closes_at": now + timedelta(days=30),
            "envelope": Decimal("100000000.00"),
            "max_subsidy_per_project": Decimal("5000000.00"),
            "max_ratio_percent": Decimal("70.00"),
            "eligible_categories": [s for s in Sector.values if s in {
                "nlp", "computer_vision", "predictive_analytics", "generative_ai",
                "robotics", "ai_other"}],
            "required_documents": [DocumentType.BUSINESS_PLAN,
                                   DocumentType.FINANCIAL_STATEMENTS,
                                   DocumentType.BR_CERTIFICATE],
            "gpu_hour_rate": Decimal("18.50"),
            "reviewers_per_application": 3,
        },
    )
    users = {}
    for email, name, language, roles in DEMO_USERS:
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(email=email, password=DEMO_PASSWORD,
                                            full_name=name, language=language)
            if Role.ADMINISTRATOR in roles:
                user.is_staff = user.is_superuser = True
                user.save(update_fields=["is_staff", "is_superuser"])
        EmailAddress.objects.get_or_create(
            user=user, email=email, defaults={"verified": True, "primary": True}
        )
        for role in roles:
            UserRole.objects.get_or_create(user=user, role=role)
        users[email] = (user, roles)
    for owner_email, name_en, name_zh, br, cr, district, sector, incubatee in (
            DEMO_ORGANISATIONS):
        organisation, created = Organisation.objects.get_or_create(
            br_number=br,
            defaults={"name_en": name_en, "name_zh": name_zh, "cr_number": cr,
                      "district": district,
                      "incorporation_date": date(2022, 3, 1), "size": Organisation.Size.SMALL,
                      "sector": sector, "is_cyberport_incubatee": incubatee},
        )
        company_numbers_fill(organisation, cr_number=cr, district=district)
        Membership.objects.get_or_create(organisation=organisation,
                                         user=users[owner_email][0],
                                         defaults={"role": Membership.Role.OWNER})
    _demo_partner_seed(users)
    # The demo reviewers form the open round's pool, so assignment works from the first run.
    open_round = FundingRound.objects.get(code="2026R1")
    for email, expertise in DEMO_REVIEWER_EXPERTISE:
        ReviewerPoolMember.objects.get_or_create(
            round=open_round, reviewer=users[email][0],
            defaults={"expertise": expertise, "capacity": 10})
    # Demo applications at each stage of the assessment, for the officer and the panel.
    from subsidy.devdata.applications import demo_applications_seed

    demo_applications_seed(round_=open_round, officer=users["officer@demo.aiss.hk"][0],
                           reviewer=users["reviewer2@demo.aiss.hk"][0])
    # A company with an accepted offer, for the money side: tranches, claim, payment.
    from subsidy.devdata.grants import demo_accepted_grant_seed

    demo_accepted_grant_seed(round_=open_round, owner=users["applicant@demo.aiss.hk"][0],
                             officer=users["officer@demo.aiss.hk"][0],
                             panel=users["panel@demo.aiss.hk"][0],
                             verifier=users["approver@demo.aiss.hk"][0])
    # An offer waiting for its owner's signature, with conditions precedent.
    from subsidy.devdata.grants import demo_offer_to_sign_seed

    demo_offer_to_sign_seed(round_=open_round, owner=users["applicant.zh@demo.aiss.hk"][0],
                            officer=users["officer@demo.aiss.hk"][0],
                            panel=users["panel@demo.aiss.hk"][0])
    # A variation of the Sha Tin grant waiting for the programme officer.
    from subsidy.devdata.variations import demo_variation_seed

    demo_variation_seed(owner=users["applicant@demo.aiss.hk"][0])
    # A grant whose every tranche is paid, for the officer to close from its checklist.
    from subsidy.devdata.closure import demo_grant_to_close_seed

    demo_grant_to_close_seed(round_=open_round, owner=users["applicant@demo.aiss.hk"][0],
                             officer=users["officer@demo.aiss.hk"][0],
                             panel=users["panel@demo.aiss.hk"][0],
                             finance=users["finance@demo.aiss.hk"][0],
                             approver=users["approver@demo.aiss.hk"][0],
                             treasury=users["treasury@demo.aiss.hk"][0])
    # The Sha Tin grant's compute allocation at the AISC, with two monthly statements.
    from subsidy.devdata.compute import demo_compute_seed

    demo_compute_seed(officer=users["officer@demo.aiss.hk"][0])
    # A started grant with a report returned (sent late) and the next one due in a week.
    from subsidy.devdata.progress import demo_reporting_seed

    demo_reporting_seed(round_=open_round, owner=users["applicant@demo.aiss.hk"][0],
                        officer=users["officer@demo.aiss.hk"][0],
                        panel=users["panel@demo.aiss.hk"][0])
    # Data access requests on the administrators' register: one running, one overdue.
    from subsidy.devdata.privacy import demo_data_access_requests_seed

    demo_data_access_requests_seed(admin=users["admin@demo.aiss.hk"][0])
    return {"scheme": scheme, "users": users}


def _demo_partner_seed(users: dict) -> None:
    name, contact_email, member_email = DEMO_PARTNER
    partner, _ = PartnerOrganisation.objects.get_or_create(
        name=name, defaults={"contact_email": contact_email})
    PartnerMember.objects.get_or_create(user=users[member_email][0],
                                        defaults={"partner": partner})
    now = timezone.now()
    linked = Organisation.objects.get(br_number=DEMO_PARTNER_LINKED_BR)
    owner = linked.memberships.filter(role=Membership.Role.OWNER).first()
    PartnerLink.objects.get_or_create(
        partner=partner, organisation=linked, revoked_at__isnull=True,
        defaults={"created_via": PartnerLink.Origin.CONSENT, "requested_at": now,
                  "linked_at": now, "linked_by": owner.user if owner else None})
    PartnerLink.objects.get_or_create(
        partner=partner, organisation=Organisation.objects.get(br_number=DEMO_PARTNER_REQUESTED_BR),
        revoked_at__isnull=True, defaults={"created_via": PartnerLink.Origin.CONSENT})
