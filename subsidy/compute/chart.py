"""The burn chart of a grant's allocation, drawn on the server as SVG (no script, no asset
from elsewhere): the subsidy drawn month by month, cumulated, against the allocation, with
the straight line of the forecast to exhaustion."""

import calendar
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

WIDTH, HEIGHT = 640, 240
LEFT, RIGHT, TOP, BOTTOM = 70, 20, 16, 40


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    label: str
    value: Decimal


@dataclass(frozen=True)
class BurnChart:
    width: int
    height: int
    points: list[Point]
    polyline: str
    allocation_y: float
    forecast_line: tuple[float, float, float, float] | None
    x_labels: list[tuple[float, str]]
    y_labels: list[tuple[float, str]]
    left: int
    right: int
    bottom: int


def _month_end(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def burn_chart(*, monthly: list[dict], allocation: Decimal,
               forecast: date | None) -> BurnChart | None:
    """``monthly``: rows with ``period`` and ``subsidy`` (grant_monthly_use)."""
    if not monthly or allocation <= 0:
        return None
    start = monthly[0]["period"]
    end = _month_end(max(forecast or start, monthly[-1]["period"]))
    span = max((end - start).days, 1)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(day: date) -> float:
        return round(LEFT + plot_w * (day - start).days / span, 1)

    def y(value: Decimal) -> float:
        return round(TOP + plot_h * (1 - float(min(value, allocation) / allocation)), 1)

    total, points = Decimal(0), []
    for row in monthly:
        total += row["subsidy"] or 0
        day = _month_end(row["period"])
        points.append(Point(x(day), y(total), f"{row['period']:%Y-%m}", total))
    forecast_line = None
    if forecast is not None and points and total < allocation:
        forecast_line = (points[-1].x, points[-1].y, x(forecast), y(allocation))
    y_labels = [(y(allocation * share / 4), f"{share * 25}%") for share in range(5)]
    step = max(1, len(points) // 6)
    x_labels = [(p.x, p.label) for p in points[::step]]
    return BurnChart(width=WIDTH, height=HEIGHT, points=points,
                     polyline=" ".join([f"{LEFT},{y(Decimal(0))}"]
                                       + [f"{p.x},{p.y}" for p in points]),
                     allocation_y=y(allocation), forecast_line=forecast_line,
                     x_labels=x_labels, y_labels=y_labels, left=LEFT, right=WIDTH - RIGHT,
                     bottom=HEIGHT - BOTTOM)
