"""The moderators' records of a meeting: attendance, results summary, minutes and materials."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from members.models import User
from members.services import audit_log
from optonet.page_cache import anonymous_pages_changed
from workinggroups.models import Meeting, MeetingDocument, Registration

DOCUMENT_MAX_BYTES = 20 * 1024 * 1024


DOCUMENT_TYPES: dict[str, tuple[str, tuple[bytes, ...]]] = {
    ".pdf": ("application/pdf", (b"%PDF-",)),
    ".pptx": (
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        (b"PK\x03\x04",),
    ),
    ".docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        (b"PK\x03\x04",),
    ),
    ".xlsx": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        (b"PK\x03\x04",),
    ),
    ".odp": ("application/vnd.oasis.opendocument.presentation", (b"PK\x03\x04",)),
    ".odt": ("application/vnd.oasis.opendocument.text", (b"PK\x03\x04",)),
    ".ppt": ("application/vnd.ms-powerpoint", (b"\xd0\xcf\x11\xe0",)),
    ".doc": ("application/msword", (b"\xd0\xcf\x11\xe0",)),
    ".png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    ".jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
}


def _require_manager(meeting: Meeting, actor: User) -> None:
    from workinggroups.selectors import may_manage_meeting

    if not may_manage_meeting(actor, meeting):
        raise PermissionDenied


@transaction.atomic
def attendance_record(*, meeting: Meeting, actor: User, attendance: dict[int, str]) -> int:
    """Record attended / excused / absent per confirmed registration; returns rows changed.
    Only from the day of the meeting on (`may_record_attendance`, the one rule)."""
    from workinggroups.selectors.workspace import may_record_attendance

    _require_manager(meeting, actor)
    if not may_record_attendance(meeting):
        raise ValidationError(
            _("Attendance can be recorded from the day of the meeting on."),
            code="attendance_too_early",
        )
    allowed = set(Registration.Attendance.values)
    if any(value not in allowed for value in attendance.values()):
        raise ValidationError(_("Unknown attendance value."), code="invalid_attendance")
    registrations = Registration.objects.select_for_update().filter(
        meeting=meeting, status=Registration.Status.CONFIRMED, pk__in=list(attendance)
    )
    changed = []
    for registration in registrations:
        value = attendance[registration.pk]
        if registration.attendance != value:
            registration.attendance = value
            changed.append(registration)
    Registration.objects.bulk_update(changed, ["attendance"])
    if changed:
        audit_log(
            actor=actor,
            action="workinggroups.attendance.recorded",
            obj=meeting,
            changed=len(changed),
        )
    return len(changed)


@transaction.atomic
def meeting_set_results_summary(*, meeting: Meeting, actor: User, summary: str) -> Meeting:
    _require_manager(meeting, actor)
    Meeting.objects.filter(pk=meeting.pk).update(results_summary=summary.strip())
    anonymous_pages_changed()  # an update() sends no signal
    meeting.refresh_from_db()
    audit_log(actor=actor, action="workinggroups.meeting.summary_saved", obj=meeting)
    return meeting


def document_upload(*, meeting: Meeting, actor: User, title: str, upload) -> MeetingDocument:
    """Store minutes or material after checking type (extension and content) and size."""
    from pathlib import PurePath

    _require_manager(meeting, actor)
    suffix = PurePath(upload.name).suffix.lower()
    if suffix not in DOCUMENT_TYPES:
        raise ValidationError(
            _("This file type is not accepted. Please upload PDF, Office documents or images."),
            code="file_type",
        )
    if upload.size > DOCUMENT_MAX_BYTES:
        raise ValidationError(_("The file is larger than 20 MB."), code="file_too_large")
    content_type, signatures = DOCUMENT_TYPES[suffix]
    head = upload.read(16)
    upload.seek(0)
    if not head.startswith(signatures):
        raise ValidationError(_("The file's content does not match its type."), code="file_content")
    with transaction.atomic():
        document = MeetingDocument(
            meeting=meeting,
            title=title.strip() or PurePath(upload.name).stem,
            original_name=PurePath(upload.name).name[:255],
            content_type=content_type,
            size=upload.size,
            uploaded_by=actor,
        )
        document.file.save(upload.name, upload, save=False)
        document.save()
        audit_log(
            actor=actor,
            action="workinggroups.document.uploaded",
            obj=meeting,
            document_id=document.pk,
            title=document.title,
        )
    return document


@transaction.atomic
def document_delete(*, document: MeetingDocument, actor: User) -> None:
    _require_manager(document.meeting, actor)
    audit_log(
        actor=actor,
        action="workinggroups.document.deleted",
        obj=document.meeting,
        document_id=document.pk,
        title=document.title,
    )
    stored = document.file.name
    storage = document.file.storage
    document.delete()
    transaction.on_commit(lambda: storage.delete(stored))
