"""The growth report rendered from the hand-computed data set of test_aggregation: the PDF's
text in German and English (key figures, notes, chart labels, page numbers), nothing that is
suppressed or private in it, and the preview page with the same charts and no inline styles."""

import re
from datetime import UTC, datetime
from decimal import Decimal
from html import escape
from io import BytesIO

import pytest
from django.contrib.auth.models import AnonymousUser
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils import translation
from django.utils.safestring import mark_safe
from pypdf import PdfReader

from reports.aggregation import round_aggregate
from reports.models import SpecialQuestion, SurveyRound
from reports.rendering import (
    RenderedPdf,
    formatting,
    report_context,
    report_page_body,
    report_pdf,
)
from tests.members.factories import OrganizationFactory
from tests.reports import test_aggregation
from tests.reports.test_aggregation import make_round, respond

pytestmark = pytest.mark.django_db

data = test_aggregation.data  # the hand-computed data set, as a fixture of this module

GENERATED = datetime(2025, 6, 30, 10, 0, tzinfo=UTC)

# The key figures of the data set (see test_aggregation.data), as each language prints them:
# 7 asked, 6 answered (600 / 7 = 85.71 %), revenue 1 + … + 6 = 21 M, employees 500, trainees
# 20, positions 25 + 12 = 37, export median 45, R&D median 12.5; growth on the panel A, B, D:
# revenue 7 M against 6 M (+16.7 %), employees 90 against 80 (+12.5 %).
EXPECTED = {
    "de": [
        "Befragte Organisationen 7",
        "Antwortende Organisationen 6",
        "Rücklauf 85,7 %",
        "Gesamtumsatz 21,0 Mio. €",
        "Beschäftigte 500",
        "Auszubildende 20",
        "Geplante neue Stellen 37",
        "Exportanteil 45,0 %",
        "FuE-Aufwand in Prozent des Umsatzes 12,5 %",
        "Umsatz 3 +16,7 %",
        "Beschäftigte 3 +12,5 %",
        "über die 3 Organisationen berechnet, die an beiden Befragungen teilgenommen haben",
        "Von den 7 befragten Organisationen haben 6 ihre Antworten eingereicht (Rücklauf 85,7 %)",
    ],
    "en": [
        "Organisations asked 7",
        "Organisations that answered 6",
        "Response rate 85.7%",
        "Total revenue €21.0 m",
        "Employees 500",
        "Trainees 20",
        "Planned new positions 37",
        "Export share 45.0%",
        "R&D expenditure as a share of revenue 12.5%",
        "Revenue 3 +16.7%",
        "Employees 3 +12.5%",
        "only over the 3 organisations that answered both surveys",
        "Of the 7 organisations asked, 6 submitted their answers (response rate 85.7%)",
    ],
}
CONFIDENTIALITY = {
    "de": "Eine Zahl wird nicht veröffentlicht, wenn zu wenige Organisationen zu ihr beitragen "
    "oder eine einzelne Organisation sie dominiert.",
    "en": "A figure is not published when too few organisations contribute to it or when a "
    "single organisation dominates it.",
}
FOOTNOTE = {
    "de": "· Aus Gründen der Vertraulichkeit nicht veröffentlicht.",
    "en": "· Not published for reasons of confidentiality.",
}
# Texts that exist only inside the SVG charts: a target region (its table is for screen
# readers only and left out of the print) and a chart title.
CHART_TEXTS = {
    "de": ["Nordamerika", "Export nach Zielregion", "Geplante neue Stellen nach Anlass"],
    "en": ["North America", "Export by target region", "Planned new positions by reason"],
}
# Suppressed cells and their true values, which must not be printed:
# - 250 or more employees: F alone, 300 employees;
# - 50–249 employees: D and E, 60 + 80 = 140 employees;
# - companies' employees 10 + 20 + 300 = 330 (dominated by F);
# - customers in research: D's 4 M of 21 M = 19.0 %; other sectors: half of F's 6 M = 14.3 %.
# 360 (Laser) and 170 (Optics) employees would give the hidden 140 and 330 as 500 minus them.
HIDDEN = {
    "de": ["300", "140", "330", "360", "170", "19,0", "14,3"],
    "en": ["300", "140", "330", "360", "170", "19.0", "14.3"],
}


def pdf_text(content: bytes) -> tuple[str, int]:
    reader = PdfReader(BytesIO(content))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return " ".join(text.replace("\u00a0", " ").split()), len(reader.pages)


def numbers_in(text: str) -> set[str]:
    return set(re.findall(r"\d[\d.,]*\d|\d", text))


def render(figures, language, **kwargs) -> RenderedPdf:
    return report_pdf(figures, language=language, generated_at=GENERATED, **kwargs)


@pytest.mark.parametrize("language", ["de", "en"])
def test_the_pdf_prints_the_key_figures_notes_charts_and_page_numbers(data, language):
    figures = round_aggregate(data["round"])
    rendered = render(figures, language)
    text, pages = pdf_text(rendered.content)

    assert rendered.content.startswith(b"%PDF")
    assert rendered.pages == pages >= 8
    for expected in EXPECTED[language]:
        assert expected in text
    assert CONFIDENTIALITY[language] in text
    assert FOOTNOTE[language] in text
    for label in CHART_TEXTS[language]:
        assert label in text
    page = {"de": "Seite {} von {}", "en": "Page {} of {}"}[language]
    assert page.format(1, pages) in text and page.format(pages, pages) in text
    assert "OptoNet WACHSTUMSREPORT 2025" in text and "PHOTONICS Report Thüringen" in text
    # Every chart of the report is in it, by its title.
    with translation.override(language):
        titles = [chart.title for chart in report_context(figures)["charts"]]
    assert len(titles) >= 10
    for title in titles:
        assert title in text


@pytest.mark.parametrize("language", ["de", "en"])
def test_no_suppressed_value_no_missing_organisation_and_no_text_answer_reaches_the_pdf(
    data, language
):
    figures = round_aggregate(data["round"])
    assert figures.response_rate.missing  # the office's list is there, and stays out
    text, _pages = pdf_text(render(figures, language).content)

    numbers = numbers_in(text)
    published = {"de": {"500", "33,3"}, "en": {"500", "33.3"}}
    assert published[language] <= numbers  # the published neighbours are found
    for value in HIDDEN[language]:
        assert value not in numbers
    assert "·" in text
    assert "Org G" not in text
    assert not re.search(r"\bOrg [A-H]\b", text)
    assert "secret plan" not in text and "another" not in text
    # The rules' parameters are not printed.
    assert "10 %" not in text and "10%" not in text


def test_the_pdf_reports_its_progress_charts_before_layout(data):
    figures = round_aggregate(data["round"])
    stages = []
    rendered = render(figures, "de", progress=stages.append)
    assert stages == ["charts", "layout"]
    assert rendered.pages > 0


def preview(figures, language, **extra) -> tuple[str, dict]:
    """The page as the view composes it: the chapters (``report_page_body``) in the frame."""
    request = RequestFactory().get("/reports/2025/")
    request.user = AnonymousUser()
    survey_round = extra.get("survey_round") or SurveyRound.objects.get(pk=figures.round_id)
    with translation.override(language):
        context = report_context(figures)
        body = report_page_body(
            context, survey_round=survey_round, generated_at=GENERATED, request=request
        )
        html = render_to_string(
            "reports/report/preview.html",
            {"downloads": [], **extra, "survey_round": survey_round, "body": mark_safe(body)},
            request=request,
        )
    return html, context


@pytest.mark.parametrize("language", ["de", "en"])
def test_the_preview_shows_the_same_charts_without_inline_styles(data, language):
    figures = round_aggregate(data["round"])
    html, context = preview(
        figures,
        language,
        survey_round=data["round"],
        downloads=[{"label": "PDF (Deutsch)", "url": "/reports/2025/report/de.pdf"}],
    )

    titles = [chart.title for chart in context["charts"]]
    assert {CHART_TEXTS[language][1], CHART_TEXTS[language][2]} <= set(titles)
    for title in titles:
        assert f'aria-label="{escape(title)}"' in html
    assert html.count("<svg") >= len(titles)
    assert "style=" not in html
    assert "<style" not in html
    # Scripts only from our own static files (the header's menu), none inline: the page works
    # under a Content-Security-Policy without 'unsafe-inline'.
    scripts = re.findall(r"<script\b[^>]*>", html)
    assert all(re.search(r'\bsrc="/static/', tag) for tag in scripts), scripts
    assert f'<html lang="{language}">' in html
    assert 'href="/reports/2025/report/de.pdf"' in html
    assert FOOTNOTE[language] in html
    # Headings in order: one h1, then no level skipped.
    levels = [int(level) for level in re.findall(r"<h([1-6])\b", html)]
    assert levels[0] == 1 and levels.count(1) == 1
    assert all(b <= a + 1 for a, b in zip(levels, levels[1:], strict=False))
    # Tables have headers for their columns and rows.
    assert html.count("<table") == html.count("<thead>") == html.count("<caption>") > 10
    assert 'scope="col"' in html and 'scope="row"' in html
    # The survey period comes from the round.
    assert "2025" in html and ("31. Mai 2025" in html or "May 31, 2025" in html)
    assert "Org G" not in html and "secret plan" not in html


def test_a_round_without_special_questions_has_no_special_topic_chapter():
    survey_round = make_round(2027)
    for index in range(6):
        respond(
            survey_round,
            OrganizationFactory(),
            revenue=Decimal(1_000_000 * (index + 1)),
            employees=10 * (index + 1),
        )
    figures = round_aggregate(survey_round)
    html, context = preview(figures, "en")
    assert context["special_topic"] is None
    assert "special-topic" not in [chapter["id"] for chapter in context["chapters"]]
    assert 'id="special-topic"' not in html
    assert "There is no earlier survey to compare with." in html


def test_a_dominated_total_is_printed_as_a_dot_with_the_footnote():
    # One organisation of four has nearly all the revenue: the total is suppressed.
    survey_round = make_round(2029)
    for index, revenue in enumerate([100_000_000, 1_000, 2_000, 3_000]):
        respond(survey_round, OrganizationFactory(), revenue=Decimal(revenue), employees=10 + index)
    figures = round_aggregate(survey_round)
    html, context = preview(figures, "de")
    revenue = next(item for item in context["key_figures"] if item.label == "Gesamtumsatz")
    assert (revenue.text, revenue.suppressed) == ("·", True)
    assert context["key_figures_suppressed"]
    # 100.006.000 € would be printed as 100,0 Mio. €
    assert not re.search(r"\d\u00a0Mio\.", html)
    assert FOOTNOTE["de"] in html


def test_numbers_are_written_as_the_language_writes_them():
    with translation.override("de"):
        assert formatting.number(1234.55, 1) == "1.234,6"
        assert formatting.percent(85.714) == "85,7\u00a0%"
        assert formatting.millions(21_049_999) == "21,0\u00a0Mio.\u00a0€"
        assert formatting.signed(-3.04) == "\u22123,0"
        assert formatting.signed(50) == "+50,0"
        assert formatting.signed(-0.01) == "0,0"
        assert formatting.page_counter_css() == '"Seite " counter(page) " von " counter(pages)'
    with translation.override("en"):
        assert formatting.number(1234.55, 1) == "1,234.6"
        assert formatting.percent(12.25) == "12.3%"
        assert formatting.millions(21_050_000) == "€21.1\u00a0m"
        assert formatting.page_counter_css() == '"Page " counter(page) " of " counter(pages)'
    assert formatting.css_string('a "b" \\ </style>') == '"a \\"b\\" \\\\ \\3c /style>"'


def test_a_round_without_answers_renders_with_every_figure_suppressed():
    survey_round = make_round(2031)
    SpecialQuestion.objects.create(
        round=survey_round, position=1, kind="single", text_de="Wahl?", text_en="Choice?"
    )
    figures = round_aggregate(survey_round)
    html, context = preview(figures, "de")
    rate = next(item for item in context["key_figures"] if item.label == "Rücklauf")
    assert rate.suppressed
    assert FOOTNOTE["de"] in html
    assert "Wahl?" in html
