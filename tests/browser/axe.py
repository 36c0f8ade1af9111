"""axe-core (vendor/axe.min.js) run in a page: the critical and serious findings against
WCAG 2.1 A and AA, each as its rule and the first elements it names."""

from pathlib import Path

AXE = Path(__file__).with_name("vendor") / "axe.min.js"


def serious_findings(page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    return page.evaluate("""async () => {
        const r = await axe.run(document, {runOnly: {type: 'tag',
            values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}});
        return r.violations.filter(v => v.impact === 'critical' || v.impact === 'serious')
            .map(v => v.id + ': ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | '));
    }""")


# A phone's viewport: the screens are checked at this width.
PHONE = {"width": 390, "height": 844}


def signed_in_tab(page, live_server, user, language):
    """A new tab at phone width, signed in as ``user`` and showing ``language``. axe is
    injected as an inline script, which the site's CSP rightly refuses: this context alone
    sets the CSP aside."""
    from django.conf import settings
    from django.test import Client

    context = page.context.browser.new_context(bypass_csp=True, viewport=PHONE)
    client = Client()
    client.force_login(user)
    context.add_cookies([
        {"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url},
        {"name": settings.SESSION_COOKIE_NAME,
         "value": client.cookies[settings.SESSION_COOKIE_NAME].value, "url": live_server.url}])
    tab = context.new_page()
    tab.set_default_timeout(60_000)
    return tab


def fits_and_passes_axe(tab):
    """No critical or serious axe finding, and nothing wider than the phone."""
    assert serious_findings(tab) == []
    assert tab.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
