"""Two steps raced on PostgreSQL, one real connection each, made deterministic.

The first step is held just before its first statement that starts with ``pause_before``
(while it holds whatever locks it has taken); the second starts and runs until it finishes
or waits for a lock; then the first is let go. Whoever took the lock first must win, and
the test asserts what each side saw."""

import threading
import time

from django.db import connection

TIMEOUT = 20


class Racer(threading.Thread):
    """One side of a race on its own connection. ``outcome`` is "done", the ``code`` of an
    expected refusal (or ``refusal_outcome(error)`` when given), or "error: …" for anything
    else (a deadlock fails the test)."""

    def __init__(self, step, *, hold: bool, pause_before: str = "",
                 refusals: tuple[type[Exception], ...] = (), refusal_outcome=None):
        super().__init__()
        self.step, self.hold, self.pause_before = step, hold, pause_before
        self.refusals = refusals
        self.refusal_outcome = refusal_outcome or (lambda error: error.code)
        self.held, self.release = threading.Event(), threading.Event()
        self.backend_pid = None
        self.outcome = None
        self.message = ""

    def _pause(self, execute, sql, params, many, context):
        if sql.startswith(self.pause_before) and not self.held.is_set():
            self.held.set()
            assert self.release.wait(TIMEOUT), "never released"
        return execute(sql, params, many, context)

    def run(self):
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                self.backend_pid = cursor.fetchone()[0]
            if self.hold:
                with connection.execute_wrapper(self._pause):
                    self.step()
            else:
                self.step()
            self.outcome = "done"
        except self.refusals as error:
            self.outcome = self.refusal_outcome(error)
            self.message = str(error)
        except Exception as error:  # noqa: BLE001 - a deadlock or any other failure fails the test
            self.outcome = f"error: {error!r}"
        finally:
            self.held.set()
            connection.close()


def _finished_or_waiting_for_a_lock(racer: Racer) -> bool:
    if not racer.is_alive():
        return True
    if racer.backend_pid is None:
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s",
                       [racer.backend_pid])
        row = cursor.fetchone()
    return bool(row) and row[0] == "Lock"


def race(first: Racer, second: Racer) -> None:
    """Runs ``first`` (held) and ``second`` as the module's docstring says."""
    assert first.hold and not second.hold
    first.start()
    assert first.held.wait(TIMEOUT), "the first step never reached its held statement"
    second.start()
    deadline = time.monotonic() + TIMEOUT
    while not _finished_or_waiting_for_a_lock(second):
        assert time.monotonic() < deadline, "the second step neither finished nor waited"
        time.sleep(0.01)
    first.release.set()
    first.join(TIMEOUT)
    second.join(TIMEOUT)
    assert not first.is_alive() and not second.is_alive(), "deadlock"
