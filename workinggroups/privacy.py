"""The working groups' part of a person's data export and erasure."""

from __future__ import annotations

from typing import Any

from members.models import User
from workinggroups.models import Moderation, Registration
from workinggroups.selectors import groups_followed_by


def person_data_export_workinggroups(user: User) -> dict[str, Any]:
    def dt(value):
        return value.isoformat() if value else None

    return {
        "working_groups_followed": [
            {"group": f.group.name_en, "state": f.state, "since": dt(f.created_at)}
            for f in groups_followed_by(user)
        ],
        "working_groups_moderated": [
            m.group.name_en for m in Moderation.objects.filter(user=user).select_related("group")
        ],
        "registrations": [
            {
                "meeting": r.meeting.title,
                "group": r.meeting.group.name_en,
                "starts_at": dt(r.meeting.starts_at),
                "status": r.status,
                "mode": r.mode,
                "listed_for_other_attendees": r.list_consent,
                "attendance": r.attendance,
                "registered_at": dt(r.created_at),
                "cancelled_at": dt(r.cancelled_at),
            }
            for r in Registration.objects.filter(user=user)
            .select_related("meeting__group")
            .order_by("created_at")
        ],
        # Invitations are recorded once invitation campaigns exist; until then none are stored.
        "invitations_received": [],
    }
