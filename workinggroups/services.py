"""Every write about working groups, follows, meetings and registrations.

The seat decision is made in one place (`registration_create`) under a row lock on the meeting,
so that two people racing for the last seat never overbook it; cancellations and capacity changes
promote from the waiting list under the same lock.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from members.models import User
from members.selectors import is_member, is_office_staff
from members.services import audit_log
from workinggroups.models import (
    AttendeeListExport,
    Follow,
    Meeting,
    MeetingDocument,
    Registration,
    WorkingGroup,
)
from workinggroups.selectors import is_moderator_of

# --- Follows -----------------------------------------------------------------------------------


@transaction.atomic
def group_follow(*, group: WorkingGroup, user: User) -> Follow:
    """Follow a group: at once for open groups, as a request for groups joined by approval."""
    if not is_member(user):
        raise ValidationError(
            _("Only people of member organisations can follow working groups."), code="not_a_member"
        )
    # A confidential circle is joined by approval whatever its policy says.
    state = (
        Follow.State.ACTIVE
        if group.join_policy == WorkingGroup.JoinPolicy.OPEN and not group.confidential
        else Follow.State.PENDING
    )
    follow, created = Follow.objects.get_or_create(
        group=group, user=user, defaults={"state": state}
    )
    if created:
        audit_log(actor=user, action="workinggroups.follow.created", obj=group, state=state)
    return follow


@transaction.atomic
def group_unfollow(*, group: WorkingGroup, user: User) -> None:
    deleted, _rows = Follow.objects.filter(group=group, user=user).delete()
    if deleted:
        audit_log(actor=user, action="workinggroups.follow.deleted", obj=group)


@transaction.atomic
def follow_approve(*, follow_id: int, actor: User) -> Follow:
    follow = Follow.objects.select_for_update().select_related("group").get(pk=follow_id)
    if not (is_office_staff(actor) or is_moderator_of(actor, follow.group_id)):
        raise PermissionDenied
    if follow.state != Follow.State.ACTIVE:
        follow.state = Follow.State.ACTIVE
        follow.decided_by = actor
        follow.decided_at = timezone.now()
        follow.save(update_fields=["state", "decided_by", "decided_at"])
        audit_log(
            actor=actor,
            action="workinggroups.follow.approved",
            obj=follow.group,
            user_id=follow.user_id,
        )
    return follow


@transaction.atomic
def follow_reject(*, follow_id: int, actor: User) -> None:
    """Decline a request to join: the request is removed; the person may ask again later."""
    follow = Follow.objects.select_for_update().get(pk=follow_id)
    if not (is_office_staff(actor) or is_moderator_of(actor, follow.group_id)):
        raise PermissionDenied
    if follow.state != Follow.State.PENDING:
        raise ValidationError(_("This request has already been decided."), code="already_decided")
    audit_log(
        actor=actor,
        action="workinggroups.follow.rejected",
        obj=follow.group,
        user_id=follow.user_id,
    )
    follow.delete()


# --- Registrations -----------------------------------------------------------------------------


def _lock_meeting(meeting_id: int) -> Meeting:
    return Meeting.objects.select_for_update().select_related("group").get(pk=meeting_id)


def _confirmed_count(meeting: Meeting) -> int:
    return Registration.objects.filter(
        meeting=meeting, status=Registration.Status.CONFIRMED
    ).count()


def _check_open_for_registration(meeting: Meeting, person: User, now: datetime) -> None:
    if meeting.status == Meeting.Status.CANCELLED:
        raise ValidationError(_("This meeting has been cancelled."), code="meeting_cancelled")
    if meeting.status != Meeting.Status.PUBLISHED:
        raise ValidationError(_("This meeting is not open for registration."), code="not_published")
    if meeting.starts_at <= now:
        raise ValidationError(_("This meeting has already taken place."), code="meeting_past")
    if not is_member(person):
        raise ValidationError(
            _("Participation is reserved for people of OptoNet member organisations."),
            code="not_a_member",
        )
    if meeting.registration_opens_at and now < meeting.registration_opens_at:
        raise ValidationError(
            _("Registration for this meeting has not opened yet."), code="registration_not_open"
        )
    if meeting.registration_deadline and now > meeting.registration_deadline:
        raise ValidationError(_("The registration deadline has passed."), code="deadline_passed")
    if (
        meeting.group.confidential
        and not Follow.objects.filter(
            group_id=meeting.group_id, user=person, state=Follow.State.ACTIVE
        ).exists()
    ):
        raise ValidationError(
            _("This is a confidential circle: please ask to join the working group first."),
            code="confidential_follow_required",
        )


def registration_create(
    *,
    meeting: Meeting,
    person: User,
    mode: str = Registration.Mode.ON_SITE,
    list_consent: bool = False,
) -> tuple[Registration, bool]:
    """Register a person: a seat if one is free, else the waiting list.

    Returns (registration, created). A second request of the same person (a double click)
    returns the existing registration unchanged.
    """
    try:
        with transaction.atomic():
            return _registration_create_locked(meeting.pk, person, mode, list_consent)
    except IntegrityError:
        # The unique constraint caught a parallel request of the same person.
        existing = Registration.objects.get(meeting_id=meeting.pk, user=person)
        return existing, False


def _registration_create_locked(
    meeting_id: int, person: User, mode: str, list_consent: bool
) -> tuple[Registration, bool]:
    now = timezone.now()
    meeting = _lock_meeting(meeting_id)
    _check_open_for_registration(meeting, person, now)
    if meeting.format == Meeting.Format.ONLINE:
        mode = Registration.Mode.ONLINE
    elif meeting.format == Meeting.Format.ON_SITE:
        mode = Registration.Mode.ON_SITE
    registration = Registration.objects.filter(meeting=meeting, user=person).first()
    if registration and registration.status != Registration.Status.CANCELLED:
        return registration, False
    # Seats freed behind our back (an admin edit, say) go to those waiting, not to newcomers.
    _promote_from_waiting_list(meeting, None)
    has_seat = meeting.capacity is None or _confirmed_count(meeting) < meeting.capacity
    status = Registration.Status.CONFIRMED if has_seat else Registration.Status.WAITLISTED
    if registration is None:
        registration = Registration(meeting=meeting, user=person)
    registration.status = status
    registration.mode = mode
    registration.list_consent = list_consent
    registration.organization_id = person.organization_id
    registration.created_at = now  # a re-registration queues at the end of the waiting list
    registration.confirmed_at = now if has_seat else None
    registration.cancelled_at = None
    registration.save()
    audit_log(
        actor=person,
        action="workinggroups.registration.created",
        obj=meeting,
        registration_id=registration.pk,
        status=status,
    )
    _notify(registration.pk, "confirmed" if has_seat else "waitlisted")
    return registration, True


def _promote_from_waiting_list(meeting: Meeting, actor: User | None) -> list[Registration]:
    """Fill free seats from the waiting list, first come first served (meeting row locked)."""
    promoted: list[Registration] = []
    if meeting.status != Meeting.Status.PUBLISHED or meeting.starts_at <= timezone.now():
        return promoted
    free = None if meeting.capacity is None else meeting.capacity - _confirmed_count(meeting)
    waiting = Registration.objects.filter(
        meeting=meeting, status=Registration.Status.WAITLISTED
    ).order_by("created_at", "id")
    if free is not None:
        waiting = waiting[: max(free, 0)]
    now = timezone.now()
    for registration in waiting:
        registration.status = Registration.Status.CONFIRMED
        registration.confirmed_at = now
        registration.save(update_fields=["status", "confirmed_at"])
        audit_log(
            actor=actor,
            action="workinggroups.registration.promoted",
            obj=meeting,
            registration_id=registration.pk,
        )
        _notify(registration.pk, "promoted")
        promoted.append(registration)
    return promoted


@transaction.atomic
def registration_cancel(*, registration: Registration, actor: User) -> Registration:
    """Cancel a registration; the first on the waiting list moves up into a freed seat."""
    meeting = _lock_meeting(registration.meeting_id)
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    staff = is_office_staff(actor)
    if registration.user_id != actor.pk and not staff:
        raise PermissionDenied
    if registration.status == Registration.Status.CANCELLED:
        return registration  # cancelled already: a double click changes nothing
    now = timezone.now()
    if not staff:
        if meeting.starts_at <= now:
            raise ValidationError(_("This meeting has already started."), code="meeting_started")
        if meeting.registration_deadline and now > meeting.registration_deadline:
            raise ValidationError(
                _(
                    "The registration deadline has passed, so you can no longer cancel online. "
                    "Please tell the OptoNet office if you cannot attend."
                ),
                code="cancel_after_deadline",
            )
    registration.status = Registration.Status.CANCELLED
    registration.cancelled_at = now
    registration.save(update_fields=["status", "cancelled_at"])
    audit_log(
        actor=actor,
        action="workinggroups.registration.cancelled",
        obj=meeting,
        registration_id=registration.pk,
    )
    _promote_from_waiting_list(meeting, actor)
    return registration


@transaction.atomic
def waiting_list_promote(*, meeting: Meeting, actor: User | None) -> list[Registration]:
    """Fill free seats (after the capacity was raised, say) from the waiting list."""
    return _promote_from_waiting_list(_lock_meeting(meeting.pk), actor)


@transaction.atomic
def registration_update(
    *, registration: Registration, actor: User, mode: str | None, list_consent: bool
) -> Registration:
    """Change how one attends a hybrid meeting, or give or withdraw consent to be listed to
    the other attendees (as easy to withdraw as to give)."""
    registration = (
        Registration.objects.select_for_update().select_related("meeting").get(pk=registration.pk)
    )
    if registration.user_id != actor.pk:
        raise PermissionDenied
    if registration.status == Registration.Status.CANCELLED:
        raise ValidationError(_("This registration has been cancelled."), code="cancelled")
    fields = ["list_consent"]
    if mode is not None and registration.meeting.format == Meeting.Format.HYBRID:
        if mode not in Registration.Mode.values:
            raise ValidationError(_("Unknown attendance mode."), code="invalid_mode")
        registration.mode = mode
        fields.append("mode")
    changed = registration.list_consent != list_consent
    registration.list_consent = list_consent
    registration.save(update_fields=fields)
    if changed:
        audit_log(
            actor=actor,
            action="workinggroups.registration.list_consent_changed",
            obj=registration.meeting,
            registration_id=registration.pk,
            list_consent=list_consent,
        )
    return registration


def _notify(registration_id: int, kind: str) -> None:
    from workinggroups.tasks import send_registration_email

    transaction.on_commit(lambda: send_registration_email.delay(registration_id, kind))


# --- Meetings ----------------------------------------------------------------------------------


@transaction.atomic
def meeting_publish(*, meeting: Meeting, actor: User) -> Meeting:
    meeting = _lock_meeting(meeting.pk)
    if meeting.status == Meeting.Status.DRAFT:
        meeting.status = Meeting.Status.PUBLISHED
        meeting.save(update_fields=["status", "updated"])
        audit_log(actor=actor, action="workinggroups.meeting.published", obj=meeting)
    return meeting


@transaction.atomic
def meeting_cancel(*, meeting: Meeting, actor: User) -> Meeting:
    """Cancel a meeting and tell everyone who was registered or waiting."""
    meeting = _lock_meeting(meeting.pk)
    if meeting.status == Meeting.Status.CANCELLED:
        return meeting
    meeting.status = Meeting.Status.CANCELLED
    meeting.sequence = F("sequence") + 1
    meeting.save(update_fields=["status", "sequence", "updated"])
    meeting.refresh_from_db()
    audit_log(actor=actor, action="workinggroups.meeting.cancelled", obj=meeting)
    for registration_id in Registration.objects.filter(
        meeting=meeting,
        status__in=[Registration.Status.CONFIRMED, Registration.Status.WAITLISTED],
        user__isnull=False,
    ).values_list("pk", flat=True):
        _notify(registration_id, "meeting_cancelled")
    return meeting


CALENDAR_FIELDS = {
    "title",
    "description",
    "starts_at",
    "ends_at",
    "format",
    "venue_name",
    "venue_address",
    "online_url",
    "status",
}


@transaction.atomic
def meeting_changed(*, meeting: Meeting, changed_fields: set[str], actor: User) -> Meeting:
    """After the office edited a meeting: raise the calendar sequence if attendees would see the
    change, and fill seats from the waiting list if the capacity grew."""
    meeting = _lock_meeting(meeting.pk)
    if changed_fields & CALENDAR_FIELDS:
        Meeting.objects.filter(pk=meeting.pk).update(sequence=F("sequence") + 1)
        meeting.refresh_from_db()
    if changed_fields:
        audit_log(
            actor=actor,
            action="workinggroups.meeting.changed",
            obj=meeting,
            fields=sorted(changed_fields),
        )
    if "capacity" in changed_fields:
        _promote_from_waiting_list(meeting, actor)
    return meeting


@transaction.atomic
def meeting_duplicate_as_next(*, meeting: Meeting, actor: User, weeks: int = 13) -> Meeting:
    """A draft copy of a meeting on the same weekday and time, `weeks` later (a quarter)."""

    def shifted(value: datetime | None) -> datetime | None:
        # Same wall-clock time in Berlin, also across a change to or from summer time.
        if value is None:
            return None
        local = timezone.localtime(value).replace(tzinfo=None) + timedelta(weeks=weeks)
        return timezone.make_aware(local)

    copy = Meeting.objects.create(
        group=meeting.group,
        title=meeting.title,
        description=meeting.description,
        starts_at=shifted(meeting.starts_at),
        ends_at=shifted(meeting.ends_at),
        format=meeting.format,
        venue_name=meeting.venue_name,
        venue_address=meeting.venue_address,
        online_url=meeting.online_url,
        capacity=meeting.capacity,
        registration_opens_at=None,
        registration_deadline=shifted(meeting.registration_deadline),
        language=meeting.language,
        status=Meeting.Status.DRAFT,
    )
    audit_log(
        actor=actor,
        action="workinggroups.meeting.duplicated",
        obj=copy,
        source_meeting_id=meeting.pk,
    )
    return copy


# --- Personal data -----------------------------------------------------------------------------


def person_release_registrations(*, user: User, actor: User) -> None:
    """Before a person is erased: cancel their future registrations (promoting the waiting
    list) and anonymise the past ones, which stay for the counts."""
    now = timezone.now()
    future_meeting_ids = (
        Registration.objects.filter(user=user, meeting__starts_at__gt=now)
        .exclude(status=Registration.Status.CANCELLED)
        .order_by("meeting_id")  # a fixed lock order: two deletions cannot deadlock
        .values_list("meeting_id", flat=True)
    )
    for meeting_id in list(future_meeting_ids):
        meeting = _lock_meeting(meeting_id)
        registration = Registration.objects.select_for_update().get(meeting=meeting, user=user)
        if registration.status == Registration.Status.CANCELLED:
            continue
        registration.status = Registration.Status.CANCELLED
        registration.cancelled_at = now
        registration.save(update_fields=["status", "cancelled_at"])
        _promote_from_waiting_list(meeting, None)
    Registration.objects.filter(user=user).update(user=None, anonymised_at=now, list_consent=False)


def registrations_anonymise_before(*, cutoff: datetime) -> int:
    """Detach people from registrations of meetings that ended before `cutoff`."""
    return Registration.objects.filter(meeting__ends_at__lt=cutoff, user__isnull=False).update(
        user=None, anonymised_at=timezone.now(), list_consent=False
    )


# --- Moderators' workspace ----------------------------------------------------------------------

DOCUMENT_MAX_BYTES = 20 * 1024 * 1024
# Accepted uploads: extension -> (content type, signatures the file must start with)
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


@transaction.atomic
def attendance_record(*, meeting: Meeting, actor: User, attendance: dict[int, str]) -> int:
    """Record attended / excused / absent per confirmed registration; returns rows changed."""
    _require_manager(meeting, actor)
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


# --- Large sign-in sheets, rendered by a worker ------------------------------------------------

EXPORT_LIFETIME = timedelta(hours=24)
# A render that has run longer than the task's hard time limit died with its worker.
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
