"""iCalendar (RFC 5545) files and feeds for meetings: stable UIDs, SEQUENCE raised on change.

What an event shows is decided by the one visibility rule (`selectors.visibility`): the title
(or "<group>: meeting" for a confidential circle), agenda and venue for insiders, the online
link for confirmed attendees.

A place on the waiting list is not a seat: such an event is STATUS:TENTATIVE and its title says
"(waiting list)" in the person's language, so that nobody's calendar claims a confirmed seat.
"""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import nullcontext

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, vCalAddress, vText

from workinggroups.exports import dated_filename
from workinggroups.models import Meeting, Registration
from workinggroups.selectors.visibility import Viewer, meeting_visibility

PRODID = "-//OptoNet e.V.//Member portal//DE"


def meeting_uid(meeting: Meeting) -> str:
    return f"meeting-{meeting.pk}@portal.optonet"


def meeting_calendar_filename(meeting: Meeting, viewer: Viewer) -> str:
    """The file name: optonet-<title as the viewer may see it>-<date>.ics, umlauts spelled out."""
    return dated_filename(meeting_visibility(meeting, viewer).title, meeting.starts_at, "ics")


def _status(meeting: Meeting, *, waitlisted: bool) -> str:
    if meeting.status == Meeting.Status.CANCELLED:
        return "CANCELLED"
    return "TENTATIVE" if waitlisted else "CONFIRMED"


def _event(meeting: Meeting, viewer: Viewer, *, waitlisted: bool = False) -> Event:
    visible = meeting_visibility(meeting, viewer)
    event = Event()
    event.add("uid", meeting_uid(meeting))
    event.add("sequence", meeting.sequence)
    event.add("dtstamp", timezone.now())
    event.add("last-modified", meeting.updated)
    event.add("dtstart", meeting.starts_at)
    event.add("dtend", meeting.ends_at)
    summary = visible.title
    if visible.title_visible:
        summary = f"{summary} · {meeting.group.name_de}"
    if waitlisted:
        # Translators: title of a calendar entry for a place on the waiting list.
        summary = _("%(title)s (waiting list)") % {"title": summary}
    event.add("summary", summary)
    url = f"{settings.PORTAL_BASE_URL}{meeting.get_absolute_url()}"
    description = meeting.description if visible.details else ""
    if visible.online_link:
        description = f"{description}\n\nOnline: {meeting.online_url}".strip()
    event.add("description", f"{description}\n\n{url}".strip())
    event.add("url", url)
    if meeting.format == Meeting.Format.ONLINE:
        event["location"] = vText("Online")
    elif visible.details:
        location = ", ".join(p for p in (meeting.venue_name, meeting.venue_address) if p)
        if location:
            event["location"] = vText(location)
    event.add("status", _status(meeting, waitlisted=waitlisted))
    event.add("transp", "OPAQUE")
    return event


def _waiting_list_places(meetings: list[Meeting], viewer: Viewer) -> tuple[set[int], str | None]:
    """The meetings among `meetings` for which the viewer is on the waiting list, and the
    viewer's language (two small queries; none for the public)."""
    if viewer.person_id is None or not meetings:
        return set(), None
    from members.models import User

    waiting = set(
        Registration.objects.filter(
            user_id=viewer.person_id,
            meeting_id__in=[m.pk for m in meetings],
            status=Registration.Status.WAITLISTED,
        ).values_list("meeting_id", flat=True)
    )
    language = User.objects.filter(pk=viewer.person_id).values_list("language", flat=True).first()
    return waiting, language


def calendar_bytes(meetings: Iterable[Meeting], *, name: str, viewer: Viewer) -> bytes:
    """A VCALENDAR with one VEVENT per meeting, as `viewer` may see each of them.

    Cancellations are published as STATUS:CANCELLED with a raised SEQUENCE (METHOD:PUBLISH),
    which calendar clients apply without the organiser/attendee data that METHOD:CANCEL needs.
    A meeting the viewer waits for is TENTATIVE, "(waiting list)" in the viewer's language.
    """
    meetings = list(meetings)
    waiting, language = _waiting_list_places(meetings, viewer)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", settings.TIME_ZONE)
    calendar.add("refresh-interval;value=duration", "PT6H")
    # A feed is fetched by a calendar app, without the person's session: their own language.
    with translation.override(language) if language else nullcontext():
        for meeting in meetings:
            calendar.add_component(_event(meeting, viewer, waitlisted=meeting.pk in waiting))
    return calendar.to_ical()


def itip_bytes(
    meeting: Meeting,
    *,
    viewer: Viewer,
    attendee_email: str,
    attendee_name: str,
    method: str = "REQUEST",
    partstat: str = "ACCEPTED",
    sequence: int | None = None,
    waitlisted: bool = False,
) -> bytes:
    """A calendar file for one person's e-mail (iTIP, RFC 5546), with the meeting's own UID,
    so that the calendar entry it adds is the one later updates replace.

    REQUEST adds or updates the entry (invitations, confirmations, changes); CANCEL removes it
    (the person's own cancellation, a cancelled meeting). `sequence` overrides the meeting's:
    one person's cancellation must outrank the entry they have without changing the meeting.
    Replies are not expected (RSVP=FALSE): registering happens in the portal.
    `waitlisted`: the person waits for a seat; the entry is TENTATIVE, its title says so, and
    the attendee's PARTSTAT is TENTATIVE. Rendered in the active language (the person's).
    """
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    event = _event(meeting, viewer, waitlisted=waitlisted)
    if waitlisted and method != "CANCEL":
        partstat = "TENTATIVE"
    organizer = vCalAddress(f"mailto:{_sender_address()}")
    organizer.params["CN"] = vText("OptoNet")
    event["organizer"] = organizer
    attendee = vCalAddress(f"mailto:{attendee_email}")
    attendee.params["CN"] = vText(attendee_name or attendee_email)
    attendee.params["ROLE"] = vText("REQ-PARTICIPANT")
    attendee.params["PARTSTAT"] = vText(partstat)
    attendee.params["RSVP"] = vText("FALSE")
    event.add("attendee", attendee, encode=0)
    if method == "CANCEL":
        event.pop("status")
        event.add("status", "CANCELLED")
    if sequence is not None:
        event.pop("sequence")
        event.add("sequence", sequence)
    calendar.add_component(event)
    return calendar.to_ical()


def _sender_address() -> str:
    from email.utils import parseaddr

    return parseaddr(settings.DEFAULT_FROM_EMAIL)[1] or "portal@optonet.example"
