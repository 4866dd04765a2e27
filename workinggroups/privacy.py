"""What the working groups store about a person, for the privacy registry (`optonet.privacy`):
follows, moderations, registrations, uploads; and the retention of old registrations."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from members.models import User
from optonet.privacy import PersonIdentity, register
from workinggroups.models import (
    AttendeeListExport,
    Follow,
    MeetingDocument,
    Moderation,
    Registration,
)
from workinggroups.services import person_release_registrations, registrations_anonymise_before


def _dt(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def export(person: User) -> dict[str, Any]:
    return {
        "working_groups_followed": [
            {"group": f.group.name_en, "state": f.state, "since": _dt(f.created_at)}
            for f in Follow.objects.filter(user=person)
            .select_related("group")
            .order_by("group__position")
        ],
        "working_groups_moderated": [
            m.group.name_en for m in Moderation.objects.filter(user=person).select_related("group")
        ],
        "registrations": [
            {
                "meeting": r.meeting.title,
                "group": r.meeting.group.name_en,
                "starts_at": _dt(r.meeting.starts_at),
                "status": r.status,
                "mode": r.mode,
                "listed_for_other_attendees": r.list_consent,
                "attendance": r.attendance,
                "registered_at": _dt(r.created_at),
                "cancelled_at": _dt(r.cancelled_at),
            }
            for r in Registration.objects.filter(user=person)
            .select_related("meeting__group")
            .order_by("created_at")
        ],
        "documents_uploaded": [
            {
                "title": d.title,
                "file_name": d.original_name,
                "meeting": d.meeting.title,
                "uploaded_at": _dt(d.uploaded_at),
            }
            for d in MeetingDocument.objects.filter(uploaded_by=person)
            .select_related("meeting")
            .order_by("uploaded_at")
        ],
    }


def erase(person: User, identity: PersonIdentity) -> None:
    # Rendered sign-in sheets list the person by name: remove those of their meetings.
    meeting_ids = Registration.objects.filter(user=person).values("meeting_id")
    for sheet in AttendeeListExport.objects.filter(meeting_id__in=meeting_ids):
        if sheet.file:
            sheet.file.delete(save=False)
        sheet.delete()
    # Future seats go to the waiting list; past rows stay, anonymous, for the counts.
    person_release_registrations(user=person, actor=None)


# Which of two registrations of the same human for one meeting is kept.
_RANK = {Registration.Status.CONFIRMED: 0, Registration.Status.WAITLISTED: 1}


def merge(keep: User, duplicate: User) -> None:
    """Follows, moderations, registrations and uploads of `duplicate` become `keep`'s. Where
    both have one for the same group or meeting, the better one stays (an active follow over a
    pending one; a seat over a waiting place over a cancellation); a seat given up that way
    goes to the waiting list."""
    from workinggroups.services import waiting_list_promote

    for follow in Follow.objects.filter(user=duplicate):
        mine = Follow.objects.filter(user=keep, group_id=follow.group_id).first()
        if mine is None:
            follow.user = keep
            follow.save(update_fields=["user"])
        else:
            if follow.state == Follow.State.ACTIVE and mine.state != Follow.State.ACTIVE:
                mine.state, mine.decided_by_id, mine.decided_at = (
                    follow.state,
                    follow.decided_by_id,
                    follow.decided_at,
                )
                mine.save(update_fields=["state", "decided_by", "decided_at"])
            follow.delete()
    for moderation in Moderation.objects.filter(user=duplicate):
        if Moderation.objects.filter(user=keep, group_id=moderation.group_id).exists():
            moderation.delete()
        else:
            moderation.user = keep
            moderation.save(update_fields=["user"])
    freed = set()
    for theirs in Registration.objects.filter(user=duplicate).select_related("meeting"):
        mine = Registration.objects.filter(user=keep, meeting_id=theirs.meeting_id).first()
        if mine is None:
            theirs.user = keep
            theirs.save(update_fields=["user"])
            continue
        better, worse = sorted(
            [mine, theirs], key=lambda r: (_RANK.get(r.status, 2), r.created_at, r.pk)
        )
        if worse.status == Registration.Status.CONFIRMED:
            freed.add(worse.meeting_id)
        worse.delete()  # the same human holds one registration per meeting
        if better.user_id != keep.pk:
            better.user = keep
            better.save(update_fields=["user"])
    for meeting_id in sorted(freed):
        from workinggroups.models import Meeting

        waiting_list_promote(meeting=Meeting.objects.get(pk=meeting_id), actor=None)
    MeetingDocument.objects.filter(uploaded_by=duplicate).update(uploaded_by=keep)
    AttendeeListExport.objects.filter(requested_by=duplicate).update(requested_by=keep)


def expire(cutoff: datetime) -> int:
    return registrations_anonymise_before(cutoff=cutoff)


def register_privacy() -> None:
    register(
        "workinggroups", export=export, erase=erase, expire=expire, merge=merge, erase_order=100
    )
