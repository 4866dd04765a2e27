"""Group, meeting and "my meetings" pages: content, visibility, and fixed query counts."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.members.factories import UserFactory
from tests.workinggroups.factories import (
    FollowFactory,
    MeetingFactory,
    ModerationFactory,
    RegistrationFactory,
    WorkingGroupFactory,
)
from workinggroups.models import Meeting

pytestmark = pytest.mark.django_db


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


def _grow(group, member, meetings, followers, registrations_per_meeting):
    for _ in range(followers):
        FollowFactory(group=group)
    for index in range(meetings):
        meeting = MeetingFactory(
            group=group, capacity=50, starts_at=timezone.now() + timedelta(days=5 + index)
        )
        RegistrationFactory(meeting=meeting, user=member)
        for _ in range(registrations_per_meeting):
            RegistrationFactory(meeting=meeting)
        MeetingFactory(group=group, starts_at=timezone.now() - timedelta(days=30 + index))
    for _ in range(2):
        ModerationFactory(group=group)


@pytest.mark.parametrize(
    "url", ["/groups/", "/groups/{slug}/", "/me/meetings/", "/", "/meetings/{meeting}/"]
)
def test_query_count_does_not_grow_with_rows(client, member, url):
    group = WorkingGroupFactory(slug="personal")
    client.force_login(member)
    _grow(group, member, meetings=1, followers=1, registrations_per_meeting=1)
    first = Meeting.objects.filter(group=group).order_by("-starts_at").first()
    client.get(url.format(slug=group.slug, meeting=first.pk))  # one-time writes (calendar token)
    small = _queries(client, url.format(slug=group.slug, meeting=first.pk))
    _grow(group, member, meetings=12, followers=30, registrations_per_meeting=6)
    WorkingGroupFactory.create_batch(3)
    large = _queries(client, url.format(slug=group.slug, meeting=first.pk))
    assert large == small, f"{url}: {small} queries with little data, {large} with more"
    assert large <= 20


def test_group_page_shows_texts_moderators_contact_and_meetings(client, group):
    moderation = ModerationFactory(group=group)
    upcoming = MeetingFactory(group=group, title="Zukunft der Ausbildung")
    past = MeetingFactory(
        group=group, title="Rückblick 2025", starts_at=timezone.now() - timedelta(days=60)
    )
    draft = MeetingFactory(group=group, title="Geheimer Entwurf", status="draft")
    html = client.get(f"/groups/{group.slug}/").content.decode()
    assert group.name_de in html
    assert moderation.user.last_name in html
    assert group.office_contact.name in html and group.office_contact.phone in html
    assert upcoming.title in html and past.title in html
    assert draft.title not in html


def test_group_page_in_english_uses_the_english_texts(client, group):
    client.cookies["optonet_language"] = "en"
    html = client.get(f"/groups/{group.slug}/").content.decode()
    assert group.name_en in html and '<html lang="en"' in html


def test_draft_meetings_do_not_exist_outside_the_admin(client, member):
    draft = MeetingFactory(status="draft")
    assert client.get(f"/meetings/{draft.pk}/").status_code == 404
    client.force_login(member)
    assert client.get(f"/meetings/{draft.pk}/").status_code == 404
    assert client.get(f"/meetings/{draft.pk}/calendar.ics").status_code == 404


def test_agenda_venue_and_online_link_visibility(client, member):
    meeting = MeetingFactory(
        format="hybrid",
        description="Agenda-Punkt Lohnmodelle",
        venue_address="Beispielweg 7, Jena",
        online_url="https://meet.example.org/geheim",
    )
    html = client.get(f"/meetings/{meeting.pk}/").content.decode()
    assert meeting.title in html
    assert "Lohnmodelle" not in html and "Beispielweg" not in html and "geheim" not in html
    client.force_login(member)
    html = client.get(f"/meetings/{meeting.pk}/").content.decode()
    assert "Lohnmodelle" in html and "Beispielweg" in html and "geheim" not in html
    client.post(f"/meetings/{meeting.pk}/register/", {"mode": "online"})
    html = client.get(f"/meetings/{meeting.pk}/").content.decode()
    assert "https://meet.example.org/geheim" in html


def test_register_and_cancel_through_the_meeting_page(client, member):
    meeting = MeetingFactory(capacity=1)
    client.force_login(member)
    response = client.post(f"/meetings/{meeting.pk}/register/", {"list_consent": "on"})
    assert response.status_code == 302
    registration = meeting.registrations.get()
    assert registration.status == "confirmed" and registration.list_consent
    # A double click changes nothing.
    client.post(f"/meetings/{meeting.pk}/register/", {})
    assert meeting.registrations.count() == 1
    page = client.get(f"/meetings/{meeting.pk}/").content.decode()
    assert f"/meetings/{meeting.pk}/cancel/" in page
    client.post(f"/meetings/{meeting.pk}/cancel/")
    registration.refresh_from_db()
    assert registration.status == "cancelled"
    client.post(f"/meetings/{meeting.pk}/cancel/")
    assert meeting.registrations.count() == 1


def test_full_meeting_puts_the_member_on_the_waiting_list_with_a_position(client, member):
    meeting = MeetingFactory(capacity=1)
    RegistrationFactory(meeting=meeting)
    RegistrationFactory(meeting=meeting, status="waitlisted")
    client.force_login(member)
    client.post(f"/meetings/{meeting.pk}/register/", {})
    response = client.get(f"/meetings/{meeting.pk}/")
    assert response.context["registration"].status == "waitlisted"
    assert response.context["waitlist_position"] == 2


def test_register_is_post_only_and_csrf_protected(member):
    from django.test import Client

    meeting = MeetingFactory()
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(member)
    # A GET (where a login redirect lands) leads to the page where registering is done.
    response = strict.get(f"/meetings/{meeting.pk}/register/")
    assert (response.status_code, response["Location"]) == (302, f"/meetings/{meeting.pk}/")
    assert strict.post(f"/meetings/{meeting.pk}/register/", {}).status_code == 403
    assert not meeting.registrations.exists()


def test_only_consenting_attendees_are_listed_to_other_attendees(client, member):
    meeting = MeetingFactory()
    listed = RegistrationFactory(meeting=meeting, list_consent=True)
    hidden = RegistrationFactory(meeting=meeting, list_consent=False)
    client.force_login(member)
    html = client.get(f"/meetings/{meeting.pk}/").content.decode()
    assert listed.user.last_name not in html  # not registered yet: nobody is shown
    client.post(f"/meetings/{meeting.pk}/register/", {})
    html = client.get(f"/meetings/{meeting.pk}/").content.decode()
    assert listed.user.last_name in html
    assert hidden.user.last_name not in html


def test_follow_open_group_at_once_and_confidential_group_by_request(client, member, group):
    confidential = WorkingGroupFactory(confidential=True, join_policy="approval")
    client.force_login(member)
    client.post(f"/groups/{group.slug}/follow/")
    client.post(f"/groups/{confidential.slug}/follow/")
    states = dict(member.follows.values_list("group__slug", "state"))
    assert states == {group.slug: "active", confidential.slug: "pending"}
    client.post(f"/groups/{group.slug}/unfollow/")
    assert not member.follows.filter(group=group).exists()


def test_my_meetings_lists_upcoming_and_past(client, member):
    upcoming = RegistrationFactory(user=member, meeting=MeetingFactory(title="Kommt noch"))
    past = RegistrationFactory(
        user=member,
        meeting=MeetingFactory(title="War schon", starts_at=timezone.now() - timedelta(days=3)),
    )
    RegistrationFactory(
        user=member,
        status="cancelled",
        cancelled_at=timezone.now(),
        meeting=MeetingFactory(title="Abgesagt"),
    )
    client.force_login(member)
    response = client.get("/me/meetings/")
    assert [r.pk for r in response.context["upcoming"]] == [upcoming.pk]
    assert [r.pk for r in response.context["past"]] == [past.pk]
    assert "Abgesagt" not in response.content.decode()


def test_non_member_sees_why_they_cannot_register(client, unlinked_person):
    meeting = MeetingFactory()
    client.force_login(unlinked_person)
    response = client.get(f"/meetings/{meeting.pk}/")
    assert not response.context["option"].can_register
    response = client.post(f"/meetings/{meeting.pk}/register/", {})
    assert response.status_code == 403
    assert not meeting.registrations.exists()


def test_home_page_lists_the_working_groups(client):
    groups = WorkingGroupFactory.create_batch(4)
    html = client.get("/").content.decode()
    for group in groups:
        assert group.name_de in html
        assert group.get_absolute_url() in html


def test_confidential_circle_shows_agenda_only_to_approved_followers(client, member):
    group = WorkingGroupFactory(confidential=True, join_policy="approval")
    meeting = MeetingFactory(group=group, description="Vertrauliche Tagesordnung")
    client.force_login(member)
    assert (
        "Vertrauliche Tagesordnung" not in client.get(f"/meetings/{meeting.pk}/").content.decode()
    )
    FollowFactory(group=group, user=member, state="active")
    assert "Vertrauliche Tagesordnung" in client.get(f"/meetings/{meeting.pk}/").content.decode()


def test_attendee_changes_mode_and_withdraws_list_consent(client, member):
    meeting = MeetingFactory(format="hybrid")
    client.force_login(member)
    client.post(f"/meetings/{meeting.pk}/register/", {"mode": "on_site", "list_consent": "on"})
    registration = meeting.registrations.get()
    assert registration.list_consent and registration.mode == "on_site"
    response = client.post(f"/meetings/{meeting.pk}/registration/", {"mode": "online"})
    assert response.status_code == 302
    registration.refresh_from_db()
    assert registration.mode == "online" and not registration.list_consent
    # Somebody else cannot change it: there is no registration of theirs to change.
    client.force_login(UserFactory())
    assert (
        client.post(f"/meetings/{meeting.pk}/registration/", {"list_consent": "on"}).status_code
        == 404
    )
    registration.refresh_from_db()
    assert not registration.list_consent
