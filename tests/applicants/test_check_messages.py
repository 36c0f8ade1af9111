import pytest

from applicants.checks import application_submission_problems
from applicants.models import Application
from tests.factories import FundingRoundFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


def test_missing_principles_and_declarations_are_named_so_the_summary_tells_them_apart():
    application = Application.objects.create(round=FundingRoundFactory(),
                                             organisation=OrganisationFactory())

    problems = dict(application_submission_problems(application))

    assert "safety-native design" in problems["rai_safety"]
    assert "human-oriented systems" in problems["rai_human"]
    assert "transparency" in problems["rai_transparency"]
    declarations = [problems[name] for name in
                    ("declares_accurate", "declares_no_double_funding", "declares_compliance")]
    assert len(set(declarations)) == 3
    assert "no other public funding" in problems["declares_no_double_funding"]
