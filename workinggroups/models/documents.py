"""What a meeting leaves behind: minutes and materials, and rendered sign-in sheets."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from workinggroups.models.meetings import Meeting


def meeting_document_path(document: MeetingDocument, filename: str) -> str:
    # A random name: the stored path never reveals the original file name or guessable ids.
    import secrets
    from pathlib import PurePath

    suffix = PurePath(filename).suffix.lower()[:10]
    return f"meeting-documents/{document.meeting_id}/{secrets.token_hex(16)}{suffix}"


class MeetingDocument(models.Model):
    """Minutes and materials of a meeting: for the group's followers who are members only.

    Stored under MEDIA_ROOT, which is never served directly; downloads go through a view that
    checks who asks.
    """

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="documents"
    )
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(_("file"), upload_to=meeting_document_path, max_length=300)
    original_name = models.CharField(_("original file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=120)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        verbose_name = _("meeting document")
        verbose_name_plural = _("meeting documents")
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.title


def attendee_export_path(export: AttendeeListExport, filename: str) -> str:
    import secrets

    return f"attendee-exports/{export.meeting_id}/{secrets.token_hex(16)}.{export.file_format}"


class AttendeeListExport(models.Model):
    """A sign-in sheet too large to render within a request: rendered by a worker on the "pdf"
    queue, kept for a day, downloadable by the meeting's moderators and the office."""

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Being prepared")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="exports"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    file_format = models.CharField(_("format"), max_length=10, default="pdf")
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.QUEUED)
    file = models.FileField(_("file"), upload_to=attendee_export_path, blank=True, max_length=300)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("requested at"), default=timezone.now)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)

    class Meta:
        verbose_name = _("attendee list export")
        verbose_name_plural = _("attendee list exports")
        ordering = ["-created_at", "-id"]
        constraints = [
            # One live job per meeting and format: parallel clicks render once.
            models.UniqueConstraint(
                fields=["meeting", "file_format"],
                condition=Q(state__in=["queued", "running"]),
                name="workinggroups_export_one_live_job",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.meeting} · {self.file_format}"
