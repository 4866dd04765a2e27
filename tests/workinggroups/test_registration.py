"""Registration rules: seats, waiting list, promotion, cancellation, double clicks, races."""

import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import IntegrityError, close_old_connections, connection
from django.utils import timezone

from tests.conftest import deliver_outbox
from tests.members.factories import OrganizationFactory, UserFactory
from tests.workinggroups.factories import (
    FollowFactory,
    MeetingFactory,
    WorkingGroupFactory,
)
from workinggroups import services
from workinggroups.models import Meeting, Registration

pytestmark = pytest.mark.django_db


def test_registration_confirms_while_seats_are_free_then_waitlists():
    meeting = MeetingFactory(capacity=2)
    people = UserFactory.create_batch(3)
    statuses = [services.registration_create(meeting=meeting, person=p)[0].status for p in people]
    assert statuses == ["confirmed", "confirmed", "waitlisted"]


def test_confirmation_and_waiting_list_emails_are_sent_with_calendar_file(
    django_capture_on_commit_callbacks,
):
    meeting = MeetingFactory(capacity=1, title="Fachkräfte international")
    a, b = UserFactory(email="a@x.example"), UserFactory(email="b@x.example")
    with django_capture_on_commit_callbacks(execute=True):
        services.registration_create(meeting=meeting, person=a)
        services.registration_create(meeting=meeting, person=b)
    assert [m.to for m in mail.outbox] == [["a@x.example"], ["b@x.example"]]
    confirmation, waiting = mail.outbox
    assert "Fachkräfte international" in confirmation.subject
    assert confirmation.attachments[0][2].startswith("text/calendar")
    assert not waiting.attachments


def test_double_registration_returns_the_existing_row():
    meeting = MeetingFactory()
    person = UserFactory()
    first, created = services.registration_create(meeting=meeting, person=person)
    second, created_again = services.registration_create(meeting=meeting, person=person)
    assert created and not created_again and first.pk == second.pk
    assert Registration.objects.filter(meeting=meeting).count() == 1


def test_one_registration_per_person_and_meeting_is_a_database_constraint():
    registration = services.registration_create(meeting=MeetingFactory(), person=UserFactory())[0]
    with pytest.raises(IntegrityError):
        Registration.objects.create(
            meeting=registration.meeting, user=registration.user, status="confirmed"
        )


def test_cancellation_promotes_the_first_on_the_waiting_list_and_tells_them(
    django_capture_on_commit_callbacks,
):
    meeting = MeetingFactory(capacity=1)
    first, second, third = UserFactory.create_batch(3)
    seat = services.registration_create(meeting=meeting, person=first)[0]
    services.registration_create(meeting=meeting, person=second)
    services.registration_create(meeting=meeting, person=third)
    deliver_outbox()  # the registrations' own e-mails
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.registration_cancel(registration=seat, actor=first)
    statuses = dict(Registration.objects.filter(meeting=meeting).values_list("user", "status"))
    assert statuses == {first.pk: "cancelled", second.pk: "confirmed", third.pk: "waitlisted"}
    # The one who cancelled is told too (with a calendar file that removes the entry).
    assert sorted(m.to[0] for m in mail.outbox) == sorted([first.email, second.email])


def test_raising_capacity_promotes_from_the_waiting_list(office_user):
    meeting = MeetingFactory(capacity=1)
    people = UserFactory.create_batch(3)
    for person in people:
        services.registration_create(meeting=meeting, person=person)
    Meeting.objects.filter(pk=meeting.pk).update(capacity=3)
    services.meeting_changed(meeting=meeting, changed_fields={"capacity"}, actor=office_user)
    assert Registration.objects.filter(meeting=meeting, status="confirmed").count() == 3


def test_re_registration_after_cancelling_queues_at_the_end():
    meeting = MeetingFactory(capacity=1)
    a, b = UserFactory.create_batch(2)
    seat = services.registration_create(meeting=meeting, person=a)[0]
    services.registration_cancel(registration=seat, actor=a)
    services.registration_create(meeting=meeting, person=b)
    again = services.registration_create(meeting=meeting, person=a)[0]
    assert again.pk == seat.pk and again.status == "waitlisted"


@pytest.mark.parametrize(
    "meeting_kwargs, message",
    [
        ({"status": Meeting.Status.CANCELLED}, "meeting_cancelled"),
        ({"starts_at": timezone.now() - timedelta(days=1)}, "meeting_past"),
        ({"registration_deadline": timezone.now() - timedelta(hours=1)}, "deadline_passed"),
        ({"registration_opens_at": timezone.now() + timedelta(days=1)}, "registration_not_open"),
    ],
)
def test_registration_refused_with_a_clear_reason(meeting_kwargs, message):
    meeting = MeetingFactory(**meeting_kwargs)
    with pytest.raises(ValidationError) as error:
        services.registration_create(meeting=meeting, person=UserFactory())
    assert error.value.code == message
    assert error.value.messages[0]  # a sentence for the person, in their language
    assert not Registration.objects.exists()


def test_people_of_non_member_organisations_cannot_register():
    ended = OrganizationFactory(status="ended")
    for person in (UserFactory(organization=None), UserFactory(organization=ended)):
        with pytest.raises(ValidationError) as error:
            services.registration_create(meeting=MeetingFactory(), person=person)
        assert error.value.code == "not_a_member"


def test_confidential_group_needs_an_approved_follow():
    group = WorkingGroupFactory(confidential=True, join_policy="approval")
    meeting = MeetingFactory(group=group)
    person = UserFactory()
    FollowFactory(group=group, user=person, state="pending")
    with pytest.raises(ValidationError) as error:
        services.registration_create(meeting=meeting, person=person)
    assert error.value.code == "confidential_follow_required"
    person.follows.update(state="active")
    assert services.registration_create(meeting=meeting, person=person)[1]


def test_cancelling_after_the_deadline_is_refused_for_members_but_not_for_staff(office_user):
    meeting = MeetingFactory()
    person = UserFactory()
    registration = services.registration_create(meeting=meeting, person=person)[0]
    Meeting.objects.filter(pk=meeting.pk).update(
        registration_deadline=timezone.now() - timedelta(minutes=1)
    )
    with pytest.raises(ValidationError) as error:
        services.registration_cancel(registration=registration, actor=person)
    assert error.value.code == "cancel_after_deadline"
    registration.refresh_from_db()
    assert registration.status == "confirmed"
    services.registration_cancel(registration=registration, actor=office_user)
    registration.refresh_from_db()
    assert registration.status == "cancelled"


def test_cancelling_someone_elses_registration_is_forbidden():
    from django.core.exceptions import PermissionDenied

    registration = services.registration_create(meeting=MeetingFactory(), person=UserFactory())[0]
    with pytest.raises(PermissionDenied):
        services.registration_cancel(registration=registration, actor=UserFactory())


def test_meeting_cancellation_notifies_everyone_registered_or_waiting(
    office_user, django_capture_on_commit_callbacks
):
    meeting = MeetingFactory(capacity=1)
    a, b = UserFactory.create_batch(2)
    services.registration_create(meeting=meeting, person=a)
    services.registration_create(meeting=meeting, person=b)
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_cancel(meeting=meeting, actor=office_user)
    meeting.refresh_from_db()
    assert meeting.status == "cancelled" and meeting.sequence == 1
    assert sorted(m.to[0] for m in mail.outbox) == sorted([a.email, b.email])
    ics = mail.outbox[0].attachments[0][1]
    ics = ics.decode() if isinstance(ics, bytes) else ics
    assert "STATUS:CANCELLED" in ics and "SEQUENCE:1" in ics


@pytest.mark.django_db(transaction=True)
def test_last_seats_go_to_exactly_as_many_of_twenty_four_racers():
    """24 people press "register" at the same moment for a meeting with 5 seats left."""
    meeting = MeetingFactory(capacity=8)
    for person in UserFactory.create_batch(3):
        services.registration_create(meeting=meeting, person=person)
    racers = UserFactory.create_batch(24)
    barrier = threading.Barrier(len(racers))
    errors = []

    def register(person):
        try:
            barrier.wait(timeout=30)
            services.registration_create(meeting=meeting, person=person)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=register, args=(p,)) for p in racers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors
    counts = {
        s: Registration.objects.filter(meeting=meeting, status=s).count()
        for s in ("confirmed", "waitlisted")
    }
    assert counts == {"confirmed": 8, "waitlisted": 19}
    # The waiting list is in the order in which the meeting's lock was won. Rows are inserted
    # while the lock is held, so their ids are that order; the waiting list's own order
    # (registration time, then id) must be the same.
    waiting_list = list(
        Registration.objects.filter(meeting=meeting, status="waitlisted")
        .order_by("created_at", "id")
        .values_list("id", flat=True)
    )
    assert waiting_list == sorted(waiting_list)


@pytest.mark.django_db(transaction=True)
def test_the_same_person_double_clicking_in_parallel_gets_one_row():
    meeting = MeetingFactory()
    person = UserFactory()
    barrier = threading.Barrier(8)
    results = []

    def register():
        try:
            barrier.wait(timeout=30)
            results.append(services.registration_create(meeting=meeting, person=person)[1])
        finally:
            connection.close()

    threads = [threading.Thread(target=register) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(results) == [False] * 7 + [True]
    assert Registration.objects.filter(meeting=meeting).count() == 1


def test_a_seat_freed_behind_the_waiting_list_goes_to_the_first_waiting_not_a_newcomer():
    meeting = MeetingFactory(capacity=1)
    first, waiting, newcomer = UserFactory.create_batch(3)
    seat = services.registration_create(meeting=meeting, person=first)[0]
    services.registration_create(meeting=meeting, person=waiting)
    # An edit outside the services frees the seat without promoting anyone.
    Registration.objects.filter(pk=seat.pk).update(status="cancelled", cancelled_at=timezone.now())
    registration, _ = services.registration_create(meeting=meeting, person=newcomer)
    assert registration.status == "waitlisted"
    assert Registration.objects.get(meeting=meeting, user=waiting).status == "confirmed"


def test_confidential_group_is_always_joined_by_approval():
    group = WorkingGroupFactory(confidential=True, join_policy="open")
    follow = services.group_follow(group=group, user=UserFactory())
    assert follow.state == "pending"


def test_duplicate_as_next_keeps_the_berlin_wall_clock_time_across_summer_time(office_user):
    from zoneinfo import ZoneInfo

    berlin = ZoneInfo("Europe/Berlin")
    from datetime import datetime

    starts = datetime(2027, 2, 10, 14, 0, tzinfo=berlin)  # winter time; +13 weeks is summer
    meeting = MeetingFactory(starts_at=starts, ends_at=starts + timedelta(hours=3))
    copy = services.meeting_duplicate_as_next(meeting=meeting, actor=office_user)
    local = copy.starts_at.astimezone(berlin)
    assert (local.date().isoformat(), local.hour, local.minute) == ("2027-05-12", 14, 0)
    assert copy.status == "draft"


def test_permanent_mail_failure_is_recorded_and_not_retried(settings):
    from mailings.models import OutboxMessage

    settings.EMAIL_BACKEND = "tests.mail_backends.RejectingBackend"
    services.registration_create(meeting=MeetingFactory(), person=UserFactory())
    deliver_outbox()
    message = OutboxMessage.objects.get(kind="workinggroups.confirmed")
    assert message.state == "failed" and message.attempts == 1
    assert "550" in message.last_error


def test_transient_and_permanent_smtp_errors_are_told_apart():
    import smtplib

    from mailings.services import is_transient_smtp_error

    assert is_transient_smtp_error(smtplib.SMTPServerDisconnected("gone"))
    assert is_transient_smtp_error(smtplib.SMTPResponseException(451, b"try later"))
    assert is_transient_smtp_error(ConnectionRefusedError())
    assert not is_transient_smtp_error(smtplib.SMTPResponseException(550, b"no such user"))
    assert not is_transient_smtp_error(
        smtplib.SMTPRecipientsRefused({"a@x.example": (550, b"unknown")})
    )
    assert is_transient_smtp_error(
        smtplib.SMTPRecipientsRefused({"a@x.example": (452, b"mailbox full")})
    )
