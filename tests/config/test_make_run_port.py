"""`make run PORT=…` serves on that port, and the links in the emails it writes use it."""

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.skipif(not shutil.which("make"), reason="needs GNU make, as `make run` does")
def test_the_site_url_follows_the_port():
    commands = subprocess.run(["make", "-n", "run", "PORT=8123"], cwd=ROOT, check=True,
                              capture_output=True, text=True).stdout.splitlines()
    seeding = next(line for line in commands if "seed_demo" in line)
    serving = next(line for line in commands if "runserver" in line)
    assert "SITE_URL=http://127.0.0.1:8123" in seeding
    assert "SITE_URL=http://127.0.0.1:8123" in serving
    assert "runserver 127.0.0.1:8123" in serving
