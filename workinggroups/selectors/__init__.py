"""Reads of working groups, meetings and registrations; each page's query count is decided here.

A package by area; the names below are the public surface that views, admin and tasks use.
"""

from workinggroups.selectors.exports import AttendeeRow, attendee_list
from workinggroups.selectors.groups import (
    follow_of,
    group_detail,
    group_list,
    group_list_for_overview,
    group_meetings,
    groups_followed_by,
)
from workinggroups.selectors.meetings import (
    RegistrationOption,
    RegistrationRefusal,
    attendees_visible_to_attendees,
    calendar_meetings_for_group,
    calendar_meetings_for_person,
    meeting_detail,
    my_meetings,
    own_registration,
    registration_option,
    registration_refusal,
    seat_passes_on,
    seats_left,
    waitlist_position,
    waitlist_positions,
)
from workinggroups.selectors.roles import is_moderator, is_moderator_of, may_manage_meeting
from workinggroups.selectors.visibility import (
    MeetingVisibility,
    Viewer,
    details_requirements,
    meeting_visibility,
    viewer_for,
    viewers_for,
    viewers_for_meeting,
    with_visibility,
)
from workinggroups.selectors.workspace import (
    YearOverview,
    attendance_counts,
    group_year_overview,
    groups_with_pending_follows,
    meeting_for_moderation,
    workspace_groups,
    workspace_registrations,
)

__all__ = [
    "MeetingVisibility",
    "RegistrationRefusal",
    "Viewer",
    "meeting_visibility",
    "registration_refusal",
    "viewer_for",
    "viewers_for",
    "viewers_for_meeting",
    "with_visibility",
    "AttendeeRow",
    "RegistrationOption",
    "YearOverview",
    "attendance_counts",
    "attendee_list",
    "attendees_visible_to_attendees",
    "calendar_meetings_for_group",
    "calendar_meetings_for_person",
    "follow_of",
    "group_detail",
    "group_list",
    "group_list_for_overview",
    "group_meetings",
    "group_year_overview",
    "groups_followed_by",
    "is_moderator",
    "is_moderator_of",
    "may_manage_meeting",
    "meeting_detail",
    "meeting_for_moderation",
    "my_meetings",
    "own_registration",
    "registration_option",
    "seats_left",
    "waitlist_position",
    "waitlist_positions",
    "seat_passes_on",
    "details_requirements",
    "groups_with_pending_follows",
    "workspace_groups",
    "workspace_registrations",
]
