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


def expire(cutoff: datetime) -> int:
    return registrations_anonymise_before(cutoff=cutoff)


def register_privacy() -> None:
    register("workinggroups", export=export, erase=erase, expire=expire, erase_order=100)
