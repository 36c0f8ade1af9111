"""The browser tests of this folder use the shared Chromium ``page`` fixture."""

from tests.browser.chromium import page  # noqa: F401 - the fixture, found by pytest here
