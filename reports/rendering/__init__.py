"""The growth report's rendering: the HTML preview's context and the A4 PDF (see ``report``)."""

from reports.rendering.report import RenderedPdf, report_context, report_page_body, report_pdf

__all__ = ["RenderedPdf", "report_context", "report_page_body", "report_pdf"]
