"""Follow-ups through the outbox: reminders (once), updates and cancellations with calendar
files, a member's own cancellation, follow decisions, the moderators' daily list, and the
account e-mails in the portal's layout."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from icalendar import Calendar

from mailings.models import OutboxMessage
from tests.conftest import deliver_outbox
from tests.members.factories import UserFactory
from tests.workinggroups.factories import FollowFactory, MeetingFactory, ModerationFactory
from workinggroups import services
from workinggroups.services.notifications import moderator_digests_send, reminders_send_due

pytestmark = pytest.mark.django_db


def _calendar(message):
    (content,) = [a.content for a in message.attachments if a.mimetype.startswith("text/calendar")]
    calendar = Calendar.from_ical(content)
    return calendar, calendar.walk("VEVENT")[0]


def _sent(kind):
    return list(
        OutboxMessage.objects.filter(kind=f"workinggroups.{kind}").values_list("to_email", "state")
    )


def test_confirmed_attendees_are_reminded_once(settings):
    settings.MEETING_REMINDER_DAYS = 2
    soon = MeetingFactory(starts_at=timezone.now() + timedelta(days=1, hours=3), capacity=1)
    later = MeetingFactory(starts_at=timezone.now() + timedelta(days=9))
    seat, waiting, far = UserFactory.create_batch(3)
    services.registration_create(meeting=soon, person=seat)
    services.registration_create(meeting=soon, person=waiting)
    services.registration_create(meeting=later, person=far)
    assert reminders_send_due() == 1
    assert reminders_send_due() == 0  # the hourly job runs again: nobody twice
    deliver_outbox()
    (reminder,) = [m for m in mail.outbox if "Erinnerung" in m.subject]
    assert reminder.to == [seat.email]
    calendar, event = _calendar(reminder)
    assert str(calendar["METHOD"]) == "REQUEST"


def test_a_changed_time_sends_an_update_with_a_higher_sequence(staff_client):
    meeting = MeetingFactory(capacity=1)
    seat, waiting = UserFactory.create_batch(2)
    services.registration_create(meeting=meeting, person=seat)
    services.registration_create(meeting=meeting, person=waiting)
    deliver_outbox()
    mail.outbox.clear()
    new_start = meeting.starts_at + timedelta(days=1)
    response = staff_client.post(
        f"/admin/workinggroups/meeting/{meeting.pk}/change/",
        {
            "group": meeting.group_id,
            "title": meeting.title,
            "description": meeting.description,
            "language": "de",
            "starts_at_0": timezone.localtime(new_start).strftime("%Y-%m-%d"),
            "starts_at_1": timezone.localtime(new_start).strftime("%H:%M:%S"),
            "ends_at_0": timezone.localtime(new_start).strftime("%Y-%m-%d"),
            "ends_at_1": (timezone.localtime(new_start) + timedelta(hours=3)).strftime("%H:%M:%S"),
            "format": "on_site",
            "venue_name": meeting.venue_name,
            "venue_address": meeting.venue_address,
            "capacity": 1,
            "registrations-TOTAL_FORMS": "0",
            "registrations-INITIAL_FORMS": "0",
            "documents-TOTAL_FORMS": "0",
            "documents-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    meeting.refresh_from_db()
    assert meeting.sequence == 1
    deliver_outbox()
    by_person = {m.to[0]: m for m in mail.outbox}
    assert set(by_person) == {seat.email, waiting.email}
    _calendar_, event = _calendar(by_person[seat.email])
    assert event["SEQUENCE"] == 1 and event.decoded("DTSTART") == meeting.starts_at
    assert not by_person[waiting.email].attachments  # no calendar entry for a waiting place
    # Changing it again later is a new update, not a duplicate of the first.
    services.meeting_changed(meeting=meeting, changed_fields={"venue_name"}, actor=None)
    assert len(_sent("meeting_updated")) == 4


def test_a_members_own_cancellation_removes_the_calendar_entry(member_client, member):
    meeting = MeetingFactory()
    services.registration_create(meeting=meeting, person=member)
    deliver_outbox()
    mail.outbox.clear()
    member_client.post(f"/meetings/{meeting.pk}/cancel/")
    deliver_outbox()
    (message,) = mail.outbox
    calendar, event = _calendar(message)
    assert str(calendar["METHOD"]) == "CANCEL" and str(event["STATUS"]) == "CANCELLED"
    assert str(event["UID"]) == f"meeting-{meeting.pk}@portal.optonet"
    assert event["SEQUENCE"] > meeting.sequence


def test_a_meeting_cancelled_by_the_office_is_removed_from_calendars(office_user):
    meeting = MeetingFactory()
    person = UserFactory()
    services.registration_create(meeting=meeting, person=person)
    services.meeting_cancel(meeting=meeting, actor=office_user)
    deliver_outbox()
    (cancellation,) = [m for m in mail.outbox if "Abgesagt" in m.subject]
    calendar, event = _calendar(cancellation)
    assert str(calendar["METHOD"]) == "CANCEL"


def test_people_hear_how_their_request_to_join_was_decided(moderator, group):
    approved, declined = FollowFactory.create_batch(2, group=group, state="pending")
    services.follow_approve(follow_id=approved.pk, actor=moderator)
    services.follow_reject(follow_id=declined.pk, actor=moderator)
    deliver_outbox()
    subjects = {m.to[0]: m.subject for m in mail.outbox}
    assert "Willkommen" in subjects[approved.user.email]
    assert "Beitrittsanfrage" in subjects[declined.user.email]


def test_moderators_get_one_list_a_day_and_none_when_there_is_nothing(group):
    moderator = ModerationFactory(group=group).user
    assert moderator_digests_send() == 0
    new = FollowFactory(group=group, state="pending")
    old = FollowFactory(group=group, state="pending")
    type(old).objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=3))
    assert moderator_digests_send() == 1
    assert moderator_digests_send() == 0  # the same day: not again
    deliver_outbox()
    (digest,) = mail.outbox
    assert digest.to == [moderator.email]
    assert new.user.last_name in digest.body and old.user.last_name not in digest.body


def test_account_emails_use_the_portals_name_layout_and_formal_german(client, settings):
    from tests.members.factories import OrganizationDomainFactory

    settings.PORTAL_BASE_URL = "https://portal.optonet.example"
    OrganizationDomainFactory(domain="lichtwerk.example")
    client.post(
        "/accounts/signup/",
        {
            "email": "jana@lichtwerk.example",
            "password1": "Lichtstrahl-2026!",
            "password2": "Lichtstrahl-2026!",
            "first_name": "Jana",
            "last_name": "Keller",
            "organization_not_listed": "on",
            "organization_name": "Lichtwerk",
            "function": "hr",
            "language": "de",
            "privacy_consent": "on",
        },
    )
    client.post("/accounts/password/reset/", {"email": "jana@lichtwerk.example"})
    deliver_outbox()
    assert len(mail.outbox) == 2
    for message in mail.outbox:
        html = dict((mime, body) for body, mime in message.alternatives)["text/html"]
        assert "OptoNet" in html and "<html" in html
        assert "testserver" not in message.body
        links = re.findall(r"https?://\S+", message.body)
        assert links and all(u.startswith("https://portal.optonet.example/") for u in links)
        assert not re.search(r"\b(du|dein|deine|dich|dir)\b", message.body, re.IGNORECASE)
    assert "OptoNet-Mitgliederportal" in mail.outbox[0].body
    rows = OutboxMessage.objects.order_by("id")
    assert [r.kind for r in rows] == [
        "account.email_confirmation_signup",
        "account.password_reset_key",
    ]
    assert all(r.sensitive and r.body_text == "" for r in rows)
