"""README.md stays true to the code it documents."""

import re
from pathlib import Path

from django.conf import settings

from subsidy.devdata.demo import DEMO_PASSWORD, DEMO_USERS

BASE_DIR = Path(settings.BASE_DIR)
README = (BASE_DIR / "README.md").read_text()


def _section(title: str) -> str:
    return README.split(f"## {title}\n", 1)[1].split("\n## ", 1)[0]


def test_configuration_reference_lists_every_variable_the_settings_read():
    source = (BASE_DIR / "config" / "settings.py").read_text()
    read = set(re.findall(r"\benv(?:\.\w+)?\(\s*[\"']([A-Z][A-Z0-9_]*)[\"']", source))
    documented = set(re.findall(r"^\| `([A-Z][A-Z0-9_]*)` \|", _section("Configuration reference"),
                                re.MULTILINE))

    assert read
    assert read - documented == set(), "variables read by settings.py but not documented"


def test_demo_logins_table_lists_every_demo_user_and_the_password():
    logins = _section("Demo logins")

    assert DEMO_PASSWORD in logins
    for email, *_ in DEMO_USERS:
        assert f"| {email} |" in logins
