"""Every write of the growth report: responses (draft, submit), rounds (open and invite,
remind, close, publish), the report documents (rendered by a worker), and the audit of every look
at confidential figures."""

from reports.services.documents import (
    benchmark_sheet_viewed,
    report_documents_sweep,
    report_downloaded,
    report_render,
    report_request,
    reports_render_stale,
)
from reports.services.responses import (
    response_for,
    response_save_section,
    response_submit,
    response_viewed,
    responses_exported,
)
from reports.services.rounds import (
    round_figures_freeze,
    round_open,
    round_remind,
    round_responses_changed,
    round_set_status,
)

__all__ = [
    "benchmark_sheet_viewed",
    "report_documents_sweep",
    "report_downloaded",
    "report_render",
    "report_request",
    "reports_render_stale",
    "response_for",
    "response_save_section",
    "response_submit",
    "response_viewed",
    "responses_exported",
    "round_figures_freeze",
    "round_open",
    "round_remind",
    "round_responses_changed",
    "round_set_status",
]
