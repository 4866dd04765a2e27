"""Invitation campaigns from the admin, the invitation e-mail in German and English, its
calendar file, the one-click register link and the one-click unsubscribe."""

import re
from datetime import timedelta
from urllib.parse import urlparse

import pytest
from django.utils import timezone
from icalendar import Calendar

from mailings.models import OutboxMessage, Suppression, address_hash
from mailings.models import OutboxMessage as Message
from tests.conftest import deliver_outbox
from tests.members.factories import OrganizationFactory, UserFactory
from tests.workinggroups.factories import (
    FollowFactory,
    MeetingFactory,
    ModerationFactory,
    WorkingGroupFactory,
)
from workinggroups.emails import register_token
from workinggroups.models import Campaign, Follow, Registration
from workinggroups.selectors.invitations import Audience
from workinggroups.services.invitations import campaign_start

pytestmark = pytest.mark.django_db


@pytest.fixture
def meeting(group):
    ModerationFactory(group=group, user=UserFactory(first_name="Beate", last_name="Hager"))
    return MeetingFactory(
        group=group,
        title="Fachkräfte aus dem Ausland",
        description="1. Erfahrungen\n2. Visa-Verfahren",
        starts_at=timezone.make_aware(timezone.datetime(2027, 3, 10, 14, 0)),
        ends_at=timezone.make_aware(timezone.datetime(2027, 3, 10, 17, 0)),
        registration_deadline=timezone.make_aware(timezone.datetime(2027, 3, 3, 12, 0)),
    )


def _links(message) -> dict[str, str]:
    text = message.get_body(("plain",)).get_content()
    return {
        "register": re.search(r"https?://\S+/invitations/\S+/", text).group(0),
        "unsubscribe": re.search(r"https?://\S+/unsubscribe/\S+/", text).group(0),
    }


def _path(url: str) -> str:
    return urlparse(url).path


def test_office_invites_the_followers_from_the_admin_and_sees_the_campaign(
    staff_client, meeting, smtp_server
):
    followers = [FollowFactory(group=meeting.group).user for _ in range(4)]
    FollowFactory(group=meeting.group, state="pending")  # not (yet) a follower
    response = staff_client.post(
        "/admin/workinggroups/meeting/",
        {"action": "send_invitations", "_selected_action": [meeting.pk]},
    )
    assert response.status_code == 302
    page = staff_client.get(response.url)
    html = page.content.decode()
    assert page.context["recipients"] == 4
    assert "Einladung: Fachkräfte aus dem Ausland" in html  # German preview
    assert "Invitation: Fachkräfte aus dem Ausland" in html  # English preview
    assert not OutboxMessage.objects.exists()  # showing the page sends nothing

    response = staff_client.post(response.url, {"followers": "on", "confirm": "1"})
    campaign = Campaign.objects.get()
    assert response.status_code == 302
    assert response.url == f"/admin/workinggroups/campaign/{campaign.pk}/change/"
    assert campaign.recipients == 4 and campaign.created_by is not None
    progress = staff_client.get(response.url)
    assert progress.context["campaign_report"].running
    assert 'http-equiv="refresh"' in progress.content.decode()

    deliver_outbox()
    assert sorted(a for a, _m in smtp_server.messages) == sorted(p.email for p in followers)
    done = staff_client.get(response.url)
    assert not done.context["campaign_report"].running
    assert done.context["campaign_report"].progress["sent"] == 4


def test_starting_again_invites_only_the_new_followers(meeting, office_user, smtp_server):
    FollowFactory.create_batch(5, group=meeting.group)
    campaign_start(meeting=meeting, actor=office_user, audience=Audience())
    deliver_outbox()
    assert smtp_server.count() == 5
    again = campaign_start(meeting=meeting, actor=office_user, audience=Audience())
    deliver_outbox()
    assert again.recipients == 0 and smtp_server.count() == 5
    FollowFactory.create_batch(3, group=meeting.group)
    third = campaign_start(meeting=meeting, actor=office_user, audience=Audience())
    deliver_outbox()
    assert third.recipients == 3 and smtp_server.count() == 8
    assert Message.objects.filter(kind="workinggroups.invitation").count() == 8


def test_people_of_member_organisations_with_a_function_can_be_invited_too(meeting, office_user):
    hr_manager = UserFactory(function="hr")
    UserFactory(function="hr", organization=OrganizationFactory(status="ended"))
    UserFactory(function="sales")
    follower = FollowFactory(group=meeting.group).user
    campaign = campaign_start(
        meeting=meeting, actor=office_user, audience=Audience(followers=True, functions=("hr",))
    )
    invited = set(Message.objects.filter(batch=campaign.batch).values_list("recipient", flat=True))
    assert invited == {hr_manager.pk, follower.pk}


def test_a_confidential_circle_invites_only_its_approved_followers(office_user, smtp_server):
    circle = WorkingGroupFactory(confidential=True, join_policy="approval")
    meeting = MeetingFactory(group=circle, title="Vertrauliche Runde", description="Nachfolge")
    approved = FollowFactory(group=circle).user
    FollowFactory(group=circle, state="pending")
    outsider = UserFactory(function="executive")
    campaign = campaign_start(
        meeting=meeting, actor=office_user, audience=Audience(functions=("executive",))
    )
    assert campaign.recipients == 1
    deliver_outbox()
    (message,) = smtp_server.received_by(approved.email)
    assert "Nachfolge" in message.get_body(("plain",)).get_content()
    assert smtp_server.received_by(outsider.email) == []


def test_nobody_who_objected_is_invited(meeting, office_user, smtp_server):
    objecting = FollowFactory(group=meeting.group).user
    Suppression.objects.create(address_hash=address_hash(objecting.email))
    other = FollowFactory(group=meeting.group).user
    campaign_start(meeting=meeting, actor=office_user, audience=Audience())
    deliver_outbox()
    assert smtp_server.received_by(objecting.email) == []
    assert len(smtp_server.received_by(other.email)) == 1


@pytest.mark.parametrize(
    "language, expected",
    [
        (
            "de",
            [
                "Guten Tag Dr. Erika Müller,",
                "Mittwoch, 10. März 2027",
                "14:00–17:00 Uhr",
                "Visa-Verfahren",
                "Beate Hager",
                "Jetzt anmelden",
            ],
        ),
        (
            "en",
            [
                "Dear Dr. Erika Müller,",
                "Wednesday, March 10, 2027",
                "14:00–17:00",
                "Visa-Verfahren",
                "Beate Hager",
                "Register now",
            ],
        ),
    ],
)
def test_the_invitation_in_the_recipients_language(
    meeting, office_user, smtp_server, language, expected
):
    person = UserFactory(title="Dr.", first_name="Erika", last_name="Müller", language=language)
    FollowFactory(group=meeting.group, user=person)
    campaign_start(meeting=meeting, actor=office_user, audience=Audience())
    deliver_outbox()
    (message,) = smtp_server.received_by(person.email)
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    for fragment in expected:
        assert fragment in text, fragment
    assert "Erika Müller" in html and "Visa-Verfahren" in html
    assert meeting.group.office_contact.name in text
    assert message["From"].addresses[0].display_name == "OptoNet-Mitgliederportal"
    # The calendar file: an iTIP request with the meeting's own UID and time.
    (ics_part,) = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    calendar = Calendar.from_ical(ics_part.get_payload(decode=True))
    assert str(calendar["METHOD"]) == "REQUEST"
    (event,) = calendar.walk("VEVENT")
    assert str(event["UID"]) == f"meeting-{meeting.pk}@portal.optonet"
    assert event.decoded("DTSTART") == meeting.starts_at
    assert str(event["ATTENDEE"]) == f"mailto:{person.email}"
    assert event["ATTENDEE"].params["CN"] == "Dr. Erika Müller"


def test_the_register_link_confirms_before_it_registers(client, meeting, office_user, smtp_server):
    person = FollowFactory(group=meeting.group).user
    campaign_start(meeting=meeting, actor=office_user, audience=Audience())
    deliver_outbox()
    link = _path(_links(smtp_server.received_by(person.email)[0])["register"])

    # Not logged in: log in first, then back to the confirmation page.
    response = client.get(link)
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")
    client.force_login(person)
    page = client.get(link)
    assert page.status_code == 200 and "Fachkräfte aus dem Ausland" in page.content.decode()
    assert not Registration.objects.exists()  # a GET never registers

    response = client.post(link, {})
    assert response.status_code == 302 and response.url == meeting.get_absolute_url()
    assert Registration.objects.get(user=person, meeting=meeting).status == "confirmed"

    # Reused: a clear page, nothing changes.
    again = client.post(link, {})
    assert again.status_code == 200
    assert "bereits verwendet" in again.content.decode() or "used" in again.content.decode()
    assert Registration.objects.count() == 1


def test_a_link_for_someone_else_a_forged_and_an_expired_link_register_nobody(
    client, meeting, office_user
):
    person = FollowFactory(group=meeting.group).user
    campaign_start(meeting=meeting, actor=office_user, audience=Audience())
    token = register_token(meeting.pk, person.pk)

    client.force_login(UserFactory())
    other = client.post(f"/invitations/{token}/", {})
    assert other.status_code == 403 and "jemand anderen" in other.content.decode()

    client.force_login(person)
    forged = client.post(f"/invitations/{token[:-3]}abc/", {})
    assert forged.status_code == 404
    unknown_meeting = register_token(meeting.pk + 1000, person.pk)
    assert client.get(f"/invitations/{unknown_meeting}/").status_code == 404

    meeting.registration_deadline = timezone.now() - timedelta(minutes=1)
    meeting.save()
    expired = client.post(f"/invitations/{token}/", {})
    assert expired.status_code == 410
    assert not Registration.objects.exists()


def test_one_click_unsubscribe_stops_following(client, meeting, office_user, smtp_server):
    person = FollowFactory(group=meeting.group).user
    campaign_start(meeting=meeting, actor=office_user, audience=Audience())
    deliver_outbox()
    message = smtp_server.received_by(person.email)[0]
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = message["List-Unsubscribe"].strip().strip("<>")
    assert url == _links(message)["unsubscribe"]
    # The mail program posts without a page and without a CSRF token (RFC 8058).
    from django.test import Client

    mail_program = Client(enforce_csrf_checks=True)
    assert mail_program.get(_path(url)).status_code == 200
    assert Follow.objects.filter(user=person).exists()  # a GET changes nothing
    response = mail_program.post(_path(url), {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert not Follow.objects.filter(user=person, group=meeting.group).exists()


def test_drafts_and_closed_meetings_cannot_be_sent(meeting, office_user):
    from django.core.exceptions import ValidationError

    meeting.status = "draft"
    meeting.save()
    with pytest.raises(ValidationError):
        campaign_start(meeting=meeting, actor=office_user, audience=Audience())
    assert not Campaign.objects.exists()
