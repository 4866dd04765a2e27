"""The charts: SVG with its text kept as text, suppressed values drawn as "·" without any trace
of the number, numbers in the page's language, and no inline styles."""

import re
from html import unescape

import pytest
from django.utils import translation

from reports import charts

TEXT = re.compile(r"<text\b[^>]*>([^<]*)</text>")


def texts(svg: str) -> list[str]:
    return [unescape(text) for text in TEXT.findall(svg)]


@pytest.fixture(autouse=True)
def german():
    with translation.override("de"):
        yield


def test_bar_chart_keeps_labels_as_text_and_draws_a_suppressed_value_as_a_dot():
    svg = charts.bar_chart(
        ["Laser & Optik", "Sensorik", "Biophotonik"],
        [1_234_000.0, None, 456_000.0],
        title="Umsatz nach Technologiefeld",
        unit="EUR",
    )
    assert svg.startswith("<svg")
    found = texts(svg)
    for label in ("Laser & Optik", "Sensorik", "Biophotonik", "Umsatz nach Technologiefeld", "EUR"):
        assert label in found
    assert "·" in found
    assert any(text.startswith("· ") and len(text) > 10 for text in found)  # the footnote
    # German number format
    assert "1.234.000" in found and "456.000" in found
    # No glyph outlines (they would be defined as "DejaVuSans-…" paths): text stays text.
    assert "DejaVuSans-" not in svg


def test_a_suppressed_value_leaves_no_number_and_no_bar_length():
    # The caller never has the suppressed value (None); the chart must look the same whatever
    # it was, and show no number for it.
    shown = charts.bar_chart(["a", "b", "c"], [300.0, None, 500.0], title="T", unit="")
    numbers = [t for t in texts(shown) if re.fullmatch(r"[\d.,]+", t)]
    # value labels 300 and 500 and the axis ticks only
    assert "300" in numbers and "500" in numbers
    assert set(numbers) - {"300", "500"} <= {"0", "100", "200", "400", "600"}  # ticks
    # two bars in the bar colour, none for the suppressed value
    assert shown.count('fill="#0072b2"') == 2


def test_no_footnote_without_suppressed_values():
    svg = charts.bar_chart(["a", "b"], [1.0, 2.0], title="T", unit="%")
    assert not any("·" in text for text in texts(svg))


def test_stacked_bar_chart_closes_up_around_a_suppressed_segment():
    svg = charts.stacked_bar_chart(
        ["heute", "erwartet"],
        {"gut": [40.0, 30.0], "befriedigend": [None, 50.0], "schlecht": [None, 20.0]},
        title="Geschäftslage",
        unit="%",
    )
    found = texts(svg)
    for label in ("heute", "erwartet", "gut", "befriedigend", "schlecht", "Geschäftslage"):
        assert label in found
    assert found.count("·") == 1  # the marker after the first bar (the footnote is one text)
    assert "40,0" in found and "50,0" in found


def test_distribution_chart_shows_quartile_boxes_and_medians():
    svg = charts.distribution_chart(
        {"F&E-Anteil": (8.5, 12.5, 18.75), "Exportquote": (32.5, 45.0, 57.5), "Frauen": None},
        title="Verteilungen",
        unit="%",
    )
    found = texts(svg)
    assert {"F&E-Anteil", "Exportquote", "Frauen", "Verteilungen", "12,5", "45,0", "·"} <= set(
        found
    )


def test_english_numbers_when_the_page_is_english():
    with translation.override("en"):
        svg = charts.bar_chart(["a"], [1234.5], title="T", unit="EUR", decimals=1)
    assert "1,234.5" in texts(svg)


def test_several_charts_on_one_page_have_ids_of_their_own():
    first = charts.bar_chart(["a"], [1.0], title="T")
    second = charts.bar_chart(["a"], [1.0], title="T")
    ids = set(re.findall(r'\bid="([^"]+)"', first))
    assert ids and not ids & set(re.findall(r'\bid="([^"]+)"', second))
    # every reference points into the same chart
    for ref in re.findall(r'(?:url\(#|href="#)([^")]+)', first):
        assert ref in ids


def test_a_dollar_sign_is_not_mathematics():
    svg = charts.bar_chart(["$ revenue"], [1.0], title="US$ and $x$")
    assert "$ revenue" in texts(svg) and "US$ and $x$" in texts(svg)


def test_charts_carry_no_inline_styles_that_the_content_security_policy_would_block():
    """The pages allow no inline styles (CSP): colours are SVG presentation attributes."""
    for svg in (
        charts.bar_chart(["a", "b"], [1.0, None], title="T", unit="EUR"),
        charts.stacked_bar_chart(["x"], {"A": [1.0], "B": [2.0]}, title="S"),
        charts.distribution_chart({"a": (1.0, 2.0, 3.0)}, title="D"),
    ):
        assert "style" not in svg
        assert re.search(r'fill="#(0072b2|56b4e9)"', svg)  # the palette, as attributes
        assert re.match(r'<svg [^>]*role="img" aria-label="[TSD]"', svg)


def test_numbers_are_rounded_half_up_not_cut_off():
    assert "16,7" in texts(charts.bar_chart(["a"], [16.67], title="T", decimals=1))
    assert "1" in texts(charts.bar_chart(["a"], [0.96], title="T", decimals=0))


def test_a_long_title_wraps_and_the_chart_grows():
    question = (
        "Wie schwer finden Sie Fachkräfte im Vergleich zu vor zwei Jahren, und warum ist das so?"
    )
    short = charts.bar_chart(["a"], [1.0], title="Kurz")
    long = charts.bar_chart(["a"], [1.0], title=question)
    height = re.compile(r'height="([\d.]+)pt"')
    assert float(height.search(long).group(1)) > float(height.search(short).group(1))
    assert all(len(text) <= charts.TITLE_WIDTH for text in texts(long)[:2])
    assert f'aria-label="{question}"' in long
