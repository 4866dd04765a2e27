"""iCalendar (RFC 5545) files and feeds for meetings: stable UIDs, SEQUENCE raised on change."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event, vText

from workinggroups.models import Meeting

PRODID = "-//OptoNet e.V.//Member portal//DE"


def meeting_uid(meeting: Meeting) -> str:
    return f"meeting-{meeting.pk}@portal.optonet"


def _event(meeting: Meeting, *, include_online_url: bool) -> Event:
    event = Event()
    event.add("uid", meeting_uid(meeting))
    event.add("sequence", meeting.sequence)
    event.add("dtstamp", timezone.now())
    event.add("last-modified", meeting.updated)
    event.add("dtstart", meeting.starts_at)
    event.add("dtend", meeting.ends_at)
    event.add("summary", f"{meeting.title} · {meeting.group.name_de}")
    description = meeting.description
    if include_online_url and meeting.online_url:
        description = f"{description}\n\nOnline: {meeting.online_url}".strip()
    url = f"{settings.PORTAL_BASE_URL}{meeting.get_absolute_url()}"
    event.add("description", f"{description}\n\n{url}".strip())
    event.add("url", url)
    location = ", ".join(p for p in (meeting.venue_name, meeting.venue_address) if p)
    if meeting.format == Meeting.Format.ONLINE:
        location = "Online"
    if location:
        event["location"] = vText(location)
    event.add("status", "CANCELLED" if meeting.status == Meeting.Status.CANCELLED else "CONFIRMED")
    event.add("transp", "OPAQUE")
    return event


def calendar_bytes(
    meetings: Iterable[Meeting],
    *,
    name: str,
    include_online_url: bool = False,
    method: str = "PUBLISH",
) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", settings.TIME_ZONE)
    calendar.add("refresh-interval;value=duration", "PT6H")
    for meeting in meetings:
        calendar.add_component(_event(meeting, include_online_url=include_online_url))
    return calendar.to_ical()
