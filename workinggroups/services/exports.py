"""Attendee lists leaving the portal: every download audited; long sign-in sheets rendered by a
worker on the "pdf" queue and kept for a day."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from members.models import User
from members.services import audit_log
from workinggroups.models import AttendeeListExport, Meeting
from workinggroups.services.documents import _require_manager


def attendee_list_downloaded(*, meeting: Meeting, actor: User, file_format: str, rows: int) -> None:
    """Every download of a list is recorded: who, which meeting, which format, when."""
    _require_manager(meeting, actor)
    audit_log(
        actor=actor,
        action="workinggroups.attendees.downloaded",
        obj=meeting,
        format=file_format,
        rows=rows,
    )


EXPORT_LIFETIME = timedelta(hours=24)
# The render task's hard time limit: a job older than this died with its worker.
EXPORT_TIME_LIMIT_SECONDS = 16 * 60
EXPORT_ABANDONED_AFTER = timedelta(seconds=EXPORT_TIME_LIMIT_SECONDS)
_LIVE = [AttendeeListExport.State.QUEUED, AttendeeListExport.State.RUNNING]


def _is_abandoned(export: AttendeeListExport, now: datetime) -> bool:
    """Queued or running for longer than the task may run: its task or worker is gone."""
    return export.state in _LIVE and (export.started_at or export.created_at) < (
        now - EXPORT_ABANDONED_AFTER
    )


def _render_later(export_id: int):
    from workinggroups.tasks import render_attendee_export

    def render_attendee_export_later():
        render_attendee_export.delay(export_id)

    return render_attendee_export_later


def attendee_export_request(*, meeting: Meeting, actor: User) -> AttendeeListExport:
    """Queue a PDF sign-in sheet for the "pdf" worker. There is at most one live job per
    meeting and format (a partial unique constraint), so parallel clicks of moderators and
    the office render once; a job older than the task's hard time limit counts as failed,
    and the click starts a new one."""
    _require_manager(meeting, actor)
    now = timezone.now()
    for _attempt in range(3):
        try:
            with transaction.atomic():
                live = (
                    AttendeeListExport.objects.select_for_update()
                    .filter(meeting=meeting, file_format="pdf", state__in=_LIVE)
                    .first()
                )
                if live is not None and not _is_abandoned(live, now):
                    return live
                if live is not None:
                    live.state = AttendeeListExport.State.FAILED
                    live.error = "abandoned: no worker finished it within its time limit"
                    live.finished_at = now
                    live.save(update_fields=["state", "error", "finished_at"])
                export = AttendeeListExport.objects.create(meeting=meeting, requested_by=actor)
                transaction.on_commit(_render_later(export.pk), robust=True)
                return export
        except IntegrityError:
            continue  # a parallel click created the live job first: take that one
    raise RuntimeError("could not queue the sign-in sheet")


def attendee_export_render(*, export_id: int) -> AttendeeListExport | None:
    """Claim a queued export (queued → running under a row lock), render it outside the lock,
    store the file. A task delivered twice finds the export claimed and does nothing."""
    from django.core.files.base import ContentFile

    from workinggroups.exports import attendees_pdf
    from workinggroups.selectors import attendee_list

    now = timezone.now()
    with transaction.atomic():
        export = AttendeeListExport.objects.select_for_update().filter(pk=export_id).first()
        if export is None:
            return None
        if export.state != AttendeeListExport.State.QUEUED or _is_abandoned(export, now):
            return export
        export.state = AttendeeListExport.State.RUNNING
        export.started_at = now
        export.save(update_fields=["state", "started_at"])
    meeting = Meeting.objects.select_related("group").get(pk=export.meeting_id)
    try:
        rows = attendee_list(meeting)
        content = attendees_pdf(meeting, rows)
    except Exception as exc:
        AttendeeListExport.objects.filter(pk=export.pk).update(
            state=AttendeeListExport.State.FAILED,
            error=str(exc)[:2000],
            finished_at=timezone.now(),
        )
        raise
    export.file.save(f"sheet.{export.file_format}", ContentFile(content), save=False)
    export.rows = len(rows)
    export.state = AttendeeListExport.State.DONE
    export.finished_at = timezone.now()
    export.expires_at = export.finished_at + EXPORT_LIFETIME
    export.save(update_fields=["file", "rows", "state", "finished_at", "expires_at"])
    return export


def attendee_exports_delete_expired(*, now: datetime | None = None) -> int:
    """Personal data does not linger: files of expired exports are removed with their rows."""
    now = now or timezone.now()
    expired = AttendeeListExport.objects.filter(
        Q(expires_at__lt=now) | Q(created_at__lt=now - 2 * EXPORT_LIFETIME)
    )
    count = 0
    for export in expired:
        if export.file:
            export.file.delete(save=False)
        export.delete()
        count += 1
    return count
