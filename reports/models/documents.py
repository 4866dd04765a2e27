"""The growth report's rendered summary (PDF) per round and language."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from reports.models.rounds import SurveyRound


def report_path(document: ReportDocument, filename: str) -> str:
    import secrets

    return (
        f"reports/{document.round.year}/"
        f"optonet-growth-report-{document.round.year}-{document.language}-"
        f"{secrets.token_hex(8)}.pdf"
    )


# The render task's hard time limit; a rendering that has not finished a minute after it died
# with its worker (see `ReportDocument.abandoned`).
RENDER_TIME_LIMIT_SECONDS = 10 * 60
QUEUED_AT_MOST = timedelta(hours=1)


class ReportDocument(models.Model):
    """The summary PDF of a round in one language. A worker renders it on the "pdf" queue and
    reports its progress; the file of the last complete rendering stays downloadable while a
    new one is made, and is replaced in one step when the new one is complete."""

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        AGGREGATING = "aggregating", _("Computing the figures")
        CHARTS = "charts", _("Drawing the charts")
        LAYOUT = "layout", _("Laying out the PDF")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    round = models.ForeignKey(
        SurveyRound,
        verbose_name=_("survey round"),
        on_delete=models.CASCADE,
        related_name="documents",
    )
    language = models.CharField(_("language"), max_length=2, choices=settings.LANGUAGES)
    state = models.CharField(_("state"), max_length=12, choices=State.choices, default=State.QUEUED)
    file = models.FileField(_("file"), upload_to=report_path, blank=True, max_length=300)
    generated_at = models.DateTimeField(_("file generated at"), null=True, blank=True)
    # Which figures the file prints (see `reports.aggregation.figures_digest`): a file whose
    # figures are no longer the round's is rendered again when the round is published.
    figures_digest = models.CharField(_("figures digest"), max_length=64, blank=True)
    pages = models.PositiveSmallIntegerField(_("pages"), default=0)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("requested at"), null=True, blank=True)
    # Each request is a new attempt; a task renders only the attempt it was sent for, so a task
    # of an abandoned attempt that finishes late cannot overwrite a newer file.
    attempt = models.PositiveIntegerField(_("attempt"), default=0)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("report document")
        verbose_name_plural = _("report documents")
        ordering = ["-round__year", "language"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "language"], name="reports_document_one_per_language"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.round} · {self.language}"

    @property
    def running(self) -> bool:
        return self.state not in (self.State.DONE, self.State.FAILED)

    def abandoned(self, now=None) -> bool:
        """Running long after the task's time limit (its worker is gone), or queued for an
        hour (no worker took it: the broker lost it); a new request, or the sweep, starts the
        rendering again."""
        from django.utils import timezone

        now = now or timezone.now()
        if not self.running:
            return False
        if self.state == self.State.QUEUED:
            return self.requested_at is not None and self.requested_at < now - QUEUED_AT_MOST
        limit = timedelta(seconds=RENDER_TIME_LIMIT_SECONDS + 60)
        return self.started_at is not None and self.started_at < now - limit

    @property
    def step(self) -> int:
        """The rendering's step for a progress bar: 0 queued, 1–3 computing, drawing, laying
        out; 4 when done."""
        order = [self.State.QUEUED, self.State.AGGREGATING, self.State.CHARTS, self.State.LAYOUT]
        return order.index(self.state) if self.state in order else len(order)
