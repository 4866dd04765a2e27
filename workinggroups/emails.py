"""The working groups' e-mails, rendered by the outbox worker just before they are sent.

Two renderers are registered with `mailings` (see `apps.py`):
- "workinggroups.registration": a person's registration e-mails (confirmed, waiting list,
  promoted, own cancellation, meeting changed or cancelled, reminder). Each checks that it is
  still true when its turn comes; a confirmation for a seat cancelled meanwhile is not sent.
- "workinggroups.invitation": invitations of a campaign. What all invitations to a meeting share
  is rendered once per language, with placeholders for the personal parts (name, links,
  calendar attendee), so that thousands of invitations render in milliseconds.

What each e-mail shows of a meeting is decided by the one visibility rule.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.translation import gettext as _

from mailings.registry import Attachment, Rendered
from mailings.rendering import render_templates
from members.models import User
from members.selectors import objection_url
from workinggroups.calendar import itip_bytes
from workinggroups.models import Follow, Meeting, Moderation, Registration
from workinggroups.selectors.visibility import meeting_visibility, viewers_for

REGISTRATION_RENDERER = "workinggroups.registration"
INVITATION_RENDERER = "workinggroups.invitation"

CONFIRMED, WAITLISTED = Registration.Status.CONFIRMED, Registration.Status.WAITLISTED

# kind → (template, registration states it is still true for, needs a published meeting)
REGISTRATION_EMAILS = {
    "confirmed": ("registration_confirmed", {CONFIRMED}, True),
    "waitlisted": ("registration_waitlisted", {WAITLISTED}, True),
    "promoted": ("registration_promoted", {CONFIRMED}, True),
    "registration_cancelled": ("registration_cancelled", {Registration.Status.CANCELLED}, False),
    "meeting_cancelled": ("meeting_cancelled", {CONFIRMED, WAITLISTED}, False),
    "meeting_updated": ("meeting_updated", {CONFIRMED, WAITLISTED}, True),
    "reminder": ("meeting_reminder", {CONFIRMED}, True),
}

CHANGE_LABELS = {
    "starts_at": "Date and time",
    "ends_at": "Date and time",
    "format": "Format",
    "venue_name": "Place",
    "venue_address": "Place",
    "online_url": "Online link",
}

REGISTER_SALT = "workinggroups.invitation.register"
UNSUBSCRIBE_SALT = "workinggroups.unsubscribe"


def absolute(path: str) -> str:
    return f"{settings.PORTAL_BASE_URL}{path}"


def register_token(meeting_id: int, person_id: int) -> str:
    """The invitation's personal register link: bound to its recipient and meeting."""
    return signing.dumps([meeting_id, person_id], salt=REGISTER_SALT)


def unsubscribe_token(person_id: int, group_id: int) -> str:
    return signing.dumps([person_id, group_id], salt=UNSUBSCRIBE_SALT)


def _moderators(group_ids) -> dict[int, list[str]]:
    names: dict[int, list[str]] = defaultdict(list)
    for moderation in Moderation.objects.filter(group_id__in=group_ids).select_related("user"):
        names[moderation.group_id].append(moderation.user.full_name)
    return names


def _change_labels(changes: Sequence[str]) -> list[str]:
    labels = []
    for field in changes:
        label = _(CHANGE_LABELS.get(field, field))
        if label not in labels:
            labels.append(label)
    return labels


# --- Registration e-mails ---------------------------------------------------------------------


def render_registration_messages(messages) -> dict[int, Rendered | None]:
    registrations = {
        r.pk: r
        for r in Registration.objects.filter(
            pk__in=[m.params["registration_id"] for m in messages]
        ).select_related("user__organization", "meeting__group__office_contact")
    }
    people = {r.user_id: r.user for r in registrations.values() if r.user_id}
    viewers = viewers_for(people.values())
    moderators = _moderators({r.meeting.group_id for r in registrations.values()})
    results: dict[int, Rendered | None] = {}
    for message in messages:
        registration = registrations.get(message.params["registration_id"])
        kind = message.params["kind"]
        template, still_true_for, needs_published = REGISTRATION_EMAILS[kind]
        if registration is None or registration.user_id is None:
            results[message.pk] = None
            continue
        meeting = registration.meeting
        if registration.status not in still_true_for or (
            needs_published and meeting.status != Meeting.Status.PUBLISHED
        ):
            results[message.pk] = None
            continue
        person = registration.user
        viewer = viewers[person.pk]
        with translation.override(person.language):
            visible = meeting_visibility(meeting, viewer)
            attachments = _registration_calendar(kind, registration, viewer, message.params)
            results[message.pk] = render_templates(
                f"workinggroups/email/{template}",
                {
                    "person": person,
                    "registration": registration,
                    "meeting": meeting,
                    "group": meeting.group,
                    "visible": visible,
                    "moderators": moderators.get(meeting.group_id, []),
                    "meeting_url": absolute(meeting.get_absolute_url()),
                    "changes": _change_labels(message.params.get("changes", [])),
                    "days_before": message.params.get("days_before"),
                    "previous_status": message.params.get("previous_status", ""),
                    "objection_url": objection_url(person),
                },
                language=person.language,
                attachments=attachments,
            )
    return results


def _registration_calendar(
    kind: str, registration: Registration, viewer, params: dict
) -> list[Attachment]:
    person, meeting = registration.user, registration.meeting
    confirmed = registration.status == CONFIRMED
    sequence = None
    if kind == "registration_cancelled" and params.get("previous_status") != WAITLISTED:
        # Outranks the entry the person has, without changing the meeting for anyone else.
        method, partstat, sequence = "CANCEL", "DECLINED", meeting.sequence + 1
    elif kind == "meeting_cancelled" and confirmed:
        method, partstat = "CANCEL", "DECLINED"  # the meeting's SEQUENCE was raised already
    elif confirmed and kind in ("confirmed", "promoted", "meeting_updated", "reminder"):
        method, partstat = "REQUEST", "ACCEPTED"
    else:
        return []  # a place on the waiting list is not an entry in anybody's calendar
    content = itip_bytes(
        meeting,
        viewer=viewer,
        attendee_email=person.email,
        attendee_name=person.full_name,
        method=method,
        partstat=partstat,
        sequence=sequence,
    )
    return [Attachment("meeting.ics", content, f"text/calendar; method={method}")]


# --- Invitations ------------------------------------------------------------------------------

# Placeholders in the shared part of an invitation, filled in per recipient.
NAME = "@@PERSON_NAME@@"
NAME_HTML = "@@PERSON_NAME_HTML@@"
REGISTER_URL = "@@REGISTER_URL@@"
UNSUBSCRIBE_URL = "@@UNSUBSCRIBE_URL@@"
ATTENDEE_LINE = "@@ATTENDEE@@"
OBJECTION_URL = "@@OBJECTION_URL@@"


@dataclass
class _Placeholder:
    """Stands in for the recipient while the shared part is rendered."""

    full_name: str = NAME
    email: str = ""


def render_invitations(messages) -> dict[int, Rendered | None]:
    """Invitations (params: meeting_id) to their recipients; what a batch shares is rendered
    once per meeting, language and kind of recipient (follower or not)."""
    meetings = {
        m.pk: m
        for m in Meeting.objects.filter(
            pk__in={m.params["meeting_id"] for m in messages}
        ).select_related("group__office_contact")
    }
    people = {
        p.pk: p
        for p in User.objects.filter(
            pk__in=[m.recipient_id for m in messages if m.recipient_id]
        ).select_related("organization")
    }
    viewers = viewers_for(people.values())
    moderators = _moderators({m.group_id for m in meetings.values()})
    followed = set(
        Follow.objects.filter(user_id__in=list(people), state=Follow.State.ACTIVE).values_list(
            "user_id", "group_id"
        )
    )
    shared: dict[tuple, Rendered] = {}
    now = timezone.now()
    results: dict[int, Rendered | None] = {}
    for message in messages:
        meeting = meetings.get(message.params["meeting_id"])
        person = people.get(message.recipient_id)
        if meeting is None or person is None:
            results[message.pk] = None
            continue
        visible = meeting_visibility(meeting, viewers[person.pk])
        deadline = meeting.registration_deadline or meeting.starts_at
        if meeting.status != Meeting.Status.PUBLISHED or deadline <= now or not visible.details:
            results[message.pk] = None  # cancelled, too late, or no longer an insider
            continue
        following = (person.pk, meeting.group_id) in followed
        key = (meeting.pk, person.language, following)
        if key not in shared:
            # Rendered as any invitee sees it (an insider without a seat), never as the first
            # recipient happens to see it: a moderator's view would show the online link.
            shared[key] = _render_shared_invitation(
                meeting,
                meeting_visibility(meeting, _insider_viewer(meeting)),
                moderators.get(meeting.group_id, []),
                person.language,
                following=following,
            )
        results[message.pk] = _personalise(shared[key], meeting, person)
    return results


def _render_shared_invitation(meeting, visible, moderators, language, *, following) -> Rendered:
    context = {
        "person": _Placeholder(),
        "meeting": meeting,
        "group": meeting.group,
        "visible": visible,
        "moderators": moderators,
        "meeting_url": absolute(meeting.get_absolute_url()),
        "register_url": REGISTER_URL,
        "unsubscribe_url": UNSUBSCRIBE_URL,
        "registration_deadline": meeting.registration_deadline,
        "following": following,
        "objection_url": OBJECTION_URL,
    }
    with translation.override(language):
        rendered = render_templates(
            "workinggroups/email/invitation",
            context,
            language=language,
            # The HTML part gets the name HTML-escaped, the text part as it is.
            html_context={"person": _Placeholder(full_name=NAME_HTML)},
        )
        # The calendar file without its attendee, who is put in per recipient.
        ics = itip_bytes(
            meeting,
            viewer=_insider_viewer(meeting),
            attendee_email="placeholder@invalid",
            attendee_name="placeholder",
            partstat="NEEDS-ACTION",
        ).decode("utf-8")
    ics = _replace_attendee(ics)
    rendered.attachments = [Attachment("invitation.ics", ics, "text/calendar; method=REQUEST")]
    if following:
        # One click in the mail program stops following the group (RFC 8058).
        rendered.headers = {
            "List-Unsubscribe": f"<{UNSUBSCRIBE_URL}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        }
    return rendered


def _insider_viewer(meeting):
    """An invitee's view: an insider without a seat (no online link yet)."""
    from workinggroups.selectors.visibility import Viewer

    return Viewer(member=True, followed_group_ids=frozenset({meeting.group_id}))


def _replace_attendee(ics: str) -> str:
    lines = ics.replace("\r\n ", "").split("\r\n")
    return "\r\n".join(ATTENDEE_LINE if line.startswith("ATTENDEE") else line for line in lines)


def _fold(line: str, limit: int = 75) -> str:
    """RFC 5545 line folding: at most 75 octets a line, continued after CRLF and a space."""
    encoded = line.encode("utf-8")
    parts, start = [], 0
    while start < len(encoded):
        end = min(start + (limit if not parts else limit - 1), len(encoded))
        while end < len(encoded) and (encoded[end] & 0xC0) == 0x80:  # not inside a character
            end -= 1
        parts.append(encoded[start:end].decode("utf-8"))
        start = end
    return "\r\n ".join(parts)


def _personalise(shared: Rendered, meeting: Meeting, person) -> Rendered:
    """The recipient's invitation: the shared part, and the values for its placeholders (the
    outbox fills them in, building the shared MIME message only once)."""
    unsubscribe = _unsubscribe_prefix() + unsubscribe_token(person.pk, meeting.group_id)
    cn = person.full_name.replace('"', "'") or person.email
    return Rendered(
        subject=shared.subject,
        text=shared.text,
        html=shared.html,
        attachments=shared.attachments,
        headers=shared.headers,
        shared=shared,
        personal={
            NAME: person.full_name,
            NAME_HTML: escape(person.full_name),
            REGISTER_URL: _register_prefix() + register_token(meeting.pk, person.pk) + "/",
            UNSUBSCRIBE_URL: unsubscribe + "/",
            OBJECTION_URL: objection_url(person),
            ATTENDEE_LINE: _fold(
                f'ATTENDEE;CN="{cn}";ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=FALSE:'
                f"mailto:{person.email}"
            ),
        },
    )


def _register_prefix() -> str:
    return absolute(reverse("workinggroups:invitation_register", args=["x"]))[:-2]


def _unsubscribe_prefix() -> str:
    return absolute(reverse("workinggroups:unsubscribe", args=["x"]))[:-2]


def invitation_preview(meeting: Meeting, person, language: str) -> Rendered:
    """The invitation as `person` would receive it, for the office's confirmation page; its
    links lead nowhere (no invitation exists yet)."""
    shared = _render_shared_invitation(
        meeting,
        meeting_visibility(meeting, _insider_viewer(meeting)),
        _moderators([meeting.group_id]).get(meeting.group_id, []),
        language,
        following=True,
    )
    return _personalise(shared, meeting, person).personalised()
