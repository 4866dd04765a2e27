"""iCalendar (RFC 5545) files and feeds for meetings: stable UIDs, SEQUENCE raised on change.

What an event shows follows the meeting page: title and time for everyone, agenda and venue
for those who may see them, the online link only for confirmed attendees.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event, vText

from workinggroups.models import Meeting

PRODID = "-//OptoNet e.V.//Member portal//DE"


def meeting_uid(meeting: Meeting) -> str:
    return f"meeting-{meeting.pk}@portal.optonet"


def _event(meeting: Meeting, *, show_details: bool, include_online_url: bool) -> Event:
    event = Event()
    event.add("uid", meeting_uid(meeting))
    event.add("sequence", meeting.sequence)
    event.add("dtstamp", timezone.now())
    event.add("last-modified", meeting.updated)
    event.add("dtstart", meeting.starts_at)
    event.add("dtend", meeting.ends_at)
    event.add("summary", f"{meeting.title} · {meeting.group.name_de}")
    url = f"{settings.PORTAL_BASE_URL}{meeting.get_absolute_url()}"
    description = meeting.description if show_details else ""
    if include_online_url and meeting.online_url:
        description = f"{description}\n\nOnline: {meeting.online_url}".strip()
    event.add("description", f"{description}\n\n{url}".strip())
    event.add("url", url)
    if meeting.format == Meeting.Format.ONLINE:
        event["location"] = vText("Online")
    elif show_details:
        location = ", ".join(p for p in (meeting.venue_name, meeting.venue_address) if p)
        if location:
            event["location"] = vText(location)
    event.add("status", "CANCELLED" if meeting.status == Meeting.Status.CANCELLED else "CONFIRMED")
    event.add("transp", "OPAQUE")
    return event


def calendar_bytes(
    meetings: Iterable[Meeting],
    *,
    name: str,
    show_details: bool | Callable[[Meeting], bool] = False,
    include_online_url: bool | Callable[[Meeting], bool] = False,
) -> bytes:
    """A VCALENDAR with one VEVENT per meeting. The two flags may be per-meeting callables.

    Cancellations are published as STATUS:CANCELLED with a raised SEQUENCE (METHOD:PUBLISH),
    which calendar clients apply without the organiser/attendee data that METHOD:CANCEL needs.
    """
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", settings.TIME_ZONE)
    calendar.add("refresh-interval;value=duration", "PT6H")
    for meeting in meetings:
        details = show_details(meeting) if callable(show_details) else show_details
        online = include_online_url(meeting) if callable(include_online_url) else include_online_url
        calendar.add_component(_event(meeting, show_details=details, include_online_url=online))
    return calendar.to_ical()
