"""The benchmark sheet of one organisation as a page and as a one-page PDF (WeasyPrint): the
same table and chart in both, in the active language."""

from __future__ import annotations

from datetime import datetime

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from reports import charts
from reports.aggregation.benchmark import BenchmarkRow, BenchmarkSheet
from reports.aggregation.figures import UNKNOWN, Distribution
from reports.rendering.formatting import SUPPRESSED, css_string, number

DECIMALS = {"employees": 0, "revenue": 1, "revenue_per_employee": 0}
# Figures in percent share one chart: the organisation's value beside the cluster's.
PERCENT_KEYS = ["rnd_share", "rnd_staff_share", "export_share", "women_in_leadership"]


def _number(value: float | None, key: str) -> str:
    if value is None:
        return "–"
    return number(value, DECIMALS.get(key, 1))


def _spread(distribution: Distribution, key: str) -> dict:
    if not distribution.published:
        return {"published": False}
    return {
        "published": True,
        "median": _number(distribution.median, key),
        "q1": _number(distribution.q1, key),
        "q3": _number(distribution.q3, key),
    }


def _row(row: BenchmarkRow) -> dict:
    return {
        "key": row.key,
        "label": row.label,
        "unit": row.unit,
        "own": _number(row.own, row.key),
        "overall": _spread(row.overall, row.key),
        "size_class": _spread(row.size_class, row.key),
        "position": row.position,
    }


def _triple(distribution: Distribution):
    if not distribution.published:
        return None
    return (distribution.q1, distribution.median, distribution.q3)


def benchmark_context(sheet: BenchmarkSheet) -> dict:
    """Everything the page and the PDF show, formatted in the active language."""
    rows = {row.key: row for row in sheet.rows}
    percent = [rows[key] for key in PERCENT_KEYS]
    chart = charts.distribution_chart(
        {row.label: _triple(row.overall) for row in percent},
        title=_("Your organisation beside all participants"),
        unit="%",
        marks={row.label: row.own for row in percent},
        mark_label=_("Your organisation"),
    )
    class_known = sheet.size_class != UNKNOWN
    return {
        "sheet": sheet,
        "class_known": class_known,
        "rows": [_row(row) for row in sheet.rows],
        # Our own SVG: matplotlib escapes its text.
        "chart": mark_safe(chart),  # noqa: S308
        "suppressed": any(
            not row.overall.published or (class_known and not row.size_class.published)
            for row in sheet.rows
        ),
        "SUPPRESSED": SUPPRESSED,
    }


def benchmark_pdf(sheet: BenchmarkSheet, *, language: str, generated_at: datetime) -> bytes:
    from weasyprint import HTML

    with translation.override(language):
        html = render_to_string(
            "reports/pdf/benchmark.html",
            {
                **benchmark_context(sheet),
                "generated_at": generated_at,
                "LANGUAGE_CODE": language,
                # A CSS string for the page's margin box, escaped here.
                "css_confidential": mark_safe(  # noqa: S308
                    css_string(f"OptoNet e.V. · {_('confidential')}")
                ),
            },
        )
    return HTML(string=html).write_pdf()
