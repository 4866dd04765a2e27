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
from django.utils import timezone, translation
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from members.models import Organization
from reports import selectors, services
from reports.models import SurveyRound

PAGE_CACHE_SECONDS = 15 * 60


def _round(year: int) -> SurveyRound:
    return get_object_or_404(
        SurveyRound.objects.exclude(status=SurveyRound.Status.DRAFT), year=year
    )


def report_downloads(survey_round: SurveyRound) -> list[dict]:
    return [
        {
            "label": _("PDF (%(language)s)")
            % {"language": translation.get_language_info(document.language)["name_local"]},
            "language": document.language,
            "url": reverse("reports:report_pdf", args=[survey_round.year, document.language]),
            "pages": document.pages,
            "generated_at": document.generated_at,
        }
        for document in selectors.report_documents(survey_round)
    ]


@login_required
@require_safe
def report_page(request: HttpRequest, year: int) -> HttpResponse:
    """The report as a page, with the same chapters and charts as the PDF."""
    from reports.aggregation import round_aggregate
    from reports.rendering import report_context, report_page_body

    survey_round = _round(year)
    if not selectors.may_read_report(request.user, survey_round):
        raise PermissionDenied
    # Drawing the charts takes most of a second: the page is kept until a response changes.
    key = f"reports:page:{selectors.report_fingerprint(survey_round)}:{get_language()}"
    body = cache.get(key)
    if body is None:
        body = report_page_body(
            report_context(round_aggregate(survey_round)),
            survey_round=survey_round,
            generated_at=timezone.now(),
            request=request,
        )
        cache.set(key, body, timeout=PAGE_CACHE_SECONDS)
    return render(
        request,
        "reports/report/preview.html",
        {
            "survey_round": survey_round,
            "downloads": report_downloads(survey_round),
            "body": mark_safe(body),  # noqa: S308 – rendered from our template just now or before
        },
    )


@login_required
@require_safe
def report_pdf(request: HttpRequest, year: int, language: str) -> FileResponse:
    survey_round = _round(year)
    if not selectors.may_read_report(request.user, survey_round):
        raise PermissionDenied
    document = next(
        (d for d in selectors.report_documents(survey_round) if d.language == language), None
    )
    if document is None:
        raise Http404
    services.report_downloaded(document=document, actor=request.user)
    return FileResponse(
        document.file.open("rb"),
        as_attachment=True,
        filename=f"optonet-wachstumsreport-{year}-{language}.pdf",
        content_type="application/pdf",
    )


def _benchmark(request: HttpRequest, year: int, organization_id: int):
    survey_round = _round(year)
    organization = get_object_or_404(Organization, pk=organization_id)
    response = selectors.benchmark_response(request.user, survey_round, organization)
    if response is None:
        raise PermissionDenied
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
    from reports.rendering.benchmark import benchmark_pdf as render_pdf

    survey_round, organization, sheet = _benchmark(request, year, organization_id)
    language = translation.get_language()
    content = render_pdf(sheet, language=language, generated_at=timezone.now())
    services.benchmark_sheet_viewed(
        survey_round=survey_round, organization=organization, actor=request.user, fmt="pdf"
    )
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="optonet-benchmark-{year}-{language}.pdf"'
    )
    return response
