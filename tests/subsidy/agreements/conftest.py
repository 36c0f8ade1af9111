"""An offered grant with two conditions, the staff who check them, and a signed one."""

import pytest

from applicants.models import Organisation
from subsidy.platform.roles import Role
from tests.builders.agreements import sign_offer
from tests.builders.finance import make_offered_grant
from tests.factories import UserFactory

CONDITIONS = ("1. Sign the data-sharing agreement with the clinics.\n"
              "2) 提交經審計的財務報表。\n")


@pytest.fixture
def officer(db):
    return UserFactory(roles=[Role.PROGRAMME_OFFICER])


@pytest.fixture
def offered_grant(db):
    grant = make_offered_grant(conditions=CONDITIONS)
    Organisation.objects.filter(pk=grant.application.organisation_id).update(
        name_zh="粵語語音科技有限公司")
    grant.application.organisation.refresh_from_db()
    return grant


@pytest.fixture
def signed_grant(offered_grant):
    sign_offer(offered_grant.owner, offered_grant.application)
    offered_grant.refresh_from_db()
    return offered_grant
