"""The growth report's charts as SVG text, drawn on the server with matplotlib.

The same SVG goes into the HTML preview and the PDF. Text stays text (``svg.fonttype = "none"``,
DejaVu Sans), so it is sharp, searchable and translatable; colours are the Okabe–Ito palette,
which stays distinguishable with the common colour-vision deficiencies. Labels come from the
caller in the active language; numbers are formatted for the active language too.

A suppressed figure arrives here as ``None`` (see ``reports.aggregation.Figure``): it is drawn as
no bar at all with "·" in its place and a footnote, never as a bar of any length. In a stacked
bar the published segments close up, so that the missing length does not show the suppressed
value either.

Each chart is its own ``matplotlib.figure.Figure`` (not pyplot's registry), so nothing is kept
after the SVG is written.
"""

from __future__ import annotations

import io
import math
import re
import secrets
import textwrap
from collections.abc import Mapping, Sequence

import matplotlib
from django.utils import formats
from django.utils.html import escape
from django.utils.translation import gettext as _

from reports.numbers import rounded

matplotlib.use("Agg")  # no display on the server; before anything else of matplotlib loads

from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import FuncFormatter, MaxNLocator  # noqa: E402

# Okabe & Ito (2008), "Color Universal Design"; blue first: the single-series colour.
OKABE_ITO = [
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#D55E00",  # vermillion
    "#F0E442",  # yellow
    "#000000",  # black
]
SUPPRESSED = "·"
TEXT_COLOUR = "#222222"
GRID_COLOUR = "#DDDDDD"
WIDTH_INCHES = 6.3  # 16 cm: the text width of the A4 report
# The layout in inches, fixed rather than measured: measuring (tight layout) would draw every
# chart twice. DejaVu Sans at 9 pt averages about 0.075 in per character.
CHAR_INCHES = 0.075
LABEL_WIDTH = 30  # characters per line of a category label before it wraps
ROW_INCHES = 0.36
LINE_INCHES = 0.15
TITLE_INCHES = 0.42
TITLE_LINE_INCHES = 0.19  # each further line of a long title
TITLE_WIDTH = 60  # characters per line of the title (11 pt bold across the chart's width)
AXIS_INCHES = 0.32
UNIT_INCHES = 0.2
LEGEND_INCHES = 0.28
FOOTNOTE_INCHES = 0.24

STYLE = {
    "svg.fonttype": "none",
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "text.parse_math": False,  # a "$" in a label is a dollar, not mathematics
    "text.color": TEXT_COLOUR,
    "axes.edgecolor": "#888888",
    "axes.labelcolor": TEXT_COLOUR,
    "xtick.color": TEXT_COLOUR,
    "ytick.color": TEXT_COLOUR,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlesize": 11,
    "axes.titleweight": "bold",
}

Number = float | int | None


def _format(value: float, decimals: int) -> str:
    return formats.number_format(
        rounded(value, decimals), decimal_pos=decimals, use_l10n=True, force_grouping=True
    )


def _decimals(values: Sequence[Number]) -> int:
    present = [abs(v) for v in values if v is not None]
    return 0 if not present or max(present) >= 100 else 1


def _tick(x: float, _position) -> str:
    return _format(x, 0 if float(x).is_integer() else 1)


def _positions(count: int) -> list[int]:
    # First label at the top.
    return list(range(count - 1, -1, -1))


def _span(values: Sequence[float]) -> tuple[float, float]:
    low = min([0.0, *values])
    high = max([0.0, *values])
    if low == high:
        high = 1.0
    return low, high


_ID = re.compile(r'(\bid="|url\(#|href="#)([^")]+)')


def _unique_ids(svg: str) -> str:
    """matplotlib numbers its ids from 1 in every figure ("figure_1", "patch_1"); several
    charts inline on one page need ids of their own, or their references cross."""
    prefix = f"chart-{secrets.token_hex(4)}-"
    return _ID.sub(lambda match: f"{match.group(1)}{prefix}{match.group(2)}", svg)


_METADATA = re.compile(r"\s*<metadata>.*?</metadata>", re.DOTALL)
_STYLE_ATTRIBUTE = re.compile(r'\sstyle="([^"]*)"')
_STYLE_ELEMENT = re.compile(r"\s*<defs>\s*<style[^>]*>\*\{([^}]*)\}</style>\s*</defs>")
# CSS properties that SVG also takes as presentation attributes (all matplotlib writes here).
_PRESENTATION = {
    "fill",
    "fill-opacity",
    "font-family",
    "font-size",
    "font-style",
    "font-weight",
    "opacity",
    "stroke",
    "stroke-dasharray",
    "stroke-dashoffset",
    "stroke-linecap",
    "stroke-linejoin",
    "stroke-miterlimit",
    "stroke-opacity",
    "stroke-width",
    "text-anchor",
}


def _declarations(css: str) -> list[tuple[str, str]]:
    pairs = []
    for declaration in css.split(";"):
        if ":" not in declaration:
            continue
        name, value = (part.strip() for part in declaration.split(":", 1))
        if name not in _PRESENTATION:
            raise ValueError(f"matplotlib wrote a style the chart cannot carry: {name}")
        pairs.append((name, value.replace('"', "'")))
    return pairs


def _presentation_attributes(svg: str) -> str:
    """The portal's Content Security Policy allows no inline styles, and a page would show the
    charts without their colours; so every ``style="…"`` becomes SVG presentation attributes
    (``fill="…"``), which the CSP does not govern and WeasyPrint reads alike."""
    defaults = _STYLE_ELEMENT.search(svg)
    if defaults:
        svg = svg[: defaults.start()] + svg[defaults.end() :]
        root = " ".join(f'{name}="{value}"' for name, value in _declarations(defaults.group(1)))
        svg = svg.replace("<svg ", f"<svg {root} ", 1)
    return _STYLE_ATTRIBUTE.sub(
        lambda match: "".join(
            f' {name}="{value}"' for name, value in _declarations(match.group(1))
        ),
        svg,
    )


class _Chart:
    """A figure of horizontal rows laid out in inches: title, rows (labels wrapped on the
    left), axis, unit, legend, footnote."""

    def __init__(
        self,
        labels: Sequence[str],
        *,
        title: str,
        unit: str,
        legend: int = 0,
        footnote: bool = False,
    ) -> None:
        # A long title (a special-topic question) wraps, and the chart grows by its lines.
        self.title = str(title)
        self.title_lines = textwrap.wrap(self.title, TITLE_WIDTH) or [""]
        self.labels = [textwrap.fill(str(label), LABEL_WIDTH) for label in labels]
        lines = [label.count("\n") + 1 for label in self.labels] or [1]
        rows_height = sum(ROW_INCHES + LINE_INCHES * (n - 1) for n in lines)
        legend_rows = math.ceil(legend / 4)
        bottom = (
            AXIS_INCHES
            + UNIT_INCHES * bool(unit)
            + LEGEND_INCHES * legend_rows
            + FOOTNOTE_INCHES * footnote
        )
        title_height = TITLE_INCHES + TITLE_LINE_INCHES * (len(self.title_lines) - 1)
        height = title_height + rows_height + bottom
        longest = max((len(line) for label in self.labels for line in label.split("\n")), default=0)
        left = min(CHAR_INCHES * longest + 0.15, WIDTH_INCHES * 0.45)
        right = 0.2
        self.height = height
        self.bottom = bottom
        self.footnote = footnote
        self.unit = unit
        self.figure = Figure(figsize=(WIDTH_INCHES, height))
        self.axes = self.figure.add_axes(
            (
                left / WIDTH_INCHES,
                bottom / height,
                (WIDTH_INCHES - left - right) / WIDTH_INCHES,
                rows_height / height,
            )
        )
        self.axes.set_ylim(-0.5, len(self.labels) - 0.5)
        self.ys = _positions(len(self.labels))

    def legend(self, count: int) -> None:
        handles, names = self.axes.get_legend_handles_labels()
        self.figure.legend(
            handles,
            names,
            loc="upper left",
            bbox_to_anchor=(
                0.0,
                (self.bottom - AXIS_INCHES - UNIT_INCHES * bool(self.unit)) / self.height,
            ),
            ncols=min(count, 4),
            frameon=False,
            fontsize=8,
            handlelength=1.2,
            borderaxespad=0.0,
        )

    def svg(self) -> str:
        title = self.title
        figure, axes = self.figure, self.axes
        figure.text(
            0.0,
            1.0 - 0.08 / self.height,
            "\n".join(self.title_lines),
            fontsize=11,
            fontweight="bold",
            ha="left",
            va="top",
        )
        if self.unit:
            axes.set_xlabel(self.unit)
        axes.set_yticks(self.ys, labels=self.labels)
        axes.xaxis.set_major_locator(MaxNLocator(nbins=5, steps=[1, 2, 2.5, 5, 10]))
        axes.xaxis.set_major_formatter(FuncFormatter(_tick))
        axes.grid(axis="x", color=GRID_COLOUR, linewidth=0.6)
        axes.set_axisbelow(True)
        axes.tick_params(axis="y", length=0)
        if self.footnote:
            note = _("Not published for reasons of confidentiality.")
            figure.text(
                0.0,
                0.04 / self.height,
                f"{SUPPRESSED} {note}",
                fontsize=7.5,
                ha="left",
                va="bottom",
            )
        buffer = io.StringIO()
        figure.savefig(buffer, format="svg", metadata={"Date": None})
        svg = buffer.getvalue()
        # Inline in HTML: no XML declaration or doctype before the <svg> element.
        svg = _METADATA.sub("", svg[svg.index("<svg") :])
        # A picture with a name for screen readers; its text stays readable inside.
        svg = svg.replace("<svg ", f'<svg role="img" aria-label="{escape(title)}" ', 1)
        return _unique_ids(_presentation_attributes(svg))


def bar_chart(
    labels: Sequence[str],
    values: Sequence[Number],
    *,
    title: str,
    unit: str = "",
    decimals: int | None = None,
) -> str:
    """Horizontal bars, one per label, with its value at the end; None is drawn as "·"."""
    if len(labels) != len(values):
        raise ValueError("One value per label.")
    if decimals is None:
        decimals = _decimals(values)
    low, high = _span([v for v in values if v is not None])
    pad = (high - low) * 0.015
    with matplotlib.rc_context(STYLE):
        chart = _Chart(labels, title=title, unit=unit, footnote=None in values)
        axes = chart.axes
        for y, value in zip(chart.ys, values, strict=True):
            if value is None:
                axes.text(pad, y, SUPPRESSED, va="center", ha="left", fontsize=12)
                continue
            axes.barh(y, value, color=OKABE_ITO[0], height=0.6)
            axes.text(
                value + (pad if value >= 0 else -pad),
                y,
                _format(value, decimals),
                va="center",
                ha="left" if value >= 0 else "right",
            )
        axes.set_xlim(low - (high - low) * 0.18 * (low < 0), high + (high - low) * 0.18)
        if low < 0:
            axes.axvline(0, color="#888888", linewidth=0.8)
        return chart.svg()


def stacked_bar_chart(
    categories: Sequence[str],
    series: Mapping[str, Sequence[Number]],
    *,
    title: str,
    unit: str = "",
    decimals: int | None = None,
) -> str:
    """Horizontal stacked bars: one bar per category, one segment per series (legend below).
    A None segment is left out without leaving its length as a gap; "·" follows the bar."""
    for label, values in series.items():
        if len(values) != len(categories):
            raise ValueError(f"Series {label!r} needs one value per category.")
        if any(v is not None and v < 0 for v in values):
            raise ValueError("Stacked bars need values of zero or more.")
    if decimals is None:
        decimals = _decimals([v for values in series.values() for v in values])
    count = len(categories)
    lengths = [sum(v[i] for v in series.values() if v[i] is not None) for i in range(count)]
    high = max([0.0, *lengths]) or 1.0
    gaps = [any(v[i] is None for v in series.values()) for i in range(count)]
    with matplotlib.rc_context(STYLE):
        chart = _Chart(categories, title=title, unit=unit, legend=len(series), footnote=any(gaps))
        axes = chart.axes
        left = [0.0] * count
        for index, (label, values) in enumerate(series.items()):
            colour = OKABE_ITO[index % len(OKABE_ITO)]
            ink = "#000000" if colour in ("#E69F00", "#56B4E9", "#F0E442") else "#FFFFFF"
            present = [i for i, value in enumerate(values) if value is not None]
            axes.barh(
                [chart.ys[i] for i in present],
                [values[i] for i in present],
                left=[left[i] for i in present],
                color=colour,
                height=0.6,
                label=label,
            )
            for i in present:
                if values[i] >= 0.07 * high:
                    axes.text(
                        left[i] + values[i] / 2,
                        chart.ys[i],
                        _format(values[i], decimals),
                        ha="center",
                        va="center",
                        fontsize=7.5,
                        color=ink,
                    )
                left[i] += values[i]
        for y, end, gap in zip(chart.ys, left, gaps, strict=True):
            if gap:
                axes.text(end + high * 0.015, y, SUPPRESSED, va="center", ha="left", fontsize=12)
        axes.set_xlim(0, high * 1.08)
        chart.legend(len(series))
        return chart.svg()


def distribution_chart(
    data: Mapping[str, tuple[float, float, float] | None],
    *,
    title: str,
    unit: str = "",
    decimals: int | None = None,
    marks: Mapping[str, float | None] | None = None,
    mark_label: str = "",
) -> str:
    """The middle half of each distribution as a box from the lower to the upper quartile, the
    median as a line in it with its value; ``data`` maps a label to ``(q1, median, q3)`` or None
    (fewer answers than a median needs: "·"). ``marks`` adds one value per label as a diamond
    (an organisation's own figure on its benchmark sheet), named ``mark_label`` in the legend."""
    marks = {label: value for label, value in (marks or {}).items() if value is not None}
    present = [v for triple in data.values() if triple is not None for v in triple]
    present += list(marks.values())
    if not all(math.isfinite(v) for v in present):
        raise ValueError("Quartiles must be finite numbers.")
    if decimals is None:
        decimals = _decimals(present)
    low, high = _span(present)
    pad = (high - low) * 0.015
    with matplotlib.rc_context(STYLE):
        legend = 3 if marks else 2
        chart = _Chart(
            list(data), title=title, unit=unit, legend=legend, footnote=None in data.values()
        )
        axes = chart.axes
        for y, (label, triple) in zip(chart.ys, data.items(), strict=True):
            if triple is None:
                axes.text(low + pad, y, SUPPRESSED, va="center", ha="left", fontsize=12)
                continue
            q1, median, q3 = triple
            axes.barh(y, q3 - q1, left=q1, height=0.5, color=OKABE_ITO[4], edgecolor=OKABE_ITO[0])
            axes.plot([median, median], [y - 0.25, y + 0.25], color=OKABE_ITO[5], linewidth=2.2)
            axes.text(
                max(q3, marks.get(label, q3)) + pad * 2,
                y,
                _format(median, decimals),
                va="center",
                ha="left",
            )
        for y, label in zip(chart.ys, data, strict=True):
            if label in marks:
                axes.plot(
                    [marks[label]], [y], marker="D", markersize=6, color="#000000", linestyle="none"
                )
        axes.set_xlim(low, high + (high - low) * 0.15)
        # The legend explains the glyphs: the box is the middle half, the line the median.
        axes.plot([], [], color=OKABE_ITO[5], linewidth=2.2, label=_("Median"))
        axes.barh(
            [], [], color=OKABE_ITO[4], edgecolor=OKABE_ITO[0], label=_("Middle half (quartiles)")
        )
        if marks:
            axes.plot(
                [],
                [],
                marker="D",
                markersize=6,
                color="#000000",
                linestyle="none",
                label=mark_label,
            )
        chart.legend(legend)
        return chart.svg()
