import pytest

from subsidy.platform.roles import Role
from tests.factories import UserFactory


@pytest.fixture
def admin():
    """A scheme administrator."""
    return UserFactory(roles=[Role.ADMINISTRATOR])


@pytest.fixture
def as_admin(client, admin):
    """The test client signed in as ``admin``: a scheme administrator, not the superuser
    of pytest-django's ``admin_client``."""
    client.force_login(admin)
    return client
