"""Anonymous meeting and group pages come from the cache, and never show what has changed."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.members.factories import UserFactory
from tests.workinggroups.factories import (
    MeetingFactory,
    ModerationFactory,
    RegistrationFactory,
    WorkingGroupFactory,
)
from workinggroups import services
from workinggroups.models import Meeting

pytestmark = pytest.mark.django_db


@pytest.fixture
def meeting(db):
    group = WorkingGroupFactory(slug="laser", name_de="Arbeitskreis Laser", name_en="Lasers")
    return MeetingFactory(
        group=group, title="Ultrakurzpuls", capacity=3, starts_at=timezone.now() + timedelta(7)
    )


def _get(client, url, language="de"):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return response, len(queries.captured_queries)


@pytest.mark.parametrize("url", ["/meetings/{pk}/", "/groups/laser/", "/groups/"])
def test_a_second_anonymous_visit_is_served_without_a_query(meeting, url):
    url = url.format(pk=meeting.pk)
    first, first_queries = _get(Client(), url)
    second, second_queries = _get(Client(), url)

    assert first["X-Page-Cache"] == "miss" and first_queries > 0
    assert second["X-Page-Cache"] == "hit" and second_queries == 0
    assert second.content == first.content
    # The middleware still answers around the stored page: language and security headers.
    assert second["Content-Language"] == "de"
    assert "Content-Security-Policy" in second


def test_each_language_has_its_own_page(meeting):
    _get(Client(), "/groups/laser/", "de")
    german, _ = _get(Client(), "/groups/laser/", "de")
    english, _ = _get(Client(), "/groups/laser/", "en")

    assert "Arbeitskreis Laser" in german.content.decode()
    assert english["X-Page-Cache"] == "miss"
    assert "Lasers" in english.content.decode()


def test_a_registration_retires_the_page_so_that_no_gone_seat_is_promised(meeting):
    url = f"/meetings/{meeting.pk}/"
    before, _ = _get(Client(), url)
    assert "3 von 3 Plätzen frei" in before.content.decode()

    services.registration_create(meeting=meeting, person=UserFactory())

    after, _ = _get(Client(), url)
    assert after["X-Page-Cache"] == "miss"
    assert "2 von 3 Plätzen frei" in after.content.decode()
    group_page, _ = _get(Client(), "/groups/laser/")
    assert group_page["X-Page-Cache"] == "miss"


def test_an_edit_of_the_meeting_and_a_bulk_update_retire_the_page(meeting):
    url = f"/meetings/{meeting.pk}/"
    _get(Client(), url)
    meeting.title = "Femtosekunden"
    meeting.save()
    assert "Femtosekunden" in _get(Client(), url)[0].content.decode()

    RegistrationFactory(meeting=meeting, user=UserFactory())
    _get(Client(), url)
    services.registrations_anonymise_before(cutoff=timezone.now() + timedelta(days=30))
    assert _get(Client(), url)[0]["X-Page-Cache"] == "miss"


def test_a_moderators_new_name_shows_at_once_but_a_login_keeps_the_pages(meeting):
    moderator = ModerationFactory(
        group=meeting.group, user=UserFactory(first_name="Mara", last_name="Alt")
    ).user
    _get(Client(), "/groups/laser/")
    moderator.last_name = "Neu"
    moderator.save()
    page, _ = _get(Client(), "/groups/laser/")
    assert page["X-Page-Cache"] == "miss"

    moderator.last_login = timezone.now()
    moderator.save(update_fields=["last_login"])
    assert _get(Client(), "/groups/laser/")[0]["X-Page-Cache"] == "hit"


def test_a_logged_in_person_always_gets_their_own_page(meeting, member):
    url = f"/meetings/{meeting.pk}/"
    _get(Client(), url)
    RegistrationFactory(meeting=meeting, user=member)
    client = Client()
    client.force_login(member)

    response, _ = _get(client, url)

    assert "X-Page-Cache" not in response
    assert "Abmelden" in response.content.decode()
    assert Meeting.objects.get(pk=meeting.pk).registrations.filter(user=member).exists()


def test_visitors_with_a_session_or_a_message_are_not_served_from_the_cache(meeting):
    url = f"/meetings/{meeting.pk}/"
    _get(Client(), url)
    with_session = Client()
    with_session.cookies[settings.SESSION_COOKIE_NAME] = "expired-or-anonymous"
    with_message = Client()
    with_message.cookies["messages"] = "something to tell"

    assert "X-Page-Cache" not in _get(with_session, url)[0]
    assert "X-Page-Cache" not in _get(with_message, url)[0]
    # A query string (a campaign's tracking, ?next=) is rendered, not looked up.
    assert "X-Page-Cache" not in _get(Client(), url + "?utm_source=mail")[0]


def test_a_page_that_used_a_csrf_token_is_not_stored(rf):
    from django.contrib.auth.models import AnonymousUser
    from django.http import HttpResponse
    from django.middleware.csrf import get_token

    from optonet.page_cache import cached_for_anonymous

    calls = []

    @cached_for_anonymous
    def view(request):
        calls.append(1)
        return HttpResponse(get_token(request))

    for _ in range(2):
        request = rf.get("/with-a-form/")
        request.user = AnonymousUser()
        request.LANGUAGE_CODE = "de"
        view(request)

    assert len(calls) == 2
