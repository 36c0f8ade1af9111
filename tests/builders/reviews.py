"""Assessment data: applications already in review, reviewers added to a round's pool and
reviews declared and submitted, through the review services."""

import itertools
from decimal import Decimal

from django.utils import timezone

from applicants.models import Application, ApplicationStatus, status_gate_open
from reviews.services.assignments import declaration_record
from reviews.services.panel import panel_declaration_record
from reviews.services.pool import pool_member_add
from reviews.services.scoring import (
    review_correction_decide,
    review_correction_request,
    review_save,
)
from subsidy.platform.roles import Role
from tests.factories import OrganisationFactory, UserFactory

_numbers = itertools.count(1)


def application_in_review(round_, *, organisation=None, requested=Decimal("1000000.00"),
                          title="Cantonese speech recognition") -> Application:
    """An application that passed screening: created straight in ``in_review`` (the steps
    before it are covered by the workflow's own tests)."""
    number = next(_numbers)
    with status_gate_open():
        return Application.objects.create(
            round=round_, organisation=organisation or OrganisationFactory(),
            status=ApplicationStatus.IN_REVIEW, title=f"{title} {number}",
            reference=f"AISS-{round_.code}-{number:05d}", requested_subsidy=requested,
            total_eligible_cost=requested * 2, submitted_at=timezone.now())


def pooled_reviewer(round_, officer, *, capacity=10, expertise="nlp"):
    reviewer = UserFactory(roles=[Role.REVIEWER])
    pool_member_add(actor=officer, round_=round_, reviewer=reviewer, expertise=expertise,
                    capacity=capacity)
    return reviewer


def scores_for(round_, values) -> dict:
    """``values`` is one score for every criterion, or a list in rubric order."""
    if isinstance(values, int):
        values = [values] * len(round_.rubric)
    return {c["code"]: {"score": v, "comment": f"Comment on {c['code']}"}
            for c, v in zip(round_.rubric, values, strict=True)}


def submit_review(assignment, values, *, recommendation="fund", declare=True):
    if declare:
        declaration_record(actor=assignment.reviewer, assignment=assignment, has_conflict=False)
    return review_save(actor=assignment.reviewer, assignment=assignment,
                       scores=scores_for(assignment.application.round, values),
                       recommendation=recommendation, overall_comment="Solid plan.",
                       submit=True)


def correction_approved(assignment, officer, reason="Misread the budget"):
    """The reviewer asks to correct their submitted review and an officer approves: a new
    draft version is open."""
    request = review_correction_request(actor=assignment.reviewer, assignment=assignment,
                                        reason=reason)
    return review_correction_decide(actor=officer, request=request, approve=True)


def panel_declared(member, *applications):
    """The panel member declares no conflict of interest in each application, as they must
    before deciding it."""
    for application in applications:
        panel_declaration_record(actor=member, application=application, has_conflict=False)
