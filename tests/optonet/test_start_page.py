"""The start page after login: the person's next meetings, groups, pending requests, the open
questionnaire and what waits for their decision — in a fixed number of queries."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from members.models import LinkRequest
from reports.models import SurveyRound
from tests.members.factories import UserFactory
from tests.workinggroups.factories import (
    FollowFactory,
    MeetingFactory,
    ModerationFactory,
    RegistrationFactory,
    WorkingGroupFactory,
)

pytestmark = pytest.mark.django_db


def _open_round(**kwargs):
    today = timezone.localdate()
    return SurveyRound.objects.create(
        year=2026,
        reference_year=2025,
        opens_on=today - timedelta(days=3),
        closes_on=today + timedelta(days=30),
        status="open",
        **kwargs,
    )


def test_visitors_keep_the_front_page(client):
    group = WorkingGroupFactory()
    html = client.get("/").content.decode()
    assert 'id="hero-title"' in html
    assert group.name_de in html
    assert "start-meetings-title" not in html


def test_member_sees_next_meetings_with_status_and_waiting_list_position(client, member):
    soon = MeetingFactory(title="Ausbildung 2030", starts_at=timezone.now() + timedelta(days=2))
    full = MeetingFactory(title="Volles Treffen", capacity=1)
    RegistrationFactory(meeting=soon, user=member)
    RegistrationFactory(meeting=full)  # the seat
    RegistrationFactory(meeting=full, status="waitlisted")  # first in line
    RegistrationFactory(meeting=full, user=member, status="waitlisted")
    past = MeetingFactory(title="Längst vorbei", starts_at=timezone.now() - timedelta(days=9))
    RegistrationFactory(meeting=past, user=member)
    client.force_login(member)
    response = client.get("/")
    html = response.content.decode()
    assert "Ihre nächsten Treffen" in html
    assert "Ausbildung 2030" in html and "Platz bestätigt" in html
    assert "Volles Treffen" in html and "Platz 2 auf der Warteliste" in html
    assert "Längst vorbei" not in html
    assert html.index("Ausbildung 2030") < html.index("Volles Treffen")
    assert "/me/meetings/" in html
    assert "no-store" in response["Cache-Control"]


def test_a_confidential_meeting_keeps_its_title_from_outsiders_on_the_start_page(client, member):
    circle = WorkingGroupFactory(confidential=True, name_de="Kreis der Geschäftsführer")
    meeting = MeetingFactory(group=circle, title="Übernahmepläne")
    # Registered once, then the circle was left: the title is for insiders only.
    RegistrationFactory(meeting=meeting, user=member)
    client.force_login(member)
    html = client.get("/").content.decode()
    assert "Übernahmepläne" not in html
    assert "Kreis der Geschäftsführer: Treffen" in html


def test_member_sees_groups_and_pending_follow_requests(client, member):
    followed = WorkingGroupFactory(name_de="AK Personal")
    asked = WorkingGroupFactory(name_de="AK Vertraulich", confidential=True)
    closed = WorkingGroupFactory(name_de="AK Geschlossen", is_active=False)
    FollowFactory(group=followed, user=member)
    FollowFactory(group=asked, user=member, state="pending")
    FollowFactory(group=closed, user=member)
    client.force_login(member)
    html = client.get("/").content.decode()
    assert "AK Personal" in html and "Sie folgen diesem Arbeitskreis" in html
    assert "Ihre offenen Anfragen" in html
    assert "haben Sie angefragt" in html and "AK Vertraulich" in html
    assert "AK Geschlossen" not in html


def test_member_without_groups_or_meetings_is_shown_where_to_start(client, member):
    client.force_login(member)
    html = client.get("/").content.decode()
    assert "Sie folgen noch keinem Arbeitskreis" in html
    assert "Sie sind zu keinem anstehenden Treffen angemeldet" in html
    assert "Ihre offenen Anfragen" not in html


def test_unlinked_person_is_told_to_request_a_link_or_that_it_is_pending(client, organization):
    person = UserFactory(organization=None)
    client.force_login(person)
    html = client.get("/").content.decode()
    assert "Ihr Konto ist mit keiner aktiven Mitgliedsorganisation verknüpft" in html
    assert "Verknüpfung auf Ihrer Profilseite anfragen" in html
    LinkRequest.objects.create(user=person, organization=organization)
    html = client.get("/").content.decode()
    assert "Verknüpfung auf Ihrer Profilseite anfragen" not in html
    assert f"die Verknüpfung mit {organization.name} angefragt" in html


def test_the_open_questionnaire_is_offered_to_the_organisations_people_only(client, member):
    survey_round = _open_round()
    client.force_login(member)
    html = client.get("/").content.decode()
    assert "Wachstumsreport 2026" in html and 'href="/reports/survey/"' in html
    assert member.organization.name in html
    client.force_login(UserFactory(organization=None))
    assert 'href="/reports/survey/"' not in client.get("/").content.decode()
    # A round past its closing day takes no answers, even before the office closes it.
    survey_round.closes_on = timezone.localdate() - timedelta(days=1)
    survey_round.save()
    client.force_login(member)
    assert 'href="/reports/survey/"' not in client.get("/").content.decode()


def test_moderator_sees_requests_to_join_with_a_link_to_the_workspace(client, group, moderator):
    FollowFactory.create_batch(2, group=group, state="pending")
    FollowFactory(group=WorkingGroupFactory(), state="pending")  # not theirs
    client.force_login(moderator)
    html = client.get("/").content.decode()
    assert "Wartet auf Ihre Entscheidung" in html
    assert f"{group.name_de}: 2 Beitrittsanfragen" in html
    assert 'href="/workspace/"' in html
    assert html.count("Beitrittsanfrage") == 1


def test_member_without_decisions_sees_none(client, member):
    FollowFactory(state="pending")
    client.force_login(member)
    assert "Wartet auf Ihre Entscheidung" not in client.get("/").content.decode()


def test_coordinator_sees_colleagues_asking_to_be_linked(client, member, organization):
    member.is_organization_coordinator = True
    member.save()
    LinkRequest.objects.create(user=UserFactory(organization=None), organization=organization)
    client.force_login(member)
    html = client.get("/").content.decode()
    assert "1 Person möchte mit Ihrer Organisation verknüpft werden" in html
    assert 'href="/me/organisation/"' in html


def test_office_staff_get_a_link_to_the_admin(client, office_user, member):
    client.force_login(office_user)
    assert 'href="/admin/"' in client.get("/").content.decode()
    client.force_login(member)
    assert "Für die Geschäftsstelle" not in client.get("/").content.decode()


def test_english_start_page(client, member):
    client.cookies["optonet_language"] = "en"
    client.force_login(member)
    html = client.get("/").content.decode()
    assert '<html lang="en"' in html and "Your next meetings" in html


def _grow(person, organization, groups, meetings):
    """Everything the start page shows, `groups` and `meetings` times over."""
    for _ in range(groups):
        moderated = WorkingGroupFactory()
        ModerationFactory(group=moderated, user=person)
        FollowFactory(group=moderated, user=person)
        FollowFactory(group=moderated, state="pending")
        FollowFactory(group=WorkingGroupFactory(), user=person, state="pending")
        LinkRequest.objects.create(user=UserFactory(organization=None), organization=organization)
    for index in range(meetings):
        group = WorkingGroupFactory(confidential=index % 2 == 0)
        confirmed = MeetingFactory(group=group, starts_at=timezone.now() + timedelta(days=index))
        RegistrationFactory(meeting=confirmed, user=person)
        full = MeetingFactory(capacity=1, starts_at=timezone.now() + timedelta(days=index, hours=1))
        RegistrationFactory(meeting=full)
        RegistrationFactory(meeting=full, status="waitlisted")
        RegistrationFactory(meeting=full, user=person, status="waitlisted")


def _queries(client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/")
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_start_page_query_count_does_not_grow_with_meetings_and_groups(client, member):
    member.is_organization_coordinator = True
    member.save()
    _open_round()
    client.force_login(member)
    _grow(member, member.organization, groups=1, meetings=1)
    small = _queries(client)
    _grow(member, member.organization, groups=8, meetings=12)
    large = _queries(client)
    html = client.get("/").content.decode()
    assert "Platz 2 auf der Warteliste" in html and "weitere anstehend" in html
    assert large == small, f"{small} queries with little data, {large} with more"
    assert large <= 20
