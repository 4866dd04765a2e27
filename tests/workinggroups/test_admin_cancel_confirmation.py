"""Cancelling meetings in the admin: a confirmation page says how many people will be told by
e-mail, and nothing is cancelled or sent before the office confirms."""

import pytest
from django.core import mail

from mailings.models import OutboxMessage
from members.models import AuditEvent
from tests.conftest import deliver_outbox
from tests.members.factories import UserFactory
from tests.workinggroups.factories import MeetingFactory, RegistrationFactory
from workinggroups.models import Campaign, Meeting, Registration

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/workinggroups/meeting/"


def _choose_action(client, *meetings):
    return client.post(
        CHANGELIST,
        {
            "action": "cancel_meeting",
            "_selected_action": [m.pk for m in meetings],
            "index": "0",
        },
        HTTP_ACCEPT_LANGUAGE="de",
    )


def _confirm(client, *meetings):
    return client.post(
        CHANGELIST,
        {"action": "cancel_meeting", "_selected_action": [m.pk for m in meetings], "confirm": "1"},
        HTTP_ACCEPT_LANGUAGE="de",
    )


@pytest.fixture
def meeting_with_registrants():
    meeting = MeetingFactory(title="Recruiting-Tag")
    RegistrationFactory(meeting=meeting, user=UserFactory(email="a@example.org"))
    RegistrationFactory(meeting=meeting, user=UserFactory(email="b@example.org"))
    RegistrationFactory(
        meeting=meeting,
        user=UserFactory(email="waiting@example.org"),
        status=Registration.Status.WAITLISTED,
    )
    cancelled = RegistrationFactory(meeting=meeting, user=UserFactory(email="gone@example.org"))
    cancelled.status = Registration.Status.CANCELLED
    cancelled.cancelled_at = cancelled.created_at
    cancelled.save()
    return meeting


def test_choosing_the_action_asks_first_and_names_how_many_people_are_emailed(
    staff_client, meeting_with_registrants
):
    meeting = meeting_with_registrants

    response = _choose_action(staff_client, meeting)

    assert response.status_code == 200
    html = response.content.decode()
    assert "3 Personen" in html  # two confirmed and one waiting; not the one who cancelled
    assert "Recruiting-Tag" in html
    assert 'name="confirm"' in html
    assert f'name="_selected_action" value="{meeting.pk}"' in html
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.PUBLISHED
    assert not OutboxMessage.objects.exists()
    assert not Campaign.objects.exists()
    assert not AuditEvent.objects.filter(action="workinggroups.meeting.cancelled").exists()


def test_confirming_cancels_and_emails_exactly_those_people(staff_client, meeting_with_registrants):
    meeting = meeting_with_registrants

    response = _confirm(staff_client, meeting)

    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.CANCELLED
    deliver_outbox()
    assert sorted(m.to[0] for m in mail.outbox) == [
        "a@example.org",
        "b@example.org",
        "waiting@example.org",
    ]
    assert AuditEvent.objects.filter(action="workinggroups.meeting.cancelled").count() == 1


def test_several_meetings_count_each_person_once_and_list_every_meeting(staff_client):
    first, second = MeetingFactory(title="Erstes Treffen"), MeetingFactory(title="Zweites Treffen")
    both = UserFactory()
    RegistrationFactory(meeting=first, user=both)
    RegistrationFactory(meeting=second, user=both)
    RegistrationFactory(meeting=second)

    html = _choose_action(staff_client, first, second).content.decode()

    assert "2 Personen" in html
    assert "Erstes Treffen" in html and "Zweites Treffen" in html
    assert Meeting.objects.filter(status=Meeting.Status.CANCELLED).count() == 0


def test_a_meeting_without_registrants_is_confirmed_with_nobody_to_email(staff_client):
    meeting = MeetingFactory()

    html = _choose_action(staff_client, meeting).content.decode()

    assert "0 Personen" in html
    assert _confirm(staff_client, meeting).status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.CANCELLED
    assert not OutboxMessage.objects.exists()


def test_meetings_cancelled_already_get_no_confirmation_page(staff_client):
    meeting = MeetingFactory(status=Meeting.Status.CANCELLED)

    response = _choose_action(staff_client, meeting)

    assert response.status_code == 302
    messages = [str(m) for m in response.wsgi_request._messages]
    assert messages == ["Die ausgewählten Treffen sind bereits abgesagt."]
