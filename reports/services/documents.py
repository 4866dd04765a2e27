"""The report's PDFs: requested by the office, rendered by a worker on the "pdf" queue with its
progress visible, replaced in one step; every download audited."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from members.models import User
from members.selectors import is_office_staff
from members.services import audit_log
from reports.models import ReportDocument, SurveyRound
from reports.models.documents import report_path


def _render_later(document_id: int, attempt: int) -> Callable[[], None]:
    from reports.tasks import render_report

    def render_report_later() -> None:
        render_report.delay(document_id, attempt)

    return render_report_later


def report_request(
    *, survey_round: SurveyRound, language: str, actor: User | None
) -> ReportDocument:
    """Queue the rendering of the round's report in `language`. While one runs, asking again
    returns it (parallel clicks render once); the last complete file stays downloadable until
    the new one is complete. `actor` None is the system (publishing, the demo data)."""
    if actor is not None and not is_office_staff(actor):
        raise PermissionDenied
    now = timezone.now()
    for _attempt in range(3):
        try:
            with transaction.atomic():
                document, _created = ReportDocument.objects.select_for_update().get_or_create(
                    round=survey_round, language=language
                )
                if (
                    document.state == ReportDocument.State.QUEUED
                    and document.requested_at
                    and not document.abandoned(now)
                ):
                    return document  # not begun yet: it will print the figures as they are
                # Done, failed, abandoned, or begun with figures that may since have changed:
                # a new attempt (a running task of an older attempt discards its result).
                document.state = ReportDocument.State.QUEUED
                document.attempt += 1
                document.requested_at = now
                document.requested_by = actor
                document.started_at = document.finished_at = None
                document.error = ""
                document.save()
                transaction.on_commit(_render_later(document.pk, document.attempt), robust=True)
                audit_log(
                    actor=actor,
                    action="reports.report.requested",
                    obj=survey_round,
                    language=language,
                )
                return document
        except IntegrityError:
            continue  # a parallel request created the row first: lock that one
    raise RuntimeError("could not queue the report")


def reports_render_stale(*, survey_round: SurveyRound, actor: User | None) -> list[str]:
    """Render the round's report in every language whose file is missing or prints other
    figures than the round's (see `figures_digest`). Returns the languages queued."""
    from reports.aggregation import figures_digest, round_figures

    digest = figures_digest(round_figures(survey_round))
    current = {
        document.language: document.figures_digest
        for document in ReportDocument.objects.filter(round=survey_round, state="done")
    }
    queued = []
    for language, _name in settings.LANGUAGES:
        if current.get(language) != digest:
            report_request(survey_round=survey_round, language=language, actor=actor)
            queued.append(language)
    return queued


def _set_stage(document_id: int, attempt: int) -> Callable[[str], None]:
    """Progress is written at once (autocommit), so the office's page sees it while the
    rendering goes on; only the attempt the task was sent for is touched."""

    def set_stage(stage: str) -> None:
        ReportDocument.objects.filter(pk=document_id, attempt=attempt).update(state=stage)

    return set_stage


def report_render(*, document_id: int, attempt: int) -> ReportDocument | None:
    """Claim the queued attempt (under the row lock), compute the figures, draw, lay out; then
    store the new file under a new name and switch the row to it in one transaction. The old
    file is deleted only after that commit, so a download never finds no file. A task delivered
    twice, or one of an abandoned attempt, finds nothing to do."""
    from reports.aggregation import figures_digest, round_figures
    from reports.rendering import report_pdf

    with transaction.atomic():
        document = (
            ReportDocument.objects.select_for_update()
            .select_related("round")
            .filter(pk=document_id)
            .first()
        )
        if (
            document is None
            or document.attempt != attempt
            or document.state != ReportDocument.State.QUEUED
        ):
            return document
        document.state = ReportDocument.State.AGGREGATING
        document.started_at = timezone.now()
        document.save(update_fields=["state", "started_at"])
    set_stage = _set_stage(document.pk, attempt)
    storage = document.file.storage
    try:
        figures = round_figures(document.round)
        generated_at = timezone.now()
        rendered = report_pdf(
            figures, language=document.language, generated_at=generated_at, progress=set_stage
        )
        new_name = storage.save(report_path(document, ""), ContentFile(rendered.content))
    except Exception as exc:
        ReportDocument.objects.filter(pk=document.pk, attempt=attempt).update(
            state=ReportDocument.State.FAILED,
            error=f"{type(exc).__name__}: {exc}"[:2000],
            finished_at=timezone.now(),
        )
        raise
    with transaction.atomic():
        current = ReportDocument.objects.select_for_update().get(pk=document.pk)
        if current.attempt != attempt:
            storage.delete(new_name)  # a newer request took over; its file will come
            return current
        old_name = current.file.name
        current.file.name = new_name
        current.state = ReportDocument.State.DONE
        current.generated_at = generated_at
        current.pages = rendered.pages
        current.figures_digest = figures_digest(figures)
        current.finished_at = timezone.now()
        current.save(
            update_fields=[
                "file",
                "state",
                "generated_at",
                "pages",
                "figures_digest",
                "finished_at",
            ]
        )
        if old_name and old_name != new_name:
            transaction.on_commit(lambda: storage.delete(old_name), robust=True)
    return current


def report_downloaded(*, document: ReportDocument, actor: User) -> None:
    audit_log(
        actor=actor,
        action="reports.report.downloaded",
        obj=document.round,
        language=document.language,
    )


def benchmark_sheet_viewed(*, survey_round: SurveyRound, organization, actor: User, fmt: str):
    """Each look at an organisation's benchmark sheet is recorded (its figures are confidential)."""
    audit_log(
        actor=actor,
        action="reports.benchmark.viewed",
        obj=organization,
        round=survey_round.year,
        format=fmt,
    )


def report_documents_sweep() -> int:
    """Start again every rendering whose worker died or whose task was lost (beat, every few
    minutes), so that a published round's PDF is never "being prepared" for ever."""
    now = timezone.now()
    restarted = 0
    for document in ReportDocument.objects.exclude(state__in=["done", "failed"]).select_related(
        "round"
    ):
        if document.abandoned(now):
            report_request(survey_round=document.round, language=document.language, actor=None)
            restarted += 1
    return restarted
