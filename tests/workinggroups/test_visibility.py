"""One rule decides what a person sees of a meeting, and every place that shows a meeting obeys
it: the meeting page, the group page, the public and the personal feed, the meeting's .ics file
and the e-mails. Leaving a confidential circle or the end of a membership ends access at once."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from members.models import Organization
from tests.members.factories import UserFactory
from tests.workinggroups.factories import (
    FollowFactory,
    MeetingFactory,
    ModerationFactory,
    WorkingGroupFactory,
)
from workinggroups import services
from workinggroups.models import Follow, Registration

pytestmark = pytest.mark.django_db

AGENDA = "Nachfolge in der Geschäftsführung"
TITLE = "Vertrauliche Runde Q3"
LINK = "https://meet.example/secret-room"
VENUE = "Haus der Photonik"


@pytest.fixture
def circle():
    return WorkingGroupFactory(
        slug="unternehmensfuehrung",
        name_de="Arbeitskreis Unternehmensführung",
        name_en="Corporate management working group",
        confidential=True,
        join_policy="approval",
    )


@pytest.fixture
def meeting(circle):
    return MeetingFactory(
        group=circle,
        title=TITLE,
        description=AGENDA,
        format="hybrid",
        venue_name=VENUE,
        online_url=LINK,
        capacity=1,
    )


def _follower_with_seat(circle, meeting):
    person = UserFactory()
    FollowFactory(group=circle, user=person, state="active")
    registration, _ = services.registration_create(meeting=meeting, person=person)
    assert registration.status == "confirmed"
    return person


def _outputs(client, person, meeting, circle):
    """Everything the portal shows of the meeting to this person (or to anyone, for the
    public feed), as text."""
    from workinggroups.views import _calendar_token

    client.force_login(person)
    token = _calendar_token(person)
    return {
        "meeting page": client.get(f"/meetings/{meeting.pk}/").content.decode(),
        "group page": client.get(f"/groups/{circle.slug}/").content.decode(),
        "meeting ics": client.get(f"/meetings/{meeting.pk}/calendar.ics").content.decode(),
        "personal feed": client.get(f"/calendar/{token}.ics").content.decode(),
        "public feed": client.get(f"/groups/{circle.slug}/calendar.ics").content.decode(),
    }


def _unfold(ics_or_html: str) -> str:
    return ics_or_html.replace("\r\n ", "").replace("\\,", ",")


def test_a_follower_with_a_seat_sees_agenda_venue_and_link(client, circle, meeting):
    person = _follower_with_seat(circle, meeting)
    outputs = _outputs(client, person, meeting, circle)
    for place in ("meeting page", "meeting ics", "personal feed"):
        text = _unfold(outputs[place])
        assert AGENDA in text and LINK in text and TITLE in text, place
    assert TITLE in outputs["group page"]
    assert TITLE not in _unfold(outputs["public feed"])  # public is public


def test_leaving_a_confidential_circle_ends_agenda_link_and_seat_everywhere(
    client, circle, meeting
):
    person = _follower_with_seat(circle, meeting)
    waiting = UserFactory()
    FollowFactory(group=circle, user=waiting, state="active")
    services.registration_create(meeting=meeting, person=waiting)

    client.force_login(person)
    assert client.post(f"/groups/{circle.slug}/unfollow/").status_code == 302

    registration = Registration.objects.get(meeting=meeting, user=person)
    assert registration.status == "cancelled"
    assert Registration.objects.get(meeting=meeting, user=waiting).status == "confirmed"
    for place, text in _outputs(client, person, meeting, circle).items():
        text = _unfold(text)
        assert AGENDA not in text and LINK not in text and VENUE not in text, place
        assert TITLE not in text, place
    assert "Unternehmensführung: Treffen" in _outputs(client, person, meeting, circle)["group page"]


def test_removal_from_the_circle_by_the_office_ends_access_too(
    client, circle, meeting, office_user
):
    person = _follower_with_seat(circle, meeting)
    follow = Follow.objects.get(group=circle, user=person)
    client.force_login(office_user)
    response = client.post(
        f"/admin/workinggroups/follow/{follow.pk}/delete/", {"post": "yes"}, follow=True
    )
    assert response.status_code == 200
    assert not Follow.objects.filter(pk=follow.pk).exists()
    assert Registration.objects.get(meeting=meeting, user=person).status == "cancelled"
    client.logout()
    feed = _unfold(_outputs(client, person, meeting, circle)["personal feed"])
    assert LINK not in feed and AGENDA not in feed


def test_end_of_membership_cancels_future_seats_and_ends_access(client, office_user):
    group = WorkingGroupFactory()
    meeting = MeetingFactory(group=group, description=AGENDA, format="online", online_url=LINK)
    past = MeetingFactory(group=group, starts_at=timezone.now() - timedelta(days=10))
    person = UserFactory()
    services.registration_create(meeting=meeting, person=person)
    past_registration = Registration.objects.create(
        meeting=past, user=person, status="confirmed", organization=person.organization
    )
    organization = person.organization

    client.force_login(office_user)
    response = client.post(
        f"/admin/members/organization/{organization.pk}/change/",
        {
            "name": organization.name,
            "kind": organization.kind,
            "city": organization.city,
            "status": "ended",
            "domains-TOTAL_FORMS": "0",
            "domains-INITIAL_FORMS": "0",
            "people-TOTAL_FORMS": "1",
            "people-INITIAL_FORMS": "1",
            "people-0-id": person.pk,
            "people-0-organization": organization.pk,
            "people-0-first_name": person.first_name,
            "people-0-last_name": person.last_name,
            "people-0-function": person.function,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    organization.refresh_from_db()
    assert organization.status == Organization.Status.ENDED
    assert Registration.objects.get(meeting=meeting, user=person).status == "cancelled"
    past_registration.refresh_from_db()
    assert past_registration.status == "confirmed"  # history stays
    client.logout()
    outputs = _outputs(client, person, meeting, group)
    for place in ("meeting page", "meeting ics", "personal feed"):
        text = _unfold(outputs[place])
        assert LINK not in text and AGENDA not in text, place


def test_a_membership_ending_at_a_date_keeps_seats_until_then(office_user):
    from members.services import organization_membership_changed

    person = UserFactory()
    soon = MeetingFactory(starts_at=timezone.now() + timedelta(days=3))
    later = MeetingFactory(starts_at=timezone.now() + timedelta(days=60))
    services.registration_create(meeting=soon, person=person)
    services.registration_create(meeting=later, person=person)
    organization = person.organization
    organization.member_until = timezone.localdate() + timedelta(days=30)
    organization.save()
    assert organization_membership_changed(organization=organization, actor=office_user) == 1
    statuses = dict(Registration.objects.filter(user=person).values_list("meeting", "status"))
    assert statuses == {soon.pk: "confirmed", later.pk: "cancelled"}


def test_outsiders_see_the_date_of_a_confidential_meeting_but_not_its_title(client, meeting):
    member = UserFactory()
    client.force_login(member)
    for url in (f"/meetings/{meeting.pk}/", f"/groups/{meeting.group.slug}/"):
        html = client.get(url).content.decode()
        assert TITLE not in html and AGENDA not in html
        assert "Unternehmensführung: Treffen" in html
        assert timezone.localtime(meeting.starts_at).strftime("%Y") in html
    client.logout()
    feed = _unfold(client.get(f"/groups/{meeting.group.slug}/calendar.ics").content.decode())
    assert TITLE not in feed and "DTSTART" in feed


def test_a_title_marked_public_is_shown_to_everyone(client, meeting):
    meeting.title_public = True
    meeting.save()
    assert TITLE in client.get(f"/groups/{meeting.group.slug}/").content.decode()
    feed = _unfold(client.get(f"/groups/{meeting.group.slug}/calendar.ics").content.decode())
    assert TITLE in feed and AGENDA not in feed


@pytest.mark.parametrize(
    "role, sees_agenda, sees_link",
    [
        ("anonymous", False, False),
        ("member of another organisation", False, False),
        ("pending follower", False, False),
        ("approved follower without a seat", True, False),
        ("moderator", True, True),
        ("office", True, True),
    ],
)
def test_every_role_sees_the_same_on_page_and_calendar(
    client, circle, meeting, office_user, role, sees_agenda, sees_link
):
    person = {
        "anonymous": None,
        "member of another organisation": UserFactory(),
        "pending follower": FollowFactory(group=circle, state="pending").user,
        "approved follower without a seat": FollowFactory(group=circle, state="active").user,
        "moderator": ModerationFactory(group=circle).user,
        "office": office_user,
    }[role]
    if person is not None:
        client.force_login(person)
    page = client.get(f"/meetings/{meeting.pk}/").content.decode()
    ics = _unfold(client.get(f"/meetings/{meeting.pk}/calendar.ics").content.decode())
    for text in (page, ics):
        assert (AGENDA in text) is sees_agenda, role
        assert (LINK in text) is sees_link, role
        assert (TITLE in text) is sees_agenda, role


def test_the_confirmation_email_follows_the_rule(
    circle, meeting, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        person = _follower_with_seat(circle, meeting)
    (message,) = [m for m in mail.outbox if m.to == [person.email]]
    body = message.body + "".join(str(a[1]) for a in message.attachments)
    assert TITLE in message.subject and AGENDA in _unfold(body) and LINK in body
