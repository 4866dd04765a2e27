"""Thin Celery tasks: take ids, call a service. Routed to the "pdf" queue (CELERY_TASK_ROUTES),
so a report never delays an e-mail."""

from __future__ import annotations

from celery import shared_task

from reports.models.documents import RENDER_TIME_LIMIT_SECONDS


@shared_task(
    acks_late=True,
    soft_time_limit=RENDER_TIME_LIMIT_SECONDS - 30,
    time_limit=RENDER_TIME_LIMIT_SECONDS,
)
def render_report(document_id: int, attempt: int) -> None:
    from reports.services import report_render

    report_render(document_id=document_id, attempt=attempt)


@shared_task(acks_late=True, soft_time_limit=60, time_limit=90)
def sweep_report_documents() -> int:
    from reports.services import report_documents_sweep

    return report_documents_sweep()
