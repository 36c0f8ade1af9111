"""`make test` runs the suite in parallel (pytest-xdist), or in one process with
PYTEST_WORKERS=0, and each process's Celery workers have a Redis database of their own."""

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.integration.workers import broker_url

ROOT = Path(__file__).resolve().parents[2]

needs_make = pytest.mark.skipif(not shutil.which("make"), reason="needs GNU make")


def _pytest_command(*arguments: str) -> str:
    commands = subprocess.run(["make", "-n", "test", *arguments], cwd=ROOT, check=True,
                              capture_output=True, text=True).stdout.splitlines()
    return next(line for line in commands if "-m pytest" in line)


@needs_make
def test_the_suite_runs_on_every_core_dealing_out_tests_one_by_one():
    # Scheduling by module or group keys tests by id, and the schemathesis tests (one per
    # operation) share one: all but one of them would not run.
    command = _pytest_command()
    assert " -n auto " in command
    assert " --dist load " in command


@needs_make
def test_pytest_workers_0_runs_the_suite_in_one_process_with_pytest_args():
    command = _pytest_command("PYTEST_WORKERS=0", "PYTEST_ARGS=-x tests/reviews")
    assert " -n 0 " in command
    assert command.endswith(" -x tests/reviews")


@pytest.mark.parametrize(("process", "expected"), [
    ("gw0", "redis://127.0.0.1:6379/5"),
    ("gw1", "redis://127.0.0.1:6379/6"),
    ("", "redis://127.0.0.1:6379/5"),
])
def test_each_test_process_has_its_own_broker_database(settings, monkeypatch, process,
                                                       expected):
    # The tests empty the broker and their workers consume all of it.
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:6379/5"
    monkeypatch.setenv("PYTEST_XDIST_WORKER", process)
    assert broker_url() == expected
