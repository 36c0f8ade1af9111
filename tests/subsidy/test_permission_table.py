"""The permission table: every action, asked by every role, states its answer here once.

Each row lists, per column, what ``can`` answers:
  Y  yes (on anybody's object, for object-level actions)
  .  no
  O  only on an object the user is related to, never on another company's or partner's one

"Related" means: a person owns the company (is an owner member of the organisation that
holds the application), is the reviewer of the assignment, or works for the partner
organisation; a partner's API client holds an active link to the company, or is the
partner's own key. The same relation is set up for every role, so the table shows what the
role adds to it. Adding an action or a role without a row or column fails this file.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from applicants.models import Membership, PartnerLink
from applicants.services.drafts import application_create_draft
from reviews.models import Assignment
from subsidy.api.auth import PartnerClient
from subsidy.api.services.keys import api_key_create
from subsidy.platform.models import PartnerMember
from subsidy.platform.permissions import Action, can
from subsidy.platform.roles import Role
from tests.factories import (
    FundingRoundFactory,
    MembershipFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

A = Action
API_CLIENT = "partner_api_client"
COLUMNS = (Role.APPLICANT, Role.PARTNER, Role.REVIEWER, Role.PROGRAMME_OFFICER,
           Role.PANEL_MEMBER, Role.FINANCE_OFFICER, Role.FINANCE_APPROVER, Role.ADMINISTRATOR,
           API_CLIENT)

# What the object of an object-level action is; None: the action takes no object.
ORGANISATION, APPLICATION, ASSIGNMENT, PARTNER = ("organisation", "application", "assignment",
                                                  "partner")

TABLE = {
    #                             object        APP PAR REV PO  PM  FO  FA  ADM API
    A.VIEW_STAFF_DASHBOARD:      (None,         " .   .   Y   Y   Y   Y   Y   Y   . "),
    A.MANAGE_ROUNDS:             (None,         " .   .   .   Y   .   .   .   Y   . "),
    A.VIEW_AUDIT:                (None,         " .   .   .   Y   .   .   Y   Y   . "),
    A.SCREEN_APPLICATIONS:       (None,         " .   .   .   Y   .   .   .   .   . "),
    A.ASSIGN_REVIEWERS:          (None,         " .   .   .   Y   .   .   .   .   . "),
    A.REVIEW_APPLICATION:        (None,         " .   .   Y   .   .   .   .   .   . "),
    A.DECIDE_APPLICATIONS:       (None,         " .   .   .   .   Y   .   .   .   . "),
    A.PREPARE_PAYMENT:      (None,         " .   .   .   .   .   Y   .   .   . "),
    A.APPROVE_PAYMENT:      (None,         " .   .   .   .   .   .   Y   .   . "),
    A.VIEW_FINANCE_REPORTS:      (None,         " .   .   .   Y   .   Y   Y   Y   . "),
    A.MANAGE_USERS:              (None,         " .   .   .   .   .   .   .   Y   . "),
    A.CREATE_ORGANISATION:       (None,         " Y   .   .   .   .   .   .   .   . "),
    A.VIEW_ORGANISATION:         (ORGANISATION, " O   O   O   O   O   O   O   O   O "),
    A.EDIT_ORGANISATION:         (ORGANISATION, " O   O   O   O   O   O   O   O   O "),
    A.MANAGE_MEMBERS:            (ORGANISATION, " O   O   O   O   O   O   O   O   . "),
    A.VIEW_APPLICATION:          (APPLICATION,  " O   O   O   Y   Y   O   O   Y   O "),
    A.EDIT_APPLICATION:          (APPLICATION,  " O   O   O   O   O   O   O   O   O "),
    A.SUBMIT_APPLICATION:        (APPLICATION,  " O   O   O   O   O   O   O   O   O "),
    A.WITHDRAW_APPLICATION:      (APPLICATION,  " O   O   O   O   O   O   O   O   O "),
    A.RESPOND_TO_OFFER:          (APPLICATION,  " O   O   O   O   O   O   O   O   . "),
    A.ADMINISTER_GRANTS:         (None,         " .   .   .   Y   .   .   .   .   . "),
    A.MANAGE_API_KEYS:           (None,         " .   .   .   .   .   .   .   Y   . "),
    A.CLAIM_TRANCHE:             (APPLICATION,  " O   O   O   O   O   O   O   O   . "),
    A.VIEW_GRANT:                (APPLICATION,  " O   O   O   Y   O   Y   Y   Y   . "),
    A.VERIFY_CLAIM:              (None,         " .   .   .   Y   .   .   .   .   . "),
    A.SUBMIT_CONDITION_EVIDENCE: (APPLICATION,  " O   O   O   O   O   O   O   O   . "),
    A.CHECK_CONDITIONS:          (None,         " .   .   .   Y   .   .   .   .   . "),
    A.MANAGE_BANK_ACCOUNT:       (ORGANISATION, " O   O   O   O   O   O   O   O   . "),
    A.VIEW_BANK_DETAILS:         (None,         " .   .   .   .   .   Y   Y   .   . "),
    A.VERIFY_BANK_ACCOUNT:       (None,         " .   .   .   .   .   Y   Y   .   . "),
    A.RELEASE_PAYMENT_BATCH:     (None,         " .   .   .   .   .   Y   Y   .   . "),
    A.MANAGE_REVIEWER_POOL:      (None,         " .   .   .   Y   .   .   .   .   . "),
    A.VIEW_REVIEWS:              (None,         " .   .   .   Y   Y   .   .   Y   . "),
    A.REVIEW_ASSIGNMENT:         (ASSIGNMENT,   " .   .   O   .   .   .   .   .   . "),
    # As VIEW_APPLICATION; a reviewer's declared assignment is the other way in (tested in
    # tests/reviews/test_confidential.py, and by the URL matrix).
    A.READ_APPLICATION_DOCUMENTS: (APPLICATION, " O   O   O   Y   Y   O   O   Y   O "),
    A.DECIDE_REVIEW_CORRECTION:  (None,         " .   .   .   Y   .   .   .   .   . "),
    A.USE_PARTNER_PORTAL:        (PARTNER,      " .   O   .   .   .   .   .   .   . "),
    A.MANAGE_PARTNER_WEBHOOKS:   (PARTNER,      " .   O   .   .   .   .   .   .   O "),
    A.MANAGE_DATA_ACCESS_REQUESTS: (None,       " .   .   .   .   .   .   .   Y   . "),
    A.MANAGE_COMPUTE:            (None,         " .   .   .   Y   .   Y   .   .   . "),
    A.SUBMIT_PROGRESS_REPORT:    (APPLICATION,  " O   O   O   O   O   O   O   O   . "),
    A.REVIEW_PROGRESS_REPORTS:   (None,         " .   .   .   Y   .   .   .   .   . "),
}


def expected(action, column) -> str:
    _kind, row = TABLE[action]
    return row.split()[COLUMNS.index(column)]


def test_the_table_has_a_row_for_every_action_and_a_column_for_every_role():
    assert set(TABLE) == set(Action)
    assert set(COLUMNS) == set(Role) | {API_CLIENT}
    for action, (kind, row) in TABLE.items():
        cells = row.split()
        assert len(cells) == len(COLUMNS), action
        assert set(cells) <= ({"Y", "."} if kind is None else {"Y", ".", "O"}), action


# -- The people and objects of one question ---------------------------------------------

def _principal(column, partner):
    if column == API_CLIENT:
        administrator = UserFactory(roles=[Role.ADMINISTRATOR])
        issued = api_key_create(actor=administrator, name="Portal", scopes=["rounds:read"],
                                partner=partner)
        return PartnerClient(partner=partner, api_key=issued.api_key)
    return UserFactory(roles=[column])


def _company(principal, partner, *, related: bool):
    """An organisation and its founder; the principal is related to it when ``related``."""
    founder = MembershipFactory(role=Membership.Role.OWNER)
    organisation = founder.organisation
    if related and isinstance(principal, PartnerClient):
        now = timezone.now()
        PartnerLink.objects.create(partner=partner, organisation=organisation,
                                   created_via=PartnerLink.Origin.API, requested_at=now,
                                   linked_at=now)
    elif related:
        MembershipFactory(user=principal, organisation=organisation,
                          role=Membership.Role.OWNER)
    return organisation, founder.user


def _objects(kind, principal, partner, other_partner):
    """(an object the principal is related to, one they are not) for ``kind``."""
    if kind == PARTNER:
        if not isinstance(principal, PartnerClient):
            PartnerMember.objects.create(partner=partner, user=principal)
        return partner, other_partner
    (own, own_founder), (other, other_founder) = (
        _company(principal, partner, related=True), _company(principal, partner, related=False))
    if kind == ORGANISATION:
        return own, other
    round_ = FundingRoundFactory()
    own_application = application_create_draft(actor=own_founder, organisation=own,
                                                round_=round_)
    other_application = application_create_draft(actor=other_founder, organisation=other,
                                                  round_=round_)
    if kind == APPLICATION:
        return own_application, other_application
    # An API client is never anybody's reviewer: its "own" assignment is someone else's.
    due = timezone.now() + timedelta(days=14)
    own_reviewer = (UserFactory(roles=[Role.REVIEWER]) if isinstance(principal, PartnerClient)
                    else principal)
    return (
        Assignment.objects.create(application=own_application, reviewer=own_reviewer,
                                  due_at=due),
        Assignment.objects.create(application=other_application, due_at=due,
                                  reviewer=UserFactory(roles=[Role.REVIEWER])),
    )


@pytest.mark.parametrize("column", COLUMNS)
@pytest.mark.parametrize("action", list(Action))
def test_every_role_gets_the_answer_of_the_table(action, column, partner, other_partner):
    kind, _row = TABLE[action]
    answer = expected(action, column)
    principal = _principal(column, partner)
    if kind is None:
        assert can(principal, action) is (answer == "Y")
        return
    own, others = _objects(kind, principal, partner, other_partner)
    assert (can(principal, action, own), can(principal, action, others)) == {
        "Y": (True, True), "O": (True, False), ".": (False, False)}[answer]
