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
