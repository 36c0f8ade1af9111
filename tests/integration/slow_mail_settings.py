"""Settings of a worker whose deliveries hang in the middle (``slow_backend``)."""

from config.settings import *  # noqa: F403

EMAIL_BACKEND = "tests.integration.slow_backend.EmailBackend"
