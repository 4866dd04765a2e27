"""The building blocks the report's templates print: tables of formatted cells, charts as SVG
with the data behind them, key figures. Everything is text already, in the active language; a
suppressed figure is the text "·" with ``suppressed=True``, never a number."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from django.utils.safestring import SafeString, mark_safe
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from reports import charts
from reports.aggregation import Distribution, Figure, Row
from reports.rendering import formatting


@dataclass(frozen=True)
class Cell:
    text: str
    suppressed: bool = False


@dataclass(frozen=True)
class Line:
    """A table row: its label (a row header) and one cell per column."""

    label: str
    cells: list[Cell]


@dataclass(frozen=True)
class ReportTable:
    caption: str
    label_header: str
    headers: list[str]
    rows: list[Line]
    total: Line | None = None
    note: str = ""

    @property
    def suppressed(self) -> bool:
        """Whether "·" occurs in it: the table then carries the footnote."""
        lines = [*self.rows, *([self.total] if self.total else [])]
        return any(cell.suppressed for line in lines for cell in line.cells)


@dataclass(frozen=True)
class Chart:
    """An SVG chart and, where no visible table shows its numbers, the table for screen
    readers (the SVG itself is one picture with its title as the name)."""

    title: str
    svg: SafeString
    table: ReportTable | None = None


@dataclass(frozen=True)
class KeyFigure:
    label: str
    text: str
    suppressed: bool = False
    hint: str = ""


Formatter = Callable[[float | int], str]


def cell(item: Figure | None, formatter: Formatter = formatting.count) -> Cell:
    text, suppressed = formatting.figure(item, formatter)
    return Cell(text, suppressed)


def plain(text: str) -> Cell:
    return Cell(text)


def key_figure(label: str, item: Figure | None, formatter: Formatter, hint: str = "") -> KeyFigure:
    text, suppressed = formatting.figure(item, formatter)
    return KeyFigure(label=label, text=text, suppressed=suppressed, hint=hint)


def row_table(
    caption: str,
    label_header: str,
    rows: Sequence[Row],
    columns: Sequence[tuple[str, str, Formatter]],
    *,
    total: dict[str, Figure] | None = None,
    note: str = "",
) -> ReportTable:
    """A table of ``Row`` figures: ``columns`` are (figure name, header, formatter); the total
    line (if given) prints only the columns it has."""
    lines = [
        Line(
            capfirst(row.label),
            [cell(row.figures.get(name), formatter) for name, _header, formatter in columns],
        )
        for row in rows
    ]
    total_line = None
    if total is not None:
        total_line = Line(
            _("Total"),
            [
                cell(total[name], formatter) if name in total else plain("")
                for name, _header, formatter in columns
            ],
        )
    return ReportTable(
        caption=caption,
        label_header=label_header,
        headers=[header for _name, header, _formatter in columns],
        rows=lines,
        total=total_line,
        note=note,
    )


def distribution_table(
    caption: str, items: Sequence[tuple[str, Distribution, Formatter]]
) -> ReportTable:
    """Answers, lower quartile, median and upper quartile of each distribution."""
    lines = []
    for label, distribution, formatter in items:
        values = (distribution.q1, distribution.median, distribution.q3)
        lines.append(
            Line(
                label,
                [plain(formatting.count(distribution.n))]
                + [cell(Figure(value, distribution.published), formatter) for value in values],
            )
        )
    return ReportTable(
        caption=caption,
        label_header=_("Figure"),
        headers=[_("Answers"), _("Lower quartile"), _("Median"), _("Upper quartile")],
        rows=lines,
    )


def _value(item: Figure | None, decimals: int, scale: float = 1.0) -> float | None:
    """A figure for a chart: None where it is suppressed, rounded as the tables round it; 0
    where nobody answered (nothing to draw, and nothing hidden)."""
    if item is None or not item.published:
        return None
    if item.value is None:
        return 0.0
    return formatting.rounded(item.value / scale, decimals)


def bar(
    title: str,
    rows: Sequence[Row],
    name: str,
    *,
    unit: str = "",
    decimals: int = 1,
    scale: float = 1.0,
    data_table: ReportTable | None = None,
) -> Chart:
    svg = charts.bar_chart(
        [capfirst(row.label) for row in rows],
        [_value(row.figures.get(name), decimals, scale) for row in rows],
        title=title,
        unit=unit,
        decimals=decimals,
    )
    return Chart(title=title, svg=mark_safe(svg), table=data_table)  # noqa: S308 (our own SVG)


def bars(
    title: str,
    items: Sequence[tuple[str, Figure]],
    *,
    unit: str = "",
    decimals: int = 1,
    data_table: ReportTable | None = None,
) -> Chart:
    svg = charts.bar_chart(
        [label for label, _item in items],
        [_value(item, decimals) for _label, item in items],
        title=title,
        unit=unit,
        decimals=decimals,
    )
    return Chart(title=title, svg=mark_safe(svg), table=data_table)  # noqa: S308 (our own SVG)


def stacked(
    title: str,
    categories: Sequence[str],
    series: dict[str, Sequence[Figure]],
    *,
    unit: str = "",
    decimals: int = 0,
) -> Chart:
    svg = charts.stacked_bar_chart(
        categories,
        {name: [_value(item, decimals) for item in items] for name, items in series.items()},
        title=title,
        unit=unit,
        decimals=decimals,
    )
    return Chart(title=title, svg=mark_safe(svg))  # noqa: S308 (our own SVG)


def distribution(
    title: str,
    items: Sequence[tuple[str, Distribution]],
    *,
    unit: str = "",
    decimals: int = 1,
) -> Chart:
    data: dict[str, tuple[float, float, float] | None] = {}
    for label, item in items:
        values = (item.q1, item.median, item.q3)
        if item.published and None not in values:
            data[label] = tuple(formatting.rounded(v, decimals) for v in values)
        else:
            data[label] = None
    svg = charts.distribution_chart(data, title=title, unit=unit, decimals=decimals)
    return Chart(title=title, svg=mark_safe(svg))  # noqa: S308 (our own SVG)


@dataclass(frozen=True)
class Question:
    """A special-topic question as the report shows it."""

    text: str
    kind: str
    answers: int
    answers_text: str
    table: ReportTable | None = None
    chart: Chart | None = None
    notes: list[str] = field(default_factory=list)
