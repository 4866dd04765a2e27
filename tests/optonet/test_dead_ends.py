"""No dead ends: a GET to an action's address (where the login redirect lands when the session
ran out, a reload, a copied link) leads to the page with the action's button and says so;
other methods get the 405 page in the portal's layout, never an empty answer."""

import pytest
from django.contrib.messages import get_messages
from django.test import Client

from members.models import LinkRequest
from tests.members.factories import UserFactory
from tests.workinggroups.factories import (
    FollowFactory,
    MeetingFactory,
    ModerationFactory,
    RegistrationFactory,
    WorkingGroupFactory,
)
from workinggroups.models import Follow, Registration

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(member):
    group = WorkingGroupFactory(slug="optik")
    meeting = MeetingFactory(group=group)
    RegistrationFactory(meeting=meeting, user=member)
    other = MeetingFactory(group=group)
    member.is_organization_coordinator = True
    member.save()
    ModerationFactory(group=group, user=member)
    pending = FollowFactory(group=group, state="pending")
    link_request = LinkRequest.objects.create(
        user=UserFactory(organization=None), organization=member.organization
    )
    return {
        "meeting": meeting,
        "other": other,
        "pending": pending,
        "link_request": link_request,
    }


def _actions(world):
    """(action address, page with its button, what the person is told there)"""
    meeting, other = world["meeting"], world["other"]
    return [
        (
            f"/meetings/{other.pk}/register/",
            f"/meetings/{other.pk}/",
            "Bitte bestätigen Sie Ihre Anmeldung mit der Schaltfläche auf dieser Seite.",
        ),
        (
            f"/meetings/{meeting.pk}/registration/",
            f"/meetings/{meeting.pk}/",
            "Um Ihre Anmeldung zu ändern, nutzen Sie bitte das Formular auf dieser Seite.",
        ),
        (
            "/groups/optik/follow/",
            "/groups/optik/",
            "Um diesem Arbeitskreis zu folgen, nutzen Sie bitte die Schaltfläche auf dieser Seite.",
        ),
        (
            "/groups/optik/unfollow/",
            "/groups/optik/",
            "Um diesem Arbeitskreis nicht mehr zu folgen, nutzen Sie bitte die Schaltfläche auf "
            "dieser Seite.",
        ),
        (
            "/me/meetings/calendar/renew/",
            "/me/meetings/",
            "Um Ihre Kalenderadresse zu erneuern, nutzen Sie bitte die Schaltfläche auf dieser "
            "Seite.",
        ),
        (
            "/me/link/",
            "/me/",
            "Um die Verknüpfung mit Ihrer Organisation anzufragen, nutzen Sie bitte das Formular "
            "auf dieser Seite.",
        ),
        (
            f"/me/organisation/requests/{world['link_request'].pk}/",
            "/me/organisation/",
            "Bitte entscheiden Sie über die Anfrage mit den Schaltflächen auf dieser Seite.",
        ),
        (
            f"/workspace/follows/{world['pending'].pk}/",
            "/workspace/",
            "Es wurde noch nichts geändert: Bitte nutzen Sie das Formular auf dieser Seite.",
        ),
    ]


def test_a_get_to_an_action_leads_to_its_page_with_a_message_and_changes_nothing(
    client, member, world
):
    client.force_login(member)
    calendar_token = "x" * 43
    member.calendar_token = calendar_token
    member.save()
    for action, page, message in _actions(world):
        response = client.get(action, follow=True)
        assert response.redirect_chain == [(page, 302)], action
        assert response.status_code == 200, action
        assert message in [str(m) for m in response.context["messages"]], action
        assert message in response.content.decode(), action
    member.refresh_from_db()
    assert member.calendar_token == calendar_token
    assert not world["other"].registrations.exists()
    assert Follow.objects.get(pk=world["pending"].pk).state == "pending"
    assert LinkRequest.objects.get(pk=world["link_request"].pk).state == "pending"
    assert not Follow.objects.filter(user=member).exists()


def test_head_is_redirected_without_leaving_a_message_for_later(client, member, world):
    client.force_login(member)
    for action, page, _message in _actions(world):
        response = client.head(action)
        assert response.status_code == 302 and response.url == page, action
        assert not list(get_messages(response.wsgi_request)), action


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_other_methods_get_the_405_page_in_the_portals_layout(client, member, world, method):
    client.force_login(member)
    for action, _page, _message in _actions(world):
        response = getattr(client, method)(action)
        assert response.status_code == 405, action
        assert response["Allow"] == "POST"
        html = response.content.decode()
        assert '<html lang="de"' in html and "Arbeitskreise" in html, action
        assert "Diese Adresse lässt sich so nicht öffnen" in html
    assert not world["other"].registrations.exists()


def test_the_405_page_in_english(client, member, world):
    client.force_login(member)
    client.cookies["optonet_language"] = "en"
    html = client.put(f"/meetings/{world['other'].pk}/register/").content.decode()
    assert '<html lang="en"' in html and "This address cannot be opened like this" in html


def test_posts_still_do_what_the_button_does(client, member, world):
    client.force_login(member)
    other = world["other"]
    response = client.post(f"/meetings/{other.pk}/register/", {})
    assert response.status_code == 302 and response.url == f"/meetings/{other.pk}/"
    assert other.registrations.get().status == Registration.Status.CONFIRMED


def test_session_ran_out_register_leads_to_the_meeting_page_after_login(member):
    """The member pressed "Register" after their session had expired: log in, then the
    meeting page, with the message, and no registration made behind their back."""
    meeting = MeetingFactory()
    client = Client()
    response = client.post(f"/meetings/{meeting.pk}/register/", {"list_consent": "on"})
    assert response.status_code == 302
    login_url = response.url
    assert login_url.startswith("/accounts/login/")
    assert f"next=/meetings/{meeting.pk}/register/" in login_url.replace("%2F", "/")
    response = client.post(
        login_url,
        {"login": member.email, "password": "correct horse battery"},
        follow=True,
    )
    assert response.redirect_chain[-2:] == [
        (f"/meetings/{meeting.pk}/register/", 302),
        (f"/meetings/{meeting.pk}/", 302),
    ]
    html = response.content.decode()
    assert "Bitte bestätigen Sie Ihre Anmeldung mit der Schaltfläche auf dieser Seite." in html
    assert f'action="/meetings/{meeting.pk}/register/"' in html
    assert not meeting.registrations.exists()


def test_a_visitor_is_asked_to_log_in_first(client):
    meeting = MeetingFactory()
    response = client.get(f"/meetings/{meeting.pk}/register/")
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")
    assert not list(get_messages(response.wsgi_request))


def test_remaining_empty_405_answers_get_the_page_once_the_middleware_is_registered(
    client, member, settings
):
    """Django's `require_*` decorators and class-based views answer with an empty 405; the
    middleware gives them the portal's page and keeps their Allow header."""
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, "optonet.http.MethodNotAllowedPageMiddleware"]
    client.force_login(member)
    response = client.post("/reports/2025/report-de.pdf")
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"
    html = response.content.decode()
    assert '<html lang="de"' in html and "Diese Adresse lässt sich so nicht öffnen" in html


def test_healthz_refuses_other_methods_with_the_page(client):
    response = client.post("/healthz")
    assert response.status_code == 405 and "Arbeitskreise" in response.content.decode()
