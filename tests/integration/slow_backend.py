"""An email backend for the worker-crash tests only: it writes a marker file and then waits,
so that the test can kill the worker at a chosen moment of a delivery. With
``SLOW_EMAIL_WHEN=before`` (the default) it waits before the message is written, a worker
dying mid-send; with ``after`` it writes the message first, a worker dying after the mail
server accepted the message but before the delivery was recorded. The marker path and the
wait come from the environment."""

import os
import time
from pathlib import Path

from django.core.mail.backends.filebased import EmailBackend as FileEmailBackend


class EmailBackend(FileEmailBackend):
    def send_messages(self, email_messages):
        accepted_first = os.environ.get("SLOW_EMAIL_WHEN", "before") == "after"
        sent = super().send_messages(email_messages) if accepted_first else 0
        Path(os.environ["SLOW_EMAIL_STARTED_FILE"]).write_text("started")
        time.sleep(float(os.environ.get("SLOW_EMAIL_SECONDS", "60")))
        return sent if accepted_first else super().send_messages(email_messages)
