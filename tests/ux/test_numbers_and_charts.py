"""Numbers as the reader writes them: thousands separators in Chinese too, chart axes in
the reader's units, no made-up axis for an empty chart, and names instead of codes on the
finance dashboard."""

from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from subsidy.finance.reports import charts


def _render(source, **context):
    return Template(source).render(Context(context))


@pytest.mark.parametrize("language", ["en", "zh-hant"])
def test_amounts_keep_their_thousands_separators_in_both_languages(language):
    with translation.override(language):
        assert _render('{{ a|floatformat:"2g" }}', a=Decimal("5140000")) == "5,140,000.00"


def test_chart_axes_use_ten_thousands_and_hundred_millions_in_chinese():
    millions = [("2027-01", Decimal("5140000"))]
    with translation.override("zh-hant"):
        svg = charts.bar_chart(title="t", description="d", points=millions)
        big = charts.bar_chart(title="t", description="d",
                               points=[("2027-01", Decimal("250000000"))])
    assert ">HK$200萬</text>" in svg and ">HK$800萬</text>" in svg
    assert ">HK$1億</text>" in big
    assert "M<" not in svg and "K<" not in svg
    with translation.override("en"):
        assert ">HK$2M</text>" in charts.bar_chart(title="t", description="d", points=millions)


def test_axis_steps_are_round_and_distinct():
    svg = charts.bar_chart(title="t", description="d", points=[("2027-01", Decimal("3"))])
    labels = [part.split(">")[-1] for part in svg.split("</text>")]
    assert [label for label in labels if label.startswith("HK$")] == [
        "HK$0", "HK$1", "HK$2", "HK$3", "HK$4"]


@pytest.mark.parametrize("draw", [
    lambda: charts.bar_chart(title="t", description="d", points=[]),
    lambda: charts.line_chart(title="t", description="d", start=Decimal("0"), points=[]),
])
def test_an_empty_chart_draws_no_axis_of_made_up_amounts(draw):
    with translation.override("en"):
        svg = draw()
    assert "HK$" not in svg
    assert "Nothing to show yet." in svg


def test_the_last_month_label_fits_inside_the_chart():
    svg = charts.line_chart(title="t", description="d", start=Decimal("1000"),
                            points=[("2027-01", Decimal("500")), ("2027-02", Decimal("0"))])
    last_x = float(svg.rsplit('<circle cx="', 1)[1].split('"')[0])
    assert last_x + 24 <= charts.WIDTH  # half of "2027-02" at 11px
