"""The growth report (OptoNet WACHSTUMSREPORT, "PHOTONICS Report Thüringen") from a round's
computed figures: the context the templates print (``report_context``), shared by the HTML
preview page and the A4 PDF (``report_pdf``, WeasyPrint).

Both print the same chapters (``templates/reports/report/_body.html``) with the same SVG
charts, in the active language. Only what ``RoundFigures`` carries is printed, a suppressed
figure as "·" with a footnote; the rules' parameters never appear.
"""

from __future__ import annotations

import base64
import functools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from reports.aggregation import RoundFigures
from reports.models import SurveyRound
from reports.rendering import chapters, formatting

BRAND = "OptoNet WACHSTUMSREPORT"
SUBTITLE = "PHOTONICS Report Thüringen"
MARK = "img/optonet-mark.svg"


@dataclass(frozen=True)
class RenderedPdf:
    content: bytes
    pages: int


def report_context(figures: RoundFigures) -> dict[str, Any]:
    """Everything ``_body.html`` prints, in the active language (call it inside
    ``translation.override``): the key figures, one entry per chapter with its formatted
    tables and its charts (SVG, marked safe), the table of contents, and ``charts``, every
    chart of the report in order. Draws the charts (the slow part: about 60 ms each)."""
    key_figures = chapters.key_figures(figures)
    special = chapters.special_topic(figures)
    context: dict[str, Any] = {
        "report_brand": BRAND,
        "report_subtitle": SUBTITLE,
        "report_year": figures.year,
        "reference_year": figures.reference_year,
        "key_figures": key_figures,
        "key_figures_suppressed": any(item.suppressed for item in key_figures),
        "employment": chapters.employment(figures),
        "business": chapters.business(figures),
        "research": chapters.research(figures),
        "markets": chapters.markets(figures),
        "technology": chapters.technology(figures),
        "customers": chapters.customers(figures),
        "special_topic": special,
        "method": chapters.method(figures),
    }
    contents = [
        ("key-figures", _("Key figures")),
        ("employment", _("Employment")),
        ("business", _("Business situation")),
        ("research", _("Research and development")),
        ("markets", _("Markets and exports")),
        ("technology", _("Technology")),
        ("customers", _("Customers")),
    ]
    if special is not None:
        contents.append(("special-topic", _special_title(special["topic"])))
    contents.append(("method", _("Method and confidentiality")))
    context["chapters"] = [{"id": key, "title": title} for key, title in contents]
    context["special_topic_title"] = _special_title(special["topic"]) if special else ""
    context["charts"] = [
        chart
        for chart in (
            context["employment"]["women_chart"],
            context["business"]["climate_chart"],
            context["business"]["hiring_chart"],
            context["business"]["positions_chart"],
            context["research"]["chart"],
            context["markets"]["chart"],
            context["markets"]["regions_chart"],
            context["technology"]["chart"],
            context["customers"]["chart"],
            *(question.chart for question in (special or {}).get("questions", [])),
        )
        if chart is not None
    ]
    return context


def report_page_body(
    context: dict[str, Any], *, survey_round: SurveyRound, generated_at: datetime, request=None
) -> str:
    """The report's chapters for the page (``_body.html``), from ``report_context``'s result;
    the same chapters and charts as the PDF, with the mark from the static files."""
    from django.templatetags.static import static

    return render_to_string(
        "reports/report/_body.html",
        {
            **context,
            "survey_round": survey_round,
            "generated_at": generated_at,
            "mark_src": static(MARK),
        },
        request,
    )


def _special_title(topic: str) -> str:
    if topic:
        return _("Special topic: %(topic)s") % {"topic": topic}
    return _("Special topic")


def report_pdf(
    figures: RoundFigures,
    *,
    language: str,
    generated_at: datetime,
    progress: Callable[[str], None] = lambda stage: None,
) -> RenderedPdf:
    """The report as an A4 PDF in ``language``. Calls ``progress("charts")`` before the charts
    are drawn and ``progress("layout")`` before WeasyPrint lays the pages out."""
    from weasyprint import HTML

    with translation.override(language):
        progress("charts")
        context = report_context(figures)
        title = f"{BRAND} {figures.year} · {SUBTITLE}"
        html = render_to_string(
            "reports/pdf/report.html",
            {
                **context,
                "survey_round": _survey_round(figures.round_id),
                "generated_at": generated_at,
                "LANGUAGE_CODE": language,
                "document_title": title,
                "mark_src": _mark_data_uri(),
                # @page margin boxes: CSS strings, escaped here (the template prints them raw).
                "css_running_header": mark_safe(formatting.css_string(title)),  # noqa: S308
                "css_confidential": mark_safe(  # noqa: S308
                    formatting.css_string(_("Confidential – for members of OptoNet e.V."))
                ),
                "css_page_counter": mark_safe(formatting.page_counter_css()),  # noqa: S308
            },
        )
        progress("layout")
        document = HTML(string=html, base_url=str(settings.BASE_DIR)).render()
        return RenderedPdf(content=document.write_pdf(), pages=len(document.pages))


def _survey_round(round_id: int) -> SurveyRound | None:
    """The round for the cover's survey period (None if it is gone: the cover then leaves the
    period out)."""
    return SurveyRound.objects.filter(pk=round_id).first()


@functools.cache
def _mark_data_uri() -> str:
    """The OptoNet mark as a data URI: the print document fetches nothing."""
    path = finders.find(MARK)
    with open(path, "rb") as file:
        encoded = base64.b64encode(file.read()).decode("ascii")
    return f"data:image/svg+xml;base64,{encoded}"
