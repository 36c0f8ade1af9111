"""The ``page`` fixture of the browser tests: Playwright drives Debian's headless Chromium
against a live server. Browser tests in other folders import it from here.

They need /usr/bin/chromium (CI installs it; locally `apt-get install chromium`), and are
skipped with that reason when it is missing.
"""

import os
import shutil

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


@pytest.fixture
def page(monkeypatch):
    """A fresh Chromium page per test. Playwright and its event loop live only for the test,
    so nothing of them (nor the async-safety switch below) leaks into other tests."""
    if not shutil.which(CHROMIUM):
        pytest.skip(f"needs Chromium at {CHROMIUM} (apt-get install chromium)")
    # Playwright's sync API runs an event loop in this thread; the ORM calls made by the
    # test itself (reading the outbox, checking rows) are still plain synchronous code.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"],
        )
        context = browser.new_context(locale="en-GB")
        page = context.new_page()
        page.set_default_timeout(15000)
        yield page
        context.close()
        browser.close()
