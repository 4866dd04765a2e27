"""The meeting page's registration box and what the meeting and group pages tell each reader:
cancelling asks once and says where the seat goes; a waiting-list place is not offered as a
calendar entry; a confidential circle, a pending request to join and a pending link request
are described as they are for the person reading."""

from datetime import timedelta

import pytest
from django.utils import timezone

from members.models import LinkRequest
from tests.members.factories import UserFactory
from tests.workinggroups.factories import (
    FollowFactory,
    MeetingFactory,
    RegistrationFactory,
    WorkingGroupFactory,
)
from workinggroups import selectors
from workinggroups.models import Registration

pytestmark = pytest.mark.django_db

SEAT_GOES_ON = "Ihr Platz geht sofort an die nächste Person auf der Warteliste."


def test_the_meeting_page_links_to_the_confirmation_instead_of_cancelling(client, member):
    meeting = MeetingFactory()
    RegistrationFactory(meeting=meeting, user=member)
    client.force_login(member)
    html = client.get(f"/meetings/{meeting.pk}/").content.decode()
    assert f'href="/meetings/{meeting.pk}/cancel/"' in html
    assert f'action="/meetings/{meeting.pk}/cancel/"' not in html


def test_cancelling_asks_once_and_says_the_seat_goes_to_the_next_person_waiting(client, member):
    meeting = MeetingFactory(capacity=1)
    mine = RegistrationFactory(meeting=meeting, user=member)
    waiting = RegistrationFactory(meeting=meeting, status="waitlisted")
    client.force_login(member)
    response = client.get(f"/meetings/{meeting.pk}/cancel/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Möchten Sie Ihre Anmeldung stornieren?" in html
    assert SEAT_GOES_ON in html
    assert f'action="/meetings/{meeting.pk}/cancel/"' in html and 'method="post"' in html
    mine.refresh_from_db()
    assert mine.status == "confirmed"  # asking changed nothing

    response = client.post(f"/meetings/{meeting.pk}/cancel/")
    assert response.status_code == 302 and response.url == f"/meetings/{meeting.pk}/"
    mine.refresh_from_db()
    waiting.refresh_from_db()
    assert mine.status == "cancelled" and waiting.status == "confirmed"


def test_without_anyone_waiting_the_confirmation_does_not_promise_a_successor(client, member):
    meeting = MeetingFactory(capacity=5)
    RegistrationFactory(meeting=meeting, user=member)
    client.force_login(member)
    html = client.get(f"/meetings/{meeting.pk}/cancel/").content.decode()
    assert SEAT_GOES_ON not in html
    assert "Ihr Platz wird für andere frei." in html


def test_a_seat_beyond_a_lowered_capacity_goes_to_nobody(member):
    meeting = MeetingFactory(capacity=2)
    mine = RegistrationFactory(meeting=meeting, user=member)
    RegistrationFactory.create_batch(2, meeting=meeting)
    RegistrationFactory(meeting=meeting, status="waitlisted")
    meeting.capacity = 1  # the office lowered it: three seats for one place
    meeting.save()
    detailed = selectors.meeting_detail(meeting_id=meeting.pk, user=member)
    assert not selectors.seat_passes_on(detailed, mine)
    meeting.capacity = 3
    meeting.save()
    detailed = selectors.meeting_detail(meeting_id=meeting.pk, user=member)
    assert selectors.seat_passes_on(detailed, mine)


def test_leaving_the_waiting_list_asks_once_with_the_position(client, member):
    meeting = MeetingFactory(capacity=1)
    RegistrationFactory(meeting=meeting)
    RegistrationFactory(meeting=meeting, status="waitlisted")
    mine = RegistrationFactory(meeting=meeting, user=member, status="waitlisted")
    client.force_login(member)
    html = client.get(f"/meetings/{meeting.pk}/cancel/").content.decode()
    assert "Möchten Sie sich von der Warteliste austragen?" in html
    assert "Sie stehen auf der Warteliste, Platz 2." in html
    assert SEAT_GOES_ON not in html
    client.post(f"/meetings/{meeting.pk}/cancel/")
    mine.refresh_from_db()
    assert mine.status == "cancelled"


def test_confirmation_of_an_already_cancelled_or_missing_registration(client, member):
    meeting = MeetingFactory()
    client.force_login(member)
    assert client.get(f"/meetings/{meeting.pk}/cancel/").status_code == 404
    RegistrationFactory(
        meeting=meeting, user=member, status="cancelled", cancelled_at=timezone.now()
    )
    response = client.get(f"/meetings/{meeting.pk}/cancel/", follow=True)
    assert response.redirect_chain == [(f"/meetings/{meeting.pk}/", 302)]
    assert "Ihre Anmeldung war bereits storniert." in response.content.decode()


def test_nothing_to_confirm_for_a_past_meeting(client, member):
    meeting = MeetingFactory(starts_at=timezone.now() - timedelta(days=2))
    RegistrationFactory(meeting=meeting, user=member)
    client.force_login(member)
    response = client.get(f"/meetings/{meeting.pk}/cancel/")
    assert response.status_code == 302 and response.url == f"/meetings/{meeting.pk}/"


def test_the_confirmation_needs_a_login(client):
    meeting = MeetingFactory()
    response = client.get(f"/meetings/{meeting.pk}/cancel/")
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")


# --- A waiting-list place is not a seat ------------------------------------------------------


def test_a_waitlisted_person_is_not_offered_the_meeting_as_a_calendar_entry(client, member):
    meeting = MeetingFactory(capacity=1)
    RegistrationFactory(meeting=meeting)
    RegistrationFactory(meeting=meeting, user=member, status="waitlisted")
    client.force_login(member)
    html = client.get(f"/meetings/{meeting.pk}/").content.decode()
    assert f"/meetings/{meeting.pk}/calendar.ics" not in html
    assert "Sie stehen auf der Warteliste, Platz 1." in html
    assert "Sie haben noch keinen Platz." in html


def test_a_confirmed_seat_is_offered_as_a_calendar_entry(client, member):
    meeting = MeetingFactory()
    RegistrationFactory(meeting=meeting, user=member)
    client.force_login(member)
    html = client.get(f"/meetings/{meeting.pk}/").content.decode()
    assert f"/meetings/{meeting.pk}/calendar.ics" in html


# --- Each message true for the person reading it ---------------------------------------------

CONFIDENTIAL = "Dies ist ein vertraulicher Kreis: Tagesordnung und Ort sehen nur seine"
FOR_MEMBERS = "Tagesordnung und Veranstaltungsort werden Personen aus OptoNet-"


@pytest.fixture
def circle():
    return WorkingGroupFactory(confidential=True, join_policy="approval", slug="kreis")


def _agenda(client, meeting):
    html = client.get(f"/meetings/{meeting.pk}/").content.decode()
    return html[html.index('id="agenda-title"') :]


def test_a_visitor_is_not_promised_a_confidential_agenda_for_logging_in(client, circle):
    meeting = MeetingFactory(group=circle, description="Geheime Punkte")
    agenda = _agenda(client, meeting)
    assert "Geheime Punkte" not in agenda
    assert "Melden Sie sich als Mitglied an" not in agenda
    assert CONFIDENTIAL in agenda and FOR_MEMBERS not in agenda


def test_a_visitor_of_an_open_group_is_told_members_see_the_agenda(client):
    meeting = MeetingFactory(description="Offene Punkte")
    agenda = _agenda(client, meeting)
    assert "Offene Punkte" not in agenda and CONFIDENTIAL not in agenda
    assert FOR_MEMBERS in agenda
    assert "/accounts/login/" in agenda


def test_a_member_outside_the_circle_is_told_to_ask_to_join_and_then_that_it_is_pending(
    client, member, circle
):
    meeting = MeetingFactory(group=circle)
    client.force_login(member)
    html = client.get(f"/meetings/{meeting.pk}/").content.decode()
    assert "Beitritt auf der Seite des Arbeitskreises anfragen" in html
    assert "noch offen" not in html
    FollowFactory(group=circle, user=member, state="pending")
    html = client.get(f"/meetings/{meeting.pk}/").content.decode()
    assert "Beitritt auf der Seite des Arbeitskreises anfragen" not in html
    assert "Bitte fragen Sie zuerst den Beitritt" not in html
    assert "Ihre Beitrittsanfrage ist noch offen" in html
    group_html = client.get("/groups/kreis/").content.decode()
    assert "Ihre Beitrittsanfrage ist noch offen." in group_html


def test_an_approved_member_of_the_circle_reads_the_agenda_and_no_notice(client, member, circle):
    meeting = MeetingFactory(group=circle, description="Geheime Punkte")
    FollowFactory(group=circle, user=member)
    client.force_login(member)
    assert "Geheime Punkte" in _agenda(client, meeting)
    group_html = client.get("/groups/kreis/").content.decode()
    assert "Tagesordnungen und Orte seiner Treffen" not in group_html


def test_an_unlinked_person_with_a_pending_link_request_is_not_told_to_request_one(
    client, organization, circle
):
    person = UserFactory(organization=None)
    meeting = MeetingFactory()
    client.force_login(person)
    for url in (f"/meetings/{meeting.pk}/", "/groups/kreis/"):
        assert "Verknüpfung auf Ihrer Profilseite anfragen" in client.get(url).content.decode()
    LinkRequest.objects.create(user=person, organization=organization)
    for url in (f"/meetings/{meeting.pk}/", "/groups/kreis/"):
        html = client.get(url).content.decode()
        assert "Verknüpfung auf Ihrer Profilseite anfragen" not in html, url
        assert f"die Verknüpfung mit {organization.name} angefragt" in html, url


def test_the_details_requirements_read_the_visibility_rule(member, circle):
    open_group = WorkingGroupFactory()
    anonymous = selectors.viewer_for(None)
    unlinked = selectors.viewer_for(UserFactory(organization=None))
    assert selectors.details_requirements(open_group, anonymous) == {"log_in", "link"}
    assert selectors.details_requirements(circle, anonymous) == {"log_in", "link", "join"}
    assert selectors.details_requirements(open_group, unlinked) == {"link"}
    assert selectors.details_requirements(circle, unlinked) == {"link", "join"}
    assert selectors.details_requirements(open_group, selectors.viewer_for(member)) == set()
    assert selectors.details_requirements(circle, selectors.viewer_for(member)) == {"join"}
    FollowFactory(group=circle, user=member)
    member = type(member).objects.get(pk=member.pk)  # a fresh viewer
    assert selectors.details_requirements(circle, selectors.viewer_for(member)) == set()
    assert Registration.objects.count() == 0
