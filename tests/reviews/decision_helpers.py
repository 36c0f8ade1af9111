"""Builders for the screening, decision and staff-page tests: applications are made and
moved through the applicants services and the workflow engine, as users would."""

from decimal import Decimal

from applicants.services.drafts import application_create_draft
from applicants.services.submission import application_submit
from applicants.workflow import application_transition
from reviews.services.decisions import application_approve
from subsidy.platform.roles import Role
from tests.builders.applicants import fill
from tests.builders.reviews import panel_declared
from tests.factories import FundingRoundFactory, MembershipFactory, UserFactory

# PROJECT of tests.applicants.conftest: total eligible cost 1,000,000; requested 700,000.
TOTAL = Decimal("1000000.00")
REQUESTED = Decimal("700000.00")

STEPS_TO = {
    "submitted": [],
    "screening": ["start_screening"],
    "in_review": ["start_screening", "pass_to_review"],
    "reviewed": ["start_screening", "pass_to_review", "complete_review"],
}


def use_private_storage(settings, tmp_path) -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                    "OPTIONS": {"location": str(tmp_path / "media"), "base_url": None}},
    }


def make_round(**values):
    values.setdefault("required_documents", ["business_plan"])
    return FundingRoundFactory(**values)


def make_application(round_, *, owner=None, organisation=None, state="submitted",
                     officer=None, panel=None, **organisation_values):
    """A complete application of a new company, submitted and moved on to ``state``; the
    ``panel`` member, if any, declares no conflict in it once it is in review."""
    if organisation is None:
        owner = owner or UserFactory(roles=[Role.APPLICANT])
        organisation_values.setdefault("sector", "nlp")
        organisation = MembershipFactory(user=owner, **{f"organisation__{k}": v
                                                        for k, v in organisation_values.items()}
                                         ).organisation
    application = application_create_draft(actor=owner, organisation=organisation,
                                           round_=round_)
    fill(owner, application)
    application_submit(actor=owner, application=application)
    officer = officer or UserFactory(roles=[Role.PROGRAMME_OFFICER])
    for step in STEPS_TO[state]:
        application_transition(actor=officer, application=application, transition_name=step)
        if step == "pass_to_review" and panel is not None:
            panel_declared(panel, application)
    application.refresh_from_db()
    application.owner = owner
    return application


def make_offer(round_, *, panel, amount=REQUESTED, **kwargs):
    application = make_application(round_, state="reviewed", panel=panel, **kwargs)
    application_approve(actor=panel, application=application, amount=amount)
    application.refresh_from_db()
    return application
