"""Charts drawn on the server as SVG: no JavaScript library and nothing from a CDN.
Colours come from presentation attributes and CSS classes (the CSP forbids inline style
attributes); every chart has a title and a description for screen readers, and the page
shows the same figures in a table."""

from decimal import Decimal

from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe

from subsidy.platform.money import money

WIDTH, HEIGHT, PAD_LEFT, PAD_BOTTOM, PAD_TOP = 640, 240, 90, 40, 16


def _money_short(value: Decimal) -> str:
    if abs(value) >= 1_000_000:
        return f"HK${value / 1_000_000:,.1f}M"
    if abs(value) >= 1_000:
        return f"HK${value / 1_000:,.0f}K"
    return f"HK${value:,.0f}"


def _n(value) -> str:
    return f"{float(value):.1f}"


def _frame(title: str, description: str, body: list[str]) -> str:
    return format_html(
        '<svg class="chart" viewBox="0 0 {w} {h}" role="img" aria-labelledby="{id}-t {id}-d" '
        'xmlns="http://www.w3.org/2000/svg"><title id="{id}-t">{title}</title>'
        '<desc id="{id}-d">{desc}</desc>{body}</svg>',
        w=WIDTH, h=HEIGHT, id=escape(title.lower().replace(" ", "-"))[:40], title=title,
        desc=description, body=mark_safe("".join(body)))  # noqa: S308 - built from escaped parts


def _axis(top: Decimal) -> list[str]:
    parts = []
    plot_h = HEIGHT - PAD_BOTTOM - PAD_TOP
    for step in range(5):
        value = top * step / 4
        y = HEIGHT - PAD_BOTTOM - plot_h * step / 4
        parts.append(format_html(
            '<line x1="{x1}" x2="{x2}" y1="{y}" y2="{y}" stroke="#d0d7de"/>'
            '<text x="{tx}" y="{ty}" text-anchor="end" font-size="11" fill="#444">{label}'
            '</text>', x1=PAD_LEFT, x2=WIDTH - 8, y=_n(y), tx=PAD_LEFT - 6, ty=_n(y + 4),
            label=_money_short(value)))
    return parts


def bar_chart(*, title: str, description: str, points: list[tuple[str, Decimal]]) -> str:
    """Vertical bars, one per (label, amount)."""
    top = max((amount for _label, amount in points), default=Decimal("0")) or Decimal("1")
    plot_w, plot_h = WIDTH - PAD_LEFT - 8, HEIGHT - PAD_BOTTOM - PAD_TOP
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
    top = max([start, *(amount for _label, amount in points)]) or Decimal("1")
    plot_w, plot_h = WIDTH - PAD_LEFT - 8, HEIGHT - PAD_BOTTOM - PAD_TOP
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
