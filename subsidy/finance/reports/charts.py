"""Charts drawn on the server as SVG: no JavaScript library and nothing from a CDN.
Colours come from presentation attributes and CSS classes (the CSP forbids inline style
attributes); every chart has a title and a description for screen readers, and the page
shows the same figures in a table."""

from decimal import Decimal

from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from subsidy.platform.money import money

# PAD_RIGHT leaves room for the last month's label, centred on the chart's right edge.
WIDTH, HEIGHT, PAD_LEFT, PAD_RIGHT, PAD_BOTTOM, PAD_TOP = 640, 240, 96, 32, 40, 16


def _money_short(value: Decimal) -> str:
    """An axis amount in the reader's units: HK$1.5M and HK$300K in English, HK$150萬 and
    HK$1.5億 in Chinese (ten thousands and hundred millions, as Hong Kong counts)."""
    if (get_language() or "").startswith("zh"):
        units = [(100_000_000, "億"), (10_000, "萬")]
    else:
        units = [(1_000_000, "M"), (1_000, "K")]
    for size, unit in units:
        if abs(value) >= size:
            return f"HK${_trim(value / size)}{unit}"
    return f"HK${_trim(value)}"


def _trim(value: Decimal) -> str:
    """1,234 or 2.5: a decimal only where the figure has one."""
    text = f"{value:,.1f}"
    return text[:-2] if text.endswith(".0") else text


def _nice_top(top: Decimal) -> Decimal:
    """The axis' top: four equal steps of 1, 2, 2.5 or 5 times a power of ten (at least
    HK$1), so that the axis shows round, distinct amounts."""
    step = top / 4
    power = Decimal(10) ** (len(str(int(step))) - 1)
    for factor in (1, 2, Decimal("2.5"), 5, 10):
        if step <= power * factor:
            return power * factor * 4
    return top


def _n(value) -> str:
    return f"{float(value):.1f}"


def _frame(title: str, description: str, body: list[str]) -> str:
    return format_html(
        '<svg class="chart" viewBox="0 0 {w} {h}" role="img" aria-labelledby="{id}-t {id}-d" '
        'xmlns="http://www.w3.org/2000/svg"><title id="{id}-t">{title}</title>'
        '<desc id="{id}-d">{desc}</desc>{body}</svg>',
        w=WIDTH, h=HEIGHT, id=escape(title.lower().replace(" ", "-"))[:40], title=title,
        desc=description, body=mark_safe("".join(body)))  # noqa: S308 - built from escaped parts


def _empty(title: str, description: str) -> str:
    """No amounts to draw: a sentence in place of an axis of made-up figures."""
    return _frame(title, description, [format_html(
        '<text x="{x}" y="{y}" text-anchor="middle" font-size="14" fill="#444">{text}</text>',
        x=WIDTH // 2, y=HEIGHT // 2, text=_("Nothing to show yet."))])


def _axis(top: Decimal) -> list[str]:
    parts = []
    plot_h = HEIGHT - PAD_BOTTOM - PAD_TOP
    for step in range(5):
        value = top * step / 4
        y = HEIGHT - PAD_BOTTOM - plot_h * step / 4
        parts.append(format_html(
            '<line x1="{x1}" x2="{x2}" y1="{y}" y2="{y}" stroke="#d0d7de"/>'
            '<text x="{tx}" y="{ty}" text-anchor="end" font-size="11" fill="#444">{label}'
            '</text>', x1=PAD_LEFT, x2=WIDTH - PAD_RIGHT, y=_n(y), tx=PAD_LEFT - 6, ty=_n(y + 4),
            label=_money_short(value)))
    return parts


def bar_chart(*, title: str, description: str, points: list[tuple[str, Decimal]]) -> str:
    """Vertical bars, one per (label, amount)."""
    top = max((amount for _label, amount in points), default=Decimal("0"))
    if top <= 0:
        return _empty(title, description)
    top = _nice_top(top)
    plot_w, plot_h = WIDTH - PAD_LEFT - PAD_RIGHT, HEIGHT - PAD_BOTTOM - PAD_TOP
    body = _axis(top)
    slot = plot_w / max(len(points), 1)
    for index, (label, amount) in enumerate(points):
        bar_h = float(plot_h * amount / top)
        x = PAD_LEFT + slot * index + slot * 0.15
        body.append(format_html(
            '<rect class="chart-bar" x="{x}" y="{y}" width="{w}" height="{h}" '
            'fill="#0b6e99"><title>{label}: {amount}</title></rect>'
            '<text x="{tx}" y="{ty}" text-anchor="middle" font-size="11" fill="#444">'
            '{label}</text>', x=_n(x), y=_n(HEIGHT - PAD_BOTTOM - bar_h), w=_n(slot * 0.7),
            h=_n(bar_h),
            label=label, amount=money(amount), tx=_n(x + slot * 0.35),
            ty=HEIGHT - PAD_BOTTOM + 16))
    return _frame(title, description, body)


def line_chart(*, title: str, description: str, start: Decimal,
               points: list[tuple[str, Decimal]]) -> str:
    """A line from ``start`` through each (label, amount): the budget burn-down."""
    top = max([start, *(amount for _label, amount in points)])
    if top <= 0:
        return _empty(title, description)
    top = _nice_top(top)
    plot_w, plot_h = WIDTH - PAD_LEFT - PAD_RIGHT, HEIGHT - PAD_BOTTOM - PAD_TOP
    body = _axis(top)
    series = [("", start), *points]
    step = plot_w / max(len(series) - 1, 1)
    coords = [(PAD_LEFT + step * i, HEIGHT - PAD_BOTTOM - float(plot_h * amount / top))
              for i, (_label, amount) in enumerate(series)]
    body.append(format_html('<polyline class="chart-line" fill="none" stroke="#b35c00" '
                            'stroke-width="2" points="{}"/>',
                            " ".join(f"{x},{y}" for x, y in coords)))
    for (label, amount), (x, y) in zip(series, coords, strict=True):
        body.append(format_html(
            '<circle cx="{x}" cy="{y}" r="3" fill="#b35c00"><title>{label} {amount}'
            '</title></circle><text x="{x}" y="{ty}" text-anchor="middle" font-size="11" '
            'fill="#444">{label}</text>', x=_n(x), y=_n(y), label=label,
            amount=money(amount),
            ty=HEIGHT - PAD_BOTTOM + 16))
    return _frame(title, description, body)
