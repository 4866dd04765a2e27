"""Every write about working groups, follows, meetings and registrations.

A package by area; the names below are the public surface that views, admin and tasks use.
"""

from workinggroups.services.documents import (
    DOCUMENT_MAX_BYTES,
    DOCUMENT_TYPES,
    attendance_record,
    document_delete,
    document_upload,
    meeting_set_results_summary,
)
from workinggroups.services.exports import (
    EXPORT_LIFETIME,
    attendee_export_render,
    attendee_export_request,
    attendee_exports_delete_expired,
    attendee_list_downloaded,
)
from workinggroups.services.follows import (
    follow_add,
    follow_approve,
    follow_reject,
    group_follow,
    group_unfollow,
)
from workinggroups.services.meetings import (
    CALENDAR_FIELDS,
    meeting_cancel,
    meeting_changed,
    meeting_duplicate_as_next,
    meeting_publish,
)
from workinggroups.services.registrations import (
    person_release_registrations,
    registration_cancel,
    registration_create,
    registration_update,
    registrations_anonymise_before,
    registrations_cancel_future,
    registrations_release_for_ended_membership,
    waiting_list_promote,
)

__all__ = [
    "CALENDAR_FIELDS",
    "DOCUMENT_MAX_BYTES",
    "DOCUMENT_TYPES",
    "EXPORT_LIFETIME",
    "attendance_record",
    "attendee_export_render",
    "attendee_export_request",
    "attendee_exports_delete_expired",
    "attendee_list_downloaded",
    "document_delete",
    "document_upload",
    "follow_add",
    "follow_approve",
    "follow_reject",
    "group_follow",
    "group_unfollow",
    "meeting_cancel",
    "meeting_changed",
    "meeting_duplicate_as_next",
    "meeting_publish",
    "meeting_set_results_summary",
    "person_release_registrations",
    "registration_cancel",
    "registration_create",
    "registration_update",
    "registrations_anonymise_before",
    "registrations_cancel_future",
    "registrations_release_for_ended_membership",
    "waiting_list_promote",
]
