"""An email backend for the worker-crash test only: it writes a marker file when a delivery
starts, then waits before writing the email, so that the test can kill the worker while a
delivery is in flight. The marker path and the wait come from the environment."""

import os
import time
from pathlib import Path

from django.core.mail.backends.filebased import EmailBackend as FileEmailBackend


class EmailBackend(FileEmailBackend):
    def send_messages(self, email_messages):
        Path(os.environ["SLOW_EMAIL_STARTED_FILE"]).write_text("started")
        time.sleep(float(os.environ.get("SLOW_EMAIL_SECONDS", "60")))
        return super().send_messages(email_messages)
