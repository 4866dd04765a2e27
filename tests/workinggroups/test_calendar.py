"""Calendar files and feeds: valid RFC 5545, stable UIDs, SEQUENCE raised on change."""

import pytest
from icalendar import Calendar

from tests.members.factories import UserFactory
from tests.workinggroups.factories import MeetingFactory, RegistrationFactory
from workinggroups import services

pytestmark = pytest.mark.django_db


def _events(body: bytes):
    calendar = Calendar.from_ical(body)
    assert calendar["VERSION"] == "2.0" and calendar["PRODID"]
    return list(calendar.walk("VEVENT"))


def test_meeting_ics_is_valid_with_stable_uid(client):
    meeting = MeetingFactory(title="Energieeffizienz")
    response = client.get(f"/meetings/{meeting.pk}/calendar.ics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    (event,) = _events(response.content)
    assert str(event["UID"]) == f"meeting-{meeting.pk}@portal.optonet"
    assert "Energieeffizienz" in str(event["SUMMARY"])
    # iCalendar has whole seconds.
    assert event.decoded("DTSTART") == meeting.starts_at.replace(microsecond=0)
    assert event.decoded("DTEND") == meeting.ends_at.replace(microsecond=0)
    assert int(event["SEQUENCE"]) == 0
    again = _events(client.get(f"/meetings/{meeting.pk}/calendar.ics").content)[0]
    assert again["UID"] == event["UID"]


def test_sequence_rises_when_the_meeting_changes(client, office_user):
    meeting = MeetingFactory()
    services.meeting_changed(meeting=meeting, changed_fields={"starts_at"}, actor=office_user)
    services.meeting_changed(meeting=meeting, changed_fields={"capacity"}, actor=office_user)
    (event,) = _events(client.get(f"/meetings/{meeting.pk}/calendar.ics").content)
    assert int(event["SEQUENCE"]) == 1


def test_online_link_only_in_the_attendees_calendar(client, member):
    meeting = MeetingFactory(format="online", online_url="https://meet.example.org/room-42")
    assert b"room-42" not in client.get(f"/meetings/{meeting.pk}/calendar.ics").content
    RegistrationFactory(meeting=meeting, user=member)
    client.force_login(member)
    assert b"room-42" in client.get(f"/meetings/{meeting.pk}/calendar.ics").content.replace(
        b"\r\n ", b""
    )


def test_personal_feed_is_secret_and_lists_only_own_meetings(client, member):
    mine = RegistrationFactory(user=member).meeting
    other = MeetingFactory()
    RegistrationFactory(
        user=member, status="cancelled", cancelled_at=mine.starts_at, meeting=MeetingFactory()
    )
    client.force_login(member)
    feed_url = client.get("/me/meetings/").context["feed_url"]
    path = feed_url.split("testserver", 1)[1]
    client.logout()
    events = _events(client.get(path).content)  # calendar apps fetch without a session
    assert [str(e["UID"]) for e in events] == [f"meeting-{mine.pk}@portal.optonet"]
    assert other.title not in client.get(path).content.decode()
    assert client.get("/calendar/" + "x" * 43 + ".ics").status_code == 404


def test_renewing_the_feed_address_invalidates_the_old_one(client, member):
    client.force_login(member)
    old = client.get("/me/meetings/").context["feed_url"].split("testserver", 1)[1]
    client.post("/me/meetings/calendar/renew/")
    new = client.get("/me/meetings/").context["feed_url"].split("testserver", 1)[1]
    assert old != new
    assert client.get(old).status_code == 404
    assert client.get(new).status_code == 200


def test_group_feed_lists_published_and_cancelled_but_not_drafts(client, group):
    published = MeetingFactory(group=group)
    cancelled = MeetingFactory(group=group, status="cancelled")
    MeetingFactory(group=group, status="draft")
    events = _events(client.get(f"/groups/{group.slug}/calendar.ics").content)
    by_uid = {str(e["UID"]): str(e["STATUS"]) for e in events}
    assert by_uid == {
        f"meeting-{published.pk}@portal.optonet": "CONFIRMED",
        f"meeting-{cancelled.pk}@portal.optonet": "CANCELLED",
    }


def test_ics_attachment_of_confirmation_parses(mailoutbox, django_capture_on_commit_callbacks):
    meeting = MeetingFactory()
    person = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        services.registration_create(meeting=meeting, person=person)
    (event,) = _events(mailoutbox[0].attachments[0][1])
    assert str(event["UID"]) == f"meeting-{meeting.pk}@portal.optonet"


def test_public_calendar_files_show_no_agenda_or_venue(client, group):
    meeting = MeetingFactory(
        group=group, description="Geheime Agenda", venue_address="Beispielweg 7, Jena"
    )
    for url in (f"/meetings/{meeting.pk}/calendar.ics", f"/groups/{group.slug}/calendar.ics"):
        body = client.get(url).content.replace(b"\r\n ", b"").decode()
        assert "Geheime Agenda" not in body and "Beispielweg" not in body, url


def test_member_calendar_file_has_agenda_and_venue(client, member):
    meeting = MeetingFactory(description="Agenda für Mitglieder", venue_address="Beispielweg 7")
    client.force_login(member)
    body = client.get(f"/meetings/{meeting.pk}/calendar.ics").content.replace(b"\r\n ", b"")
    assert "Agenda für Mitglieder".encode() in body and b"Beispielweg 7" in body


def test_personal_feed_has_the_online_link_only_for_confirmed_seats(client, member):
    confirmed = MeetingFactory(format="online", online_url="https://meet.example.org/seat")
    waiting = MeetingFactory(format="online", online_url="https://meet.example.org/queue")
    RegistrationFactory(meeting=confirmed, user=member)
    RegistrationFactory(meeting=waiting, user=member, status="waitlisted")
    client.force_login(member)
    path = client.get("/me/meetings/").context["feed_url"].split("testserver", 1)[1]
    body = client.get(path).content.replace(b"\r\n ", b"")
    assert b"meet.example.org/seat" in body
    assert b"meet.example.org/queue" not in body
    assert len(_events(client.get(path).content)) == 2
