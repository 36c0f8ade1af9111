"""Every URL of the site, asked by every kind of user, answers as this table says.

The patterns are read from the URL configuration (``django.urls`` resolvers), so a new page
without a row in ``TABLE`` fails ``test_every_url_pattern_has_a_row``. Each row names the
method the page is reached by and the status each column gets:

  anon   not signed in
  owner  an owner of the company that holds the application (its own objects)
  other  an applicant of another company (someone else's objects)
  rev    the application's reviewer, who declared no conflict
  revu   a reviewer of the round's pool not assigned to it
  revc   a reviewer assigned to it who declared a conflict
  panel  a panel member; pnlr: a panel member who declared a conflict on the application
         (recused); offc: a programme officer; fino / fina: finance officer and
         approver (maker and checker); admin: an administrator; partner: a partner
         organisation's user (the partner is linked to the company); ptno: a user of
         another partner organisation (not linked, and not the webhook endpoint's owner)

Objects in the URL are one world (``World``): the company's application in review with its
document, reviewers and a pending correction request, its active grant with a claim, a
payment and a batch, the partner's webhook endpoint, the owner's notification. "Own" and
"other" are the owner against the other company's applicant, the assigned reviewer against
the unassigned and the conflicted one, the panel member against the recused one, and the
partner against another partner: one object, asked by both sides. Claim evidence (the
owner's upload), a recovery order, a bank statement and a data access request exist too,
so the roles that may read them are seen to reach them.

Each request runs in a savepoint rolled back afterwards, so a POST that succeeds changes
nothing for the next column. A POST carries no data: it shows whether the user passes the
permission check (403/404 when not; a redirect or a form error when they do).
``URL_MATRIX_RECORD=1 pytest … -s`` prints the answers in the table's layout, to review row
by row when a page changes on purpose.

Groups without a row, each for a reason:
  - the admin site (``admin/…``): every page is behind ``AdminSite.admin_view``; its index
    stands for all of them in ``test_the_admin_site_lets_in_only_administrators``;
  - ``favicon.ico``: a static file;
  - an API URL without a row (``api/…``): the API authenticates partner API keys, never a
    session, so every such URL must answer 401 to every signed-in user and to anonymous
    visitors (``test_every_api_url_without_a_row_refuses_sessions``); what each key may
    do is tested in ``tests/api``.
"""

import os
from dataclasses import dataclass

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from applicants.models import Membership
from reviews.services.assignments import assignment_create, declaration_record
from reviews.services.scoring import review_correction_request
from subsidy.finance.services.tranches import grant_activate
from subsidy.platform.models import PartnerMember
from subsidy.platform.roles import Role
from tests.builders.applicants import pdf_bytes
from tests.builders.finance import batched_payment, make_accepted_grant
from tests.builders.partners import link
from tests.builders.reviews import pooled_reviewer, submit_review
from tests.config.url_matrix_rows import ROWS
from tests.factories import (
    BankStatementFactory,
    ClaimEvidenceFactory,
    ConditionPrecedentFactory,
    DataAccessRequestFactory,
    GrantAgreementFactory,
    MembershipFactory,
    NotificationFactory,
    PanelAgendaItemFactory,
    PanelDeclarationFactory,
    PanelMeetingFactory,
    PartnerOrganisationFactory,
    ProgressReportFactory,
    RecoveryFactory,
    ReportEvidenceFactory,
    UsageStatementFactory,
    UserFactory,
    VariationFactory,
    WebhookDeliveryFactory,
    WebhookEndpointFactory,
)
from tests.reviews.decision_helpers import make_application, make_round, use_private_storage

COLUMNS = ("anon", "owner", "other", "rev", "revu", "revc", "panel", "pnlr", "offc", "fino",
           "fina", "admin", "partner", "ptno")


# The objects a pattern's ``pk`` names (other arguments take the World's defaults by name).
PK = {
    "mfa_edit_webauthn": {"pk": 999999},
    "compute:statement": {"statement_id": "_compute_statement"},
    "mfa_remove_webauthn": {"pk": 999999},
    "api:organisation-detail": {"pk": "_company"},
    "notifications:mark_read": {"pk": "_notification"},
    "notifications:resend": {"pk": "_failed"},
    "notifications:webhook_delivery_resend": {"pk": "_delivery"},
    "privacy:request": {"pk": "_access_request"},
    "reviews:application_assignments": {"pk": "_application"},
    "reviews:assignment": {"pk": "_assignment"},
    "reviews:assignment_remove": {"pk": "_application"},
    "reviews:correction": {"pk": "_assignment"},
    "reviews:correction_decide": {"pk": "_application"},
    "reviews:declare": {"pk": "_assignment"},
    "reviews:pool_member": {"pk": "_pool_member"},
    "reviews:meeting": {"pk": "_meeting"},
    "reviews:meeting_item": {"pk": "_meeting", "item_pk": "_item"},
    "reviews:meeting_close": {"pk": "_meeting"},
    "reviews:meeting_minutes": {"pk": "_meeting"},
}
TABLE = {name: (method, answers) for name, method, answers in (
    (line[:40].strip(), line[40:44].strip(), line[45:]) for line in ROWS.splitlines()
    if line.strip() and not line.startswith("#"))}


@dataclass
class World:
    """The objects the URLs name, by URL argument."""
    args: dict
    users: dict


def _world() -> World:
    round_ = make_round(code="2026M1", reviewers_per_application=2)
    officer = UserFactory(roles=[Role.PROGRAMME_OFFICER])
    application = make_application(round_, state="in_review", officer=officer)
    owner = application.owner
    company = application.organisation
    editor = MembershipFactory(organisation=company, role=Membership.Role.EDITOR)
    other = make_application(round_, state="in_review", officer=officer).owner
    reviewer = assignment_create(actor=officer, application=application,
                                 reviewer=pooled_reviewer(round_, officer))
    submit_review(reviewer, 4)
    correction = review_correction_request(actor=reviewer.reviewer, assignment=reviewer,
                                           reason="Misread the budget")
    conflicted = assignment_create(actor=officer, application=application,
                                   reviewer=pooled_reviewer(round_, officer))
    declaration_record(actor=conflicted.reviewer, assignment=conflicted, has_conflict=True,
                       reason="Former employer")
    finance_officer = UserFactory(roles=[Role.FINANCE_OFFICER])
    finance_approver = UserFactory(roles=[Role.FINANCE_APPROVER])
    grant = make_accepted_grant()
    # The owner's second company holds the grant: the same person owns both.
    MembershipFactory(user=owner, organisation=grant.application.organisation,
                      role=Membership.Role.OWNER)
    grant_activate(actor=officer, grant=grant)
    payment, batch = batched_payment(grant, officer, finance_officer, finance_approver)
    claim = payment.claim
    # Its signed agreement, and a condition whose evidence waits for the officer.
    GrantAgreementFactory(grant=grant, signed_by=owner)
    condition = ConditionPrecedentFactory(
        grant=grant, status="submitted", evidence_text="Signed.",
        evidence_name="agreement.pdf", evidence_type="application/pdf",
        evidence_file=default_storage.save("conditions/evidence.pdf",
                                           ContentFile(pdf_bytes())))
    variation = VariationFactory(grant=grant, requested_by=owner)
    # Its first report sent, with evidence, waiting for the officer.
    requirement = grant.reporting_requirements.get(number=1)
    report_evidence = ReportEvidenceFactory(
        report=ProgressReportFactory(requirement=requirement, submitted_by=owner),
        uploaded_by=owner, file=default_storage.save("reports/evidence.pdf",
                                                     ContentFile(pdf_bytes())))
    partner = PartnerOrganisationFactory()
    partner_user = UserFactory(roles=[Role.PARTNER])
    PartnerMember.objects.create(partner=partner, user=partner_user)
    partner_link = link(partner, company, via="consent")
    endpoint = WebhookEndpointFactory(partner=partner)
    delivery = WebhookDeliveryFactory(endpoint=endpoint)
    evidence = ClaimEvidenceFactory(claim=claim, uploaded_by=owner,
                                    file=default_storage.save("claims/evidence.pdf",
                                                              ContentFile(pdf_bytes())))
    recovery = RecoveryFactory()
    statement = BankStatementFactory(imported_by=finance_officer)
    access_request = DataAccessRequestFactory()
    recused = UserFactory(roles=[Role.PANEL_MEMBER])
    PanelDeclarationFactory(application=application, member=recused, has_conflict=True,
                            reason="Advises the company")
    other_partner_user = UserFactory(roles=[Role.PARTNER])
    PartnerMember.objects.create(partner=PartnerOrganisationFactory(), user=other_partner_user)
    notification = NotificationFactory(recipient=owner)
    failed = NotificationFactory(recipient=owner, status="failed")
    admin = UserFactory(roles=[Role.ADMINISTRATOR], is_staff=True)
    # A meeting chaired by another member: the panel columns take part, they do not chair.
    item = PanelAgendaItemFactory(meeting=PanelMeetingFactory(round=round_),
                                  application=application)
    users = {
        "anon": None, "owner": owner, "other": other, "rev": reviewer.reviewer,
        "revu": pooled_reviewer(round_, officer), "revc": conflicted.reviewer,
        "panel": UserFactory(roles=[Role.PANEL_MEMBER]), "pnlr": recused, "offc": officer,
        "fino": finance_officer, "fina": finance_approver, "admin": admin,
        "partner": partner_user, "ptno": other_partner_user,
    }
    args = {
        "application_id": application.pk, "organisation_id": company.pk,
        "membership_id": editor.pk, "link_id": partner_link.pk, "answer": "accept",
        "token": "an-unknown-token", "section": "project",
        "document_id": application.documents.get().pk,
        "step": "complete_review", "code": round_.code, "action": "open", "fmt": "csv",
        "assignment_pk": reviewer.pk, "request_pk": correction.pk, "grant_id": grant.pk,
        "number": 2, "claim_id": claim.pk, "evidence_id": evidence.pk, "recovery_id": recovery.pk,
        "statement_id": statement.pk, "_access_request": access_request.pk,
        "version": 1, "condition_id": condition.pk, "variation_id": variation.pk,
        "requirement_id": requirement.pk, "report_evidence_id": report_evidence.pk,
        "indicator_id": grant.round.outcome_indicators.first().pk,
        "payment_id": payment.pk, "batch_id": batch.pk, "endpoint_id": endpoint.pk,
        "delivery_id": delivery.pk, "event": "application_submitted", "language": "en",
        "reference": application.reference, "br_number": "12345678", "key": "x", "uidb36": "x",
        "year": 2020, "month": 1,
        "_notification": notification.pk, "_failed": failed.pk, "_assignment": reviewer.pk,
        "_pool_member": reviewer.reviewer.reviewer_pool_memberships.get().pk,
        "_application": application.pk, "_delivery": delivery.pk, "_company": company.pk,
        "_meeting": item.meeting_id, "_item": item.pk,
        "_compute_statement": UsageStatementFactory().pk,
    }
    return World(args=args, users=users)


def url_patterns(resolver=None, prefix="", namespace=""):
    """(route, name with its namespace, pattern) of every URL, admin included."""
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from url_patterns(pattern, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}:{pattern.name}" if namespace and pattern.name else (
                pattern.name or "")
            yield prefix + str(pattern.pattern), name, pattern


def _group(route: str, name: str) -> str | None:
    if route.startswith("admin/"):
        return "admin"
    if route.startswith("api/") and name not in TABLE:
        return "api"
    if route == "favicon.ico":
        return "favicon"
    return None


def test_every_url_pattern_has_a_row():
    missing = sorted(name or route for route, name, _p in url_patterns()
                     if _group(route, name) is None and name not in TABLE)
    assert missing == [], "add a row to TABLE for each new URL: " + ", ".join(missing)
    stale = sorted(set(TABLE) - {name for _r, name, _p in url_patterns()})
    assert stale == [], "rows for URLs that no longer exist: " + ", ".join(stale)


def test_every_row_has_a_column_for_every_role():
    for name, (method, answers) in TABLE.items():
        assert method in ("GET", "POST"), name
        assert len(answers.split()) == len(COLUMNS), name


def _path(name, pattern, world: World, extra: dict | None) -> str:
    wanted = set(pattern.pattern.converters) | set(pattern.pattern.regex.groupindex)
    # An argument the world does not name is an object that does not exist.
    kwargs = {key: world.args.get(key, 999999) for key in wanted}
    for key, value in (extra or {}).items():
        kwargs[key] = world.args[value] if isinstance(value, str) and value.startswith("_") \
            else value
    return reverse(name, kwargs=kwargs)


def _answer(client: Client, method: str, path: str) -> int:
    with transaction.atomic():
        response = client.get(path) if method == "GET" else client.post(path, {})
        transaction.set_rollback(True)
    return response.status_code


def _clients(world: World) -> dict[str, Client]:
    """One client per column, signed in as its user once."""
    clients = {}
    for column in COLUMNS:
        clients[column] = Client(raise_request_exception=False)
        if world.users[column] is not None:
            clients[column].force_login(world.users[column])
    return clients


@pytest.mark.django_db
def test_every_url_answers_each_role_as_the_table_says(settings, tmp_path):
    use_private_storage(settings, tmp_path)
    world = _world()
    clients = _clients(world)
    patterns = {name: pattern for _route, name, pattern in url_patterns() if name in TABLE}
    recording = os.environ.get("URL_MATRIX_RECORD")
    wrong = []
    for name in sorted(TABLE):
        method, answers = TABLE[name]
        path = _path(name, patterns[name], world, PK.get(name))
        got = [str(_answer(clients[column], method, path)) for column in COLUMNS]
        if recording:
            print(f"{name:<40}{method:<4} {' '.join(got)}")
        if got != answers.split():
            wrong.append(f"{name} {method} {path}\n  expected {answers}\n  got      "
                         f"{' '.join(got)}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.django_db
def test_the_admin_site_lets_in_only_administrators():
    index = reverse("admin:index")
    staff_only = UserFactory(roles=[Role.PROGRAMME_OFFICER])
    administrator = UserFactory(roles=[Role.ADMINISTRATOR], is_staff=True)
    client = Client()
    assert client.get(index).status_code == 302
    client.force_login(staff_only)
    assert client.get(index).status_code == 302
    client.force_login(administrator)
    assert client.get(index).status_code == 200


@pytest.mark.django_db
def test_every_api_url_without_a_row_refuses_sessions(settings, tmp_path):
    use_private_storage(settings, tmp_path)
    world = _world()
    clients = _clients(world)
    wrong = []
    for route, name, pattern in url_patterns():
        if _group(route, name) != "api":
            continue
        path = _path(name, pattern, world, None)
        for column in COLUMNS:
            status = _answer(clients[column], "GET", path)
            if status != 401:
                wrong.append(f"{name} {path} as {column}: {status}")
    assert not wrong, "\n".join(wrong)
    # The clients are reused from URL to URL: each was still signed in as its user to the end.
    assert {column: clients[column].session.get("_auth_user_id") for column in COLUMNS} == {
        column: user and str(user.pk) for column, user in world.users.items()}
