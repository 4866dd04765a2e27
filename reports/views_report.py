"""The published report (page and PDFs) and each organisation's benchmark sheet (page and
one-page PDF). Who may see what is decided in `reports.selectors`; every file download is
audited."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.views.decorators.http import require_safe

from members.models import Organization
from reports import selectors, services
from reports.models import SurveyRound

CACHE_SECONDS = 15 * 60
# Part of every cache key: a new version of the rendering is never served from an old cache.
RENDERING_VERSION = 2


def _round(year: int) -> SurveyRound:
    return get_object_or_404(
        SurveyRound.objects.exclude(status=SurveyRound.Status.DRAFT), year=year
    )


@login_required
@require_safe
def report_page(request: HttpRequest, year: int) -> HttpResponse:
    """The report as a page, with the same chapters and charts (and, once the round is closed,
    the same frozen figures) as the PDF."""
    from reports.aggregation import round_figures
    from reports.rendering import report_context, report_page_body

    survey_round = _round(year)
    if not selectors.may_read_report(request.user, survey_round):
        raise PermissionDenied
    # Drawing the charts takes most of a second: the page is kept while its figures stay.
    key = (
        f"reports:page:v{RENDERING_VERSION}:{survey_round.pk}:"
        f"{selectors.report_figures_key(survey_round)}:{get_language()}"
    )
    body = cache.get(key)
    if body is None:
        body = report_page_body(
            report_context(round_figures(survey_round)),
            survey_round=survey_round,
            generated_at=survey_round.figures_at or timezone.now(),
            request=request,
        )
        cache.set(key, body, timeout=CACHE_SECONDS)
    return render(
        request,
        "reports/report/preview.html",
        {
            "survey_round": survey_round,
            "downloads": selectors.report_downloads(survey_round),
            # Rendered from our own template (just now, or before and kept in the cache).
            "body": mark_safe(body),  # noqa: S308
        },
    )


def _open_document_file(survey_round: SurveyRound, language: str):
    """The current file of the round's PDF in `language`, opened. A new rendering switches the
    file and then deletes the old one: a request that read the old name just before finds it
    gone and takes the new one."""
    for _attempt in range(2):
        document = next(
            (d for d in selectors.report_documents(survey_round) if d.language == language),
            None,
        )
        if document is None:
            raise Http404
        try:
            return document, document.file.open("rb")
        except FileNotFoundError:
            survey_round = SurveyRound.objects.prefetch_related("documents").get(pk=survey_round.pk)
    raise Http404


@login_required
@require_safe
def report_pdf(request: HttpRequest, year: int, language: str) -> FileResponse:
    survey_round = _round(year)
    if not selectors.may_read_report(request.user, survey_round):
        raise PermissionDenied
    document, file = _open_document_file(survey_round, language)
    services.report_downloaded(document=document, actor=request.user)
    name = "wachstumsreport" if language == "de" else "growth-report"
    return FileResponse(
        file,
        as_attachment=True,
        filename=f"optonet-{name}-{year}-{language}.pdf",
        content_type="application/pdf",
    )


def _benchmark(request: HttpRequest, year: int, organization_id: int):
    survey_round = _round(year)
    organization = get_object_or_404(Organization, pk=organization_id)
    response = selectors.benchmark_response(request.user, survey_round, organization)
    if response is None:
        raise Http404  # not "forbidden": nobody learns from it whether an organisation took part
    from reports.aggregation.benchmark import benchmark_sheet

    return survey_round, organization, benchmark_sheet(response)


@login_required
@require_safe
def benchmark_page(request: HttpRequest, year: int, organization_id: int) -> HttpResponse:
    from reports.rendering.benchmark import benchmark_context

    survey_round, organization, sheet = _benchmark(request, year, organization_id)
    services.benchmark_sheet_viewed(
        survey_round=survey_round, organization=organization, actor=request.user, fmt="page"
    )
    return render(
        request,
        "reports/benchmark/page.html",
        {
            **benchmark_context(sheet),
            "pdf_url": reverse("reports:benchmark_pdf", args=[year, organization_id]),
        },
    )


@login_required
@require_safe
def benchmark_pdf(request: HttpRequest, year: int, organization_id: int) -> HttpResponse:
    """One page, rendered within the request (about half a second) and kept while the
    round's figures stay, so that repeated downloads do not render again."""
    from reports.rendering.benchmark import benchmark_pdf as render_pdf

    survey_round, organization, sheet = _benchmark(request, year, organization_id)
    language = get_language()
    key = (
        f"reports:benchmark:v{RENDERING_VERSION}:{survey_round.pk}:{organization_id}:"
        f"{selectors.report_figures_key(survey_round)}:{language}"
    )
    content = cache.get(key)
    if content is None:
        content = render_pdf(sheet, language=language, generated_at=timezone.now())
        cache.set(key, content, timeout=CACHE_SECONDS)
    services.benchmark_sheet_viewed(
        survey_round=survey_round, organization=organization, actor=request.user, fmt="pdf"
    )
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="optonet-benchmark-{year}-{language}.pdf"'
    )
    return response
