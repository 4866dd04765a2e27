"""Publishing, changing, cancelling and duplicating meetings (the office's work in the admin)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from members.models import User
from members.services import audit_log
from optonet.page_cache import anonymous_pages_changed
from workinggroups.models import Meeting
from workinggroups.services.notifications import notify_meeting_cancelled, notify_meeting_updated
from workinggroups.services.registrations import _lock_meeting, _promote_from_waiting_list


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
    notify_meeting_cancelled(meeting, actor)
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


# Changes that registrants are told about by e-mail, with an updated calendar file.
UPDATE_FIELDS = {"starts_at", "ends_at", "format", "venue_name", "venue_address", "online_url"}


@transaction.atomic
def meeting_changed(*, meeting: Meeting, changed_fields: set[str], actor: User) -> Meeting:
    """After the office edited a meeting: raise the calendar sequence if attendees would see the
    change, and fill seats from the waiting list if the capacity grew."""
    meeting = _lock_meeting(meeting.pk)
    if changed_fields & CALENDAR_FIELDS:
        Meeting.objects.filter(pk=meeting.pk).update(sequence=F("sequence") + 1)
        anonymous_pages_changed()  # an update() sends no signal
        meeting.refresh_from_db()
    if changed_fields:
        audit_log(
            actor=actor,
            action="workinggroups.meeting.changed",
            obj=meeting,
            fields=sorted(changed_fields),
        )
    if changed_fields & UPDATE_FIELDS:
        notify_meeting_updated(meeting, changed_fields & UPDATE_FIELDS, actor)
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
