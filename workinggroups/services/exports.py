"""Attendee lists leaving the portal: every download audited; long sign-in sheets rendered by a
worker on the "pdf" queue and kept for a day."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
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


EXPORT_STALE_AFTER = timedelta(minutes=20)


@transaction.atomic
def attendee_export_request(*, meeting: Meeting, actor: User) -> AttendeeListExport:
    """Queue a PDF sign-in sheet for the "pdf" worker; a pending one of the same person for
    the same meeting is reused, so repeated clicks render once."""
    from workinggroups.tasks import render_attendee_export

    _require_manager(meeting, actor)
    pending = (
        AttendeeListExport.objects.select_for_update()
        .filter(
            meeting=meeting,
            requested_by=actor,
            state__in=[AttendeeListExport.State.QUEUED, AttendeeListExport.State.RUNNING],
        )
        .first()
    )
    if pending is not None:
        return pending
    export = AttendeeListExport.objects.create(meeting=meeting, requested_by=actor)
    transaction.on_commit(lambda: render_attendee_export.delay(export.pk))
    return export


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
        stale = (
            export.state == AttendeeListExport.State.RUNNING
            and export.started_at
            and export.started_at < now - EXPORT_STALE_AFTER
        )
        if export.state != AttendeeListExport.State.QUEUED and not stale:
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
