"""A signed-in session that has just confirmed who it is, as a sensitive change asks."""

from django.urls import reverse

# The password every factory-made account has (tests/factories/platform.py).
FACTORY_PASSWORD = "Correct-Horse-Battery-9"  # noqa: S105


def confirm_identity(client, password: str = FACTORY_PASSWORD):
    """Confirm the password on allauth's page, as the step-up before a sensitive change asks
    (an account with a second factor confirms that too, on its own page)."""
    response = client.post(reverse("account_reauthenticate"), {"password": password})
    assert response.status_code == 302, response.content.decode()[:500]
    return client
