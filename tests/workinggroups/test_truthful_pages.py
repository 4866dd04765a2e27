"""Truthful pages: a waiting list is not a seat, years show their meetings, attendance waits for
the day, the page keeps its place, and German times say "Uhr"."""

import io
import re
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from django.utils.formats import date_format
from icalendar import Calendar
from pypdf import PdfReader

from tests.members.factories import UserFactory
from tests.workinggroups.factories import MeetingFactory, RegistrationFactory
from workinggroups import services
from workinggroups.calendar import itip_bytes, meeting_calendar_filename
from workinggroups.models import Registration
from workinggroups.selectors import Viewer, registration_refusal, viewer_for
from workinggroups.selectors.workspace import attendance_opens_on, may_record_attendance

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")


def _events(body: bytes) -> dict[str, object]:
    """SUMMARY → event, for the VEVENTs of a calendar file."""
    return {str(e["SUMMARY"]): e for e in Calendar.from_ical(body).walk("VEVENT")}


def _feed_path(client, person) -> str:
    client.force_login(person)
    path = client.get("/me/meetings/").context["feed_url"].split("testserver", 1)[1]
    client.logout()
    return path


def _berlin(day, hour, minute=0):
    return datetime.combine(day, time(hour, minute), tzinfo=BERLIN)


# --- 1. A place on the waiting list is not a confirmed entry in anybody's calendar ---------


def test_meeting_file_of_a_waiting_person_is_tentative_and_says_so_in_german(client, member):
    meeting = MeetingFactory(title="Warten auf Platz", capacity=1)
    RegistrationFactory(meeting=meeting)
    RegistrationFactory(meeting=meeting, user=member, status="waitlisted")
    client.force_login(member)
    (event,) = _events(client.get(f"/meetings/{meeting.pk}/calendar.ics").content).values()
    assert str(event["STATUS"]) == "TENTATIVE"
    assert str(event["SUMMARY"]).endswith("(Warteliste)")
    assert "Warten auf Platz" in str(event["SUMMARY"])


def test_meeting_file_of_a_confirmed_person_stays_confirmed(client, member):
    meeting = MeetingFactory(title="Sicherer Platz")
    RegistrationFactory(meeting=meeting, user=member)
    client.force_login(member)
    (event,) = _events(client.get(f"/meetings/{meeting.pk}/calendar.ics").content).values()
    assert str(event["STATUS"]) == "CONFIRMED"
    assert "Warteliste" not in str(event["SUMMARY"])


def test_personal_feed_marks_waiting_places_tentative_in_the_persons_language(client):
    seat = MeetingFactory(title="Mit Platz")
    queue = MeetingFactory(title="Ohne Platz")
    german, english = UserFactory(language="de"), UserFactory(language="en")
    for person in (german, english):
        RegistrationFactory(meeting=seat, user=person)
        RegistrationFactory(meeting=queue, user=person, status="waitlisted")

    # Calendar apps fetch without a session and in whatever language they like.
    german_feed = client.get(_feed_path(client, german), HTTP_ACCEPT_LANGUAGE="en").content
    english_feed = client.get(_feed_path(client, english), HTTP_ACCEPT_LANGUAGE="de").content

    statuses = {title: str(e["STATUS"]) for title, e in _events(german_feed).items()}
    assert statuses == {
        f"Mit Platz · {seat.group.name_de}": "CONFIRMED",
        f"Ohne Platz · {queue.group.name_de} (Warteliste)": "TENTATIVE",
    }
    titles = set(_events(english_feed))
    assert f"Ohne Platz · {queue.group.name_de} (waiting list)" in titles
    assert f"Mit Platz · {seat.group.name_de}" in titles


def test_group_feed_is_public_and_shows_nobodys_waiting_place(client, member):
    meeting = MeetingFactory(capacity=1)
    RegistrationFactory(meeting=meeting)
    RegistrationFactory(meeting=meeting, user=member, status="waitlisted")
    client.force_login(member)
    (event,) = _events(client.get(f"/groups/{meeting.group.slug}/calendar.ics").content).values()
    assert str(event["STATUS"]) == "CONFIRMED"
    assert "Warteliste" not in str(event["SUMMARY"])


def test_itip_attachment_for_a_waiting_place_is_tentative():
    meeting = MeetingFactory(title="Einladung mit Warteliste")
    person = UserFactory(email="wartend@x.example")
    with translation.override("de"):
        body = itip_bytes(
            meeting,
            viewer=viewer_for(person),
            attendee_email=person.email,
            attendee_name=person.full_name,
            waitlisted=True,
        )
    (event,) = _events(body).values()
    assert str(event["STATUS"]) == "TENTATIVE"
    assert str(event["SUMMARY"]).endswith("(Warteliste)")
    assert event["ATTENDEE"].params["PARTSTAT"] == "TENTATIVE"
    with translation.override("en"):
        body = itip_bytes(
            meeting, viewer=viewer_for(person), attendee_email=person.email, attendee_name=""
        )
    (event,) = _events(body).values()
    assert str(event["STATUS"]) == "CONFIRMED" and "waiting" not in str(event["SUMMARY"])
    assert event["ATTENDEE"].params["PARTSTAT"] == "ACCEPTED"


# --- 2. "My meetings": cards with the status and the place on the waiting list -------------


def test_my_meetings_shows_cards_with_status_and_waiting_list_place(client, member):
    seat = MeetingFactory(title="Mein Platz ist sicher")
    full = MeetingFactory(title="Leider voll", capacity=1)
    RegistrationFactory(meeting=full)  # the seat
    RegistrationFactory(meeting=full, status="waitlisted")  # first in the queue
    RegistrationFactory(meeting=seat, user=member)
    RegistrationFactory(meeting=full, user=member, status="waitlisted")
    client.force_login(member)
    html = client.get("/me/meetings/").content.decode()
    upcoming = html.split('id="upcoming-title"', 1)[1].split('id="feed-title"', 1)[0]
    assert "<table" not in upcoming
    assert upcoming.count('<li class="my-meeting') == 2
    cards = upcoming.split('<li class="my-meeting')[1:]
    sure, waiting = sorted(cards, key=lambda card: "Leider voll" in card)
    assert "Bestätigt" in sure and "Warteliste" not in sure
    assert "Warteliste, Platz 2" in waiting
    # The status comes first in the card, before the title that may wrap over lines.
    assert waiting.index("Warteliste, Platz 2") < waiting.index("Leider voll")
    assert "css/meetings.css" in html


def test_my_meetings_query_count_does_not_grow_with_rows(client, member):
    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/me/meetings/").status_code == 200
        return len(ctx.captured_queries)

    def register(**meeting_kwargs):
        meeting = MeetingFactory(**meeting_kwargs)
        RegistrationFactory(meeting=meeting)
        status = "waitlisted" if meeting.capacity == 1 else "confirmed"
        RegistrationFactory(meeting=meeting, user=member, status=status)

    client.force_login(member)
    register()
    register(capacity=1)
    register(starts_at=timezone.now() - timedelta(days=3))
    count()  # the first visit creates the calendar feed's address
    small = count()
    for _ in range(4):
        register()
        register(capacity=1)
        register(starts_at=timezone.now() - timedelta(days=3))
    assert count() == small


# --- 3. The yearly overview shows the year's meetings; attendance waits for the day ---------


def test_yearly_overview_lists_this_years_upcoming_meeting(moderator_client, group):
    starts_at = timezone.now() + timedelta(hours=1)
    year = timezone.localtime(starts_at).year
    meeting = MeetingFactory(group=group, title="Noch in diesem Jahr", starts_at=starts_at)
    response = moderator_client.get(f"/workspace/groups/{group.slug}/overview/?year={year}")
    assert [m.pk for m in response.context["meetings"]] == [meeting.pk]
    html = response.content.decode()
    assert "Noch in diesem Jahr" in html
    assert f"Keine Treffen in {year}" not in html
    # Held is held: the figures count only meetings that have taken place.
    assert response.context["overview"].meetings_held == 0


def test_yearly_overview_counts_held_meetings_next_to_upcoming_ones(moderator_client, group):
    year = timezone.localdate().year - 1
    held = MeetingFactory(group=group, starts_at=_berlin(datetime(year, 3, 3), 10))
    RegistrationFactory(meeting=held, attendance="attended")
    response = moderator_client.get(f"/workspace/groups/{group.slug}/overview/?year={year}")
    assert response.context["overview"].meetings_held == 1
    assert response.context["overview"].attended == 1


def test_attendance_opens_on_the_berlin_day_of_the_meeting_not_the_utc_day():
    # 00:15 in Berlin on 10 March is still 9 March in UTC.
    meeting = MeetingFactory(starts_at=_berlin(datetime(2026, 3, 10), 0, 15))
    assert str(attendance_opens_on(meeting)) == "2026-03-10"
    late_on_the_9th = _berlin(datetime(2026, 3, 9), 23, 59)
    early_on_the_10th = _berlin(datetime(2026, 3, 10), 0, 0)
    assert not may_record_attendance(meeting, now=late_on_the_9th)
    assert may_record_attendance(meeting, now=early_on_the_10th)
    assert may_record_attendance(meeting, now=early_on_the_10th + timedelta(days=30))


def _post_attendance(client, registration):
    return client.post(
        f"/workspace/meetings/{registration.meeting_id}/",
        {"action": "attendance", f"attendance-{registration.pk}": "attended"},
    )


def test_attendance_is_recorded_on_the_day_of_the_meeting_even_before_it_starts(
    moderator_client, group
):
    today = timezone.localdate(timezone.now(), BERLIN)
    registration = RegistrationFactory(
        meeting=MeetingFactory(group=group, starts_at=_berlin(today, 23, 59))
    )
    response = _post_attendance(moderator_client, registration)
    assert response.status_code == 302
    registration.refresh_from_db()
    assert registration.attendance == "attended"


def test_attendance_is_refused_the_day_before_the_meeting(moderator_client, group):
    tomorrow = timezone.localdate(timezone.now(), BERLIN) + timedelta(days=1)
    meeting = MeetingFactory(group=group, starts_at=_berlin(tomorrow, 0, 1))
    registration = RegistrationFactory(meeting=meeting)
    page = moderator_client.get(f"/workspace/meetings/{meeting.pk}/").content.decode()
    assert 'name="action" value="attendance"' not in page
    assert "ab dem Tag des Treffens" in page

    response = _post_attendance(moderator_client, registration)
    assert response.status_code == 200
    registration.refresh_from_db()
    assert registration.attendance == ""
    messages = [str(m) for m in response.context["messages"]]
    assert any("ab dem Tag des Treffens" in m for m in messages), messages


def test_attendance_two_weeks_ahead_is_refused(moderator_client, group):
    registration = RegistrationFactory(meeting=MeetingFactory(group=group))  # in 14 days
    _post_attendance(moderator_client, registration)
    registration.refresh_from_db()
    assert registration.attendance == ""


# --- 4. After saving, the page opens where the moderator was ---------------------------------


def test_saving_attendance_returns_to_the_attendance_section(moderator_client, group):
    meeting = MeetingFactory(group=group, starts_at=timezone.now() - timedelta(hours=1))
    registration = RegistrationFactory(meeting=meeting)
    response = _post_attendance(moderator_client, registration)
    assert response.status_code == 302
    assert response.url == f"/workspace/meetings/{meeting.pk}/#attendance"
    page = moderator_client.get(response.url).content.decode()
    assert '<section class="section" id="attendance"' in page


def test_saving_the_summary_returns_to_the_summary_section(moderator_client, group):
    meeting = MeetingFactory(group=group, starts_at=timezone.now() - timedelta(hours=1))
    response = moderator_client.post(
        f"/workspace/meetings/{meeting.pk}/", {"action": "summary", "results_summary": "Gut."}
    )
    assert response.url == f"/workspace/meetings/{meeting.pk}/#summary"
    assert 'id="summary"' in moderator_client.get(response.url).content.decode()


# --- 5. German times say "Uhr"; English keeps the 24-hour clock -------------------------------


def test_time_formats_say_uhr_in_german_only():
    moment = _berlin(datetime(2026, 11, 24), 14, 5)
    with translation.override("de"):
        assert date_format(moment, "TIME_FORMAT") == "14:05 Uhr"
        assert date_format(moment, "DATETIME_FORMAT") == "24. November 2026, 14:05 Uhr"
        assert date_format(moment, "SHORT_DATETIME_FORMAT") == "24.11.2026, 14:05 Uhr"
    with translation.override("en"):
        assert date_format(moment, "TIME_FORMAT") == "14:05"
        assert "Uhr" not in date_format(moment, "DATETIME_FORMAT")


def test_pages_show_times_with_uhr_in_german_and_without_in_english(
    client, moderator_client, group, member
):
    starts_at = timezone.now().replace(second=0, microsecond=0) + timedelta(days=3)
    meeting = MeetingFactory(group=group, starts_at=starts_at)
    start = timezone.localtime(starts_at).strftime("%H:%M")
    end = timezone.localtime(meeting.ends_at).strftime("%H:%M")
    workspace = moderator_client.get("/workspace/").content.decode()
    assert f"{start} Uhr" in workspace
    overview = moderator_client.get(
        f"/workspace/groups/{group.slug}/overview/?year={starts_at.year}"
    ).content.decode()
    assert f"{start} Uhr" in overview or meeting.title not in overview

    RegistrationFactory(meeting=meeting, user=member)
    client.force_login(member)
    assert f"{start}–{end} Uhr" in client.get("/me/meetings/").content.decode()
    member.language = "en"
    member.save(update_fields=["language"])
    english = client.get("/me/meetings/").content.decode()
    assert f"{start}–{end}" in english and "Uhr" not in english


def test_a_meeting_over_two_days_says_uhr_after_both_times(client, member):
    starts_at = _berlin(timezone.localdate() + timedelta(days=10), 9)
    meeting = MeetingFactory(starts_at=starts_at, ends_at=starts_at + timedelta(days=1, hours=3))
    RegistrationFactory(meeting=meeting, user=member)
    client.force_login(member)
    html = " ".join(client.get("/me/meetings/").content.decode().split())
    assert re.search(r"09:00 Uhr bis \d+\. \w+ \d{4}, 12:00 Uhr", html), html


def test_registration_opening_time_says_uhr():
    opens = _berlin(timezone.localdate() + timedelta(days=5), 10)
    meeting = MeetingFactory(registration_opens_at=opens)
    person = UserFactory()
    with translation.override("de"):
        refusal = registration_refusal(meeting=meeting, person=person, viewer=viewer_for(person))
    assert refusal.code == "registration_not_open"
    assert "10:00 Uhr" in refusal.message


def test_confirmation_email_says_uhr(django_capture_on_commit_callbacks):
    meeting = MeetingFactory(starts_at=_berlin(timezone.localdate() + timedelta(days=9), 14))
    with django_capture_on_commit_callbacks(execute=True):
        services.registration_create(meeting=meeting, person=UserFactory(language="de"))
    (message,) = mail.outbox
    assert "14:00–17:00 Uhr" in message.body


def test_sign_in_sheet_says_uhr(moderator_client, group):
    meeting = MeetingFactory(group=group, starts_at=_berlin(timezone.localdate(), 14))
    RegistrationFactory(meeting=meeting)
    response = moderator_client.get(f"/meetings/{meeting.pk}/attendees.pdf")
    text = " ".join(
        " ".join(
            page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages
        ).split()
    )
    assert "14:00–17:00 Uhr" in text
    assert len(re.findall(r"\d\d:\d\d Uhr", text)) >= 2, text  # and the time it was made


# --- 6. (names of files) see test_exports_names.py; the calendar file's name is here ---------


def test_calendar_file_name_spells_out_umlauts_and_hides_a_confidential_title(group):
    meeting = MeetingFactory(
        title="Größenwahn über Ölpreise", starts_at=_berlin(datetime(2026, 12, 1), 10)
    )
    assert meeting_calendar_filename(meeting, Viewer(member=True)) == (
        "optonet-groessenwahn-ueber-oelpreise-2026-12-01.ics"
    )
    group.confidential = True
    group.save()
    secret = MeetingFactory(group=group, title="Übernahme", starts_at=meeting.starts_at)
    name = meeting_calendar_filename(secret, Viewer())
    assert "uebernahme" not in name and name.endswith("-2026-12-01.ics")


def test_waiting_list_place_counts_only_those_waiting_before(member):
    meeting = MeetingFactory(capacity=1)
    RegistrationFactory(meeting=meeting)
    RegistrationFactory(meeting=meeting, status="waitlisted")
    RegistrationFactory(meeting=meeting, status="cancelled", cancelled_at=timezone.now())
    mine = RegistrationFactory(meeting=meeting, user=member, status="waitlisted")
    RegistrationFactory(meeting=meeting, status="waitlisted")  # after me
    from workinggroups.selectors import my_meetings

    (upcoming,), _past = my_meetings(member)
    assert upcoming.pk == mine.pk and upcoming.waitlist_place == 2
    assert Registration.objects.filter(meeting=meeting, status="waitlisted").count() == 3
