"""Who is who in a working group: moderators, and who may manage a meeting."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser

from members.models import User
from members.selectors import is_office_staff
from workinggroups.models import Meeting, Moderation


def is_moderator_of(user: User | AnonymousUser, group_id: int) -> bool:
    if not user.is_authenticated:
        return False
    return Moderation.objects.filter(user=user, group_id=group_id).exists()


def is_moderator(user: User | AnonymousUser) -> bool:
    """Moderates any group: read from the person's facts, fetched once per request."""
    from workinggroups.selectors.visibility import viewer_for

    return bool(user.is_authenticated and viewer_for(user).moderated_group_ids)


def may_manage_meeting(user: User | AnonymousUser, meeting: Meeting) -> bool:
    """Attendee lists, attendance and documents: the group's moderators and the office only."""
    return is_office_staff(user) or is_moderator_of(user, meeting.group_id)
