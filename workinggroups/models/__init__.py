"""The working groups' data, a module per area; everything is importable from here."""

from workinggroups.models.documents import (
    AttendeeListExport,
    MeetingDocument,
    attendee_export_path,
    meeting_document_path,
)
from workinggroups.models.groups import Follow, Moderation, WorkingGroup
from workinggroups.models.invitations import Campaign
from workinggroups.models.meetings import Meeting, Registration

__all__ = [
    "AttendeeListExport",
    "Campaign",
    "Follow",
    "Meeting",
    "MeetingDocument",
    "Moderation",
    "Registration",
    "WorkingGroup",
    "attendee_export_path",
    "meeting_document_path",
]
