"""Contacts: people without a login are invited, counted and listed; they get a login by the
office's activation e-mail or by signing up with the same address (which takes the contact over);
they may object to e-mail; two records of one human are merged."""

import re
from urllib.parse import urlparse

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from mailings.models import OutboxMessage
from members import services
from members.models import AuditEvent, Consent, LinkRequest, User
from tests.conftest import deliver_outbox
from tests.members.factories import OrganizationFactory, UserFactory
from tests.workinggroups.factories import (
    FollowFactory,
    MeetingFactory,
    ModerationFactory,
    RegistrationFactory,
    WorkingGroupFactory,
)
from workinggroups import selectors as wg_selectors
from workinggroups.models import Follow, Registration
from workinggroups.selectors.invitations import Audience
from workinggroups.services import follow_add, registration_create
from workinggroups.services.invitations import campaign_start

pytestmark = pytest.mark.django_db
PASSWORD = "Lichtstrahl-2026!"


@pytest.fixture
def contact(office_user, organization):
    return services.contact_create(
        actor=office_user,
        email="gf@demo-photonics.example",
        first_name="Greta",
        last_name="Fuchs",
        title="Dr.",
        function="executive",
        organization=organization,
    )


def _link(message, pattern):
    return urlparse(re.search(pattern, message.body).group(0)).path


def test_a_contact_has_no_login_and_the_admin_says_so(staff_client, contact, member):
    assert not contact.has_usable_password() and contact.source == "office"
    page = staff_client.get("/admin/members/user/?login=contact").content.decode()
    assert contact.email in page and member.email not in page
    page = staff_client.get("/admin/members/user/").content.decode()
    assert "Nur Kontakt" in page and "Login, bestätigt" in page
    assert (
        Client().post("/accounts/login/", {"login": contact.email, "password": ""}).status_code
        == 200
    )


def test_contacts_follow_are_invited_registered_by_the_office_and_listed(
    contact, office_user, moderator, group, staff_client
):
    follow_add(group=group, person=contact, actor=office_user)
    meeting = MeetingFactory(group=group)
    campaign = campaign_start(meeting=meeting, actor=office_user, audience=Audience())
    assert campaign.recipients == 1
    deliver_outbox()
    (invitation,) = mail.outbox
    assert invitation.to == [contact.email]
    assert "/objection/" in invitation.body  # every e-mail to a contact says how to object
    # The office registers the contact.
    response = staff_client.post(
        "/admin/workinggroups/registration/add/",
        {"meeting": meeting.pk, "user": contact.pk, "mode": "on_site"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Registration.objects.get(user=contact, meeting=meeting).status == "confirmed"
    rows = wg_selectors.attendee_list(meeting)
    assert [r.email for r in rows] == [contact.email]


def test_a_contact_registers_through_the_invitation_after_setting_a_password(
    contact, office_user, group
):
    follow_add(group=group, person=contact, actor=office_user)
    meeting = MeetingFactory(group=group)
    campaign_start(meeting=meeting, actor=office_user, audience=Audience())
    deliver_outbox()
    register_path = _link(mail.outbox[0], r"https?://\S+/invitations/\S+/")
    browser = Client()
    page = browser.get(register_path)
    assert "Passwort" in page.content.decode()
    browser.post(register_path, {"action": "activate"})
    deliver_outbox()
    activation = mail.outbox[-1]
    welcome = _link(activation, r"https?://\S+/welcome/\S+")
    response = browser.post(
        welcome + "?next=" + register_path,
        {"password1": PASSWORD, "password2": PASSWORD, "privacy_consent": "on"},
    )
    assert response.status_code == 302 and response.url == register_path
    assert browser.post(register_path, {}).status_code == 302
    assert Registration.objects.get(user=contact, meeting=meeting).status == "confirmed"


def test_the_office_activation_email_gives_a_login(contact, staff_client):
    staff_client.post(
        "/admin/members/user/", {"action": "send_activation", "_selected_action": [contact.pk]}
    )
    deliver_outbox()
    (message,) = mail.outbox
    assert message.to == [contact.email] and "/objection/" in message.body
    assert OutboxMessage.objects.get(kind="members.activate_access").sensitive
    welcome = _link(message, r"https?://\S+/welcome/\S+/")
    browser = Client()
    page = browser.post(
        welcome, {"password1": PASSWORD, "password2": "other", "privacy_consent": ""}
    )
    assert page.status_code == 200 and {"password2", "privacy_consent"} <= set(
        page.context["form"].errors
    )
    response = browser.post(
        welcome, {"password1": PASSWORD, "password2": PASSWORD, "privacy_consent": "on"}
    )
    assert response.status_code == 302
    contact.refresh_from_db()
    assert contact.check_password(PASSWORD)
    assert EmailAddress.objects.get(user=contact).verified
    assert Consent.objects.filter(user=contact, kind="privacy_policy").exists()
    assert browser.get("/me/").status_code == 200
    # The link is used up with the password it set.
    assert Client().get(welcome).status_code == 410


def test_signing_up_with_a_contacts_address_takes_the_contact_over(contact, office_user, group):
    follow_add(group=group, person=contact, actor=office_user)
    meeting = MeetingFactory(group=group)
    registration_create(meeting=meeting, person=contact, actor=office_user)
    deliver_outbox()  # the office's registration was confirmed to the contact
    mail.outbox.clear()
    browser = Client()
    response = browser.post(
        "/accounts/signup/",
        {
            "email": contact.email.upper(),
            "password1": PASSWORD,
            "password2": PASSWORD,
            "first_name": "Greta",
            "last_name": "Fuchs-Neu",
            "organization_not_listed": "on",
            "organization_name": "Demo Photonics",
            "function": "executive",
            "language": "en",
            "privacy_consent": "on",
        },
    )
    assert response.status_code == 302  # looks like any sign-up: nothing is revealed
    assert User.objects.filter(email__iexact=contact.email).count() == 1
    deliver_outbox()
    (message,) = mail.outbox  # the claim link, not "an account already exists"
    claim_path = _link(message, r"https?://\S+/welcome/claim/\S+/")
    assert browser.get(claim_path).status_code == 200
    assert browser.post(claim_path).status_code == 302
    person = User.objects.get(pk=contact.pk)
    assert person.check_password(PASSWORD) and person.last_name == "Fuchs-Neu"
    assert person.language == "en" and person.organization == contact.organization
    assert Follow.objects.filter(user=person, group=group).exists()
    assert Registration.objects.get(user=person, meeting=meeting).status == "confirmed"
    assert EmailAddress.objects.get(user=person).verified
    assert not LinkRequest.objects.filter(user=person).exists()  # linked already
    assert AuditEvent.objects.filter(action="members.contact.claimed_by_signup").exists()
    assert browser.get("/me/").status_code == 200


def test_objecting_stops_all_but_the_legally_necessary_email(contact, office_user, group):
    from members.selectors import objection_url

    follow_add(group=group, person=contact, actor=office_user)
    path = urlparse(objection_url(contact)).path
    assert Client().get(path).status_code == 200
    contact.refresh_from_db()
    assert contact.objected_at is None  # a GET objects to nothing
    Client().post(path)
    contact.refresh_from_db()
    assert contact.objected_at is not None
    meeting = MeetingFactory(group=group)
    assert campaign_start(meeting=meeting, actor=office_user, audience=Audience()).recipients == 0
    assert not services.contact_send_activation(person=contact, actor=office_user)
    # What is legally necessary still goes: the confirmation of a registration.
    registration_create(meeting=meeting, person=contact, actor=office_user)
    deliver_outbox()
    assert [m.to for m in mail.outbox] == [[contact.email]]
    assert "/objection/" in mail.outbox[0].body  # it says how to object, too


def test_a_contact_accepts_the_privacy_policy_at_first_login(contact):
    contact.set_password(PASSWORD)
    contact.save()
    EmailAddress.objects.create(user=contact, email=contact.email, verified=True, primary=True)
    browser = Client()
    browser.post("/accounts/login/", {"login": contact.email, "password": PASSWORD})
    response = browser.get("/groups/")
    assert response.status_code == 302 and response.url.startswith("/me/privacy/")
    page = browser.post(response.url, {})
    assert page.status_code == 200 and "privacy_consent" in page.context["form"].errors
    done = browser.post(response.url, {"privacy_consent": "on"})
    assert done.status_code == 302 and done.url == "/groups/"
    assert browser.get("/groups/").status_code == 200


def test_merging_moves_every_relation_and_loses_nothing(office_user, staff_client):
    keep = UserFactory(email="greta@demo.example")
    duplicate = UserFactory(email="g.fuchs@demo.example", organization=keep.organization)
    duplicate.set_unusable_password()
    duplicate.is_main_contact = True
    duplicate.save()
    group_a, group_b = WorkingGroupFactory.create_batch(2)
    FollowFactory(user=keep, group=group_a, state="pending")
    FollowFactory(user=duplicate, group=group_a, state="active")
    FollowFactory(user=duplicate, group=group_b)
    ModerationFactory(user=duplicate, group=group_b)
    shared, own = MeetingFactory(capacity=5), MeetingFactory()
    RegistrationFactory(user=keep, meeting=shared, status="waitlisted")
    RegistrationFactory(user=duplicate, meeting=shared, status="confirmed")
    RegistrationFactory(user=duplicate, meeting=own)
    Consent.objects.create(user=duplicate, kind="attendee_list", version="x")
    keep.organization.survey_contact = duplicate
    keep.organization.save()
    services.audit_log(actor=duplicate, action="test.action", obj=duplicate)

    staff_client.post(
        "/admin/members/user/",
        {"action": "merge_two", "_selected_action": [keep.pk, duplicate.pk]},
    )
    response = staff_client.post(
        "/admin/members/user/",
        {
            "action": "merge_two",
            "_selected_action": [keep.pk, duplicate.pk],
            "keep": keep.pk,
            "confirm": "1",
        },
    )
    assert response.status_code == 302
    assert not User.objects.filter(pk=duplicate.pk).exists()
    keep.refresh_from_db()
    assert dict(Follow.objects.filter(user=keep).values_list("group", "state")) == {
        group_a.pk: "active",
        group_b.pk: "active",
    }
    assert keep.moderations.get().group == group_b
    statuses = dict(Registration.objects.filter(user=keep).values_list("meeting", "status"))
    assert statuses == {shared.pk: "confirmed", own.pk: "confirmed"}  # the better one stayed
    assert Registration.objects.filter(meeting=shared).count() == 1
    assert Consent.objects.filter(user=keep, kind="attendee_list").exists()
    assert set(EmailAddress.objects.filter(user=keep).values_list("email", flat=True)) == {
        keep.email,
        duplicate.email,
    }
    assert keep.is_main_contact
    keep.organization.refresh_from_db()
    assert keep.organization.survey_contact == keep
    assert AuditEvent.objects.filter(action="test.action", actor=keep).exists()
    merged = AuditEvent.objects.get(action="members.person.merged")
    assert merged.data["duplicate_id"] == duplicate.pk and merged.actor == office_user


def test_the_directory_is_for_members_and_shows_no_people(client, member, group):
    FollowFactory(user=member, group=group)
    OrganizationFactory(name="Ausgetreten GmbH", status="ended")
    assert client.get("/directory/").status_code == 302  # anonymous: log in first
    client.force_login(UserFactory(organization=None))
    assert client.get("/directory/").status_code == 403
    client.force_login(member)
    page = client.get("/directory/").content.decode()
    assert member.organization.name in page and group.name_de in page
    assert "Ausgetreten GmbH" not in page
    assert member.email not in page and member.last_name not in page
    found = client.get("/directory/?q=demo&city=jen").context["organizations"]
    assert [o.name for o in found] == [member.organization.name]


def test_the_directory_query_count_does_not_grow(client, member, group):
    FollowFactory(user=member, group=group)
    client.force_login(member)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/directory/").status_code == 200
        return len(ctx.captured_queries)

    small = count()
    for _ in range(15):
        FollowFactory(group=group, user=UserFactory(organization=OrganizationFactory()))
    assert count() == small
