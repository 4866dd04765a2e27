"""The logged-in meeting page, the page of the busiest minute: at most six queries, session
included, whoever reads it (issue 13's target)."""

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

pytestmark = pytest.mark.django_db

MAX_QUERIES = 6


@pytest.fixture
def meeting(member):
    group = WorkingGroupFactory(slug="laser")
    meeting = MeetingFactory(
        group=group, capacity=30, format="hybrid", starts_at=timezone.now() + timedelta(days=7)
    )
    FollowFactory(group=group, user=member)
    for _ in range(12):
        RegistrationFactory(meeting=meeting, user=UserFactory(), list_consent=True)
    return meeting


def _queries(client, url) -> list[str]:
    client.get(url)  # the first visit fills the session cache, as any earlier page would
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return [query["sql"] for query in queries.captured_queries]


@pytest.mark.parametrize("role", ["registered member", "member without seat", "moderator"])
def test_the_logged_in_meeting_page_needs_at_most_six_queries(client, member, meeting, role):
    if role == "registered member":
        RegistrationFactory(meeting=meeting, user=member, list_consent=True)
        person = member
    elif role == "member without seat":
        person = member
    else:
        person = ModerationFactory(group=meeting.group).user
    client.force_login(person)

    sql = _queries(client, f"/meetings/{meeting.pk}/")

    assert len(sql) <= MAX_QUERIES, "\n".join(sql)
    assert not any("django_session" in statement for statement in sql), "session not cached"
