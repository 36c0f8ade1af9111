import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _english_unless_asked():
    """Pages are read in English; a page asked for in Chinese switches back afterwards."""
    translation.activate("en")
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _private_storage(settings, tmp_path):
    """Uploaded documents go to a throw-away directory."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                    "OPTIONS": {"location": str(tmp_path / "media"), "base_url": None}},
    }


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Runs what waits for the commit (the outbox's hand-over, file deletions) as a real
    commit would: ``with committed(): ...``."""
    return lambda: django_capture_on_commit_callbacks(execute=True)
