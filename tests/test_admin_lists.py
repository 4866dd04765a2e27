"""The office's admin lists: a fixed number of queries however many rows they show."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from members.models import LinkRequest
from tests.members.factories import OrganizationDomainFactory, OrganizationFactory, UserFactory
from tests.workinggroups.factories import (
    FollowFactory,
    MeetingFactory,
    ModerationFactory,
    RegistrationFactory,
)
from workinggroups.selectors.invitations import Audience
from workinggroups.services.invitations import campaign_start

pytestmark = pytest.mark.django_db

LISTS = [
    "/admin/members/user/",
    "/admin/members/organization/",
    "/admin/members/linkrequest/",
    "/admin/members/officecontact/",
    "/admin/members/auditevent/",
    "/admin/workinggroups/workinggroup/",
    "/admin/workinggroups/meeting/",
    "/admin/workinggroups/registration/",
    "/admin/workinggroups/follow/",
    "/admin/workinggroups/campaign/",
    "/admin/mailings/outboxmessage/",
    "/admin/mailings/suppression/",
]


def _add_rows(count):
    for _ in range(count):
        organization = OrganizationFactory()
        OrganizationDomainFactory(organization=organization)
        person = UserFactory(organization=organization)
        LinkRequest.objects.create(user=UserFactory(organization=None), organization=organization)
        meeting = MeetingFactory()
        ModerationFactory(group=meeting.group)
        RegistrationFactory(meeting=meeting, user=person)
        RegistrationFactory(meeting=meeting, status="waitlisted")
        FollowFactory(group=meeting.group, user=person)
        campaign_start(meeting=meeting, actor=UserFactory(is_staff=True), audience=Audience())


@pytest.mark.parametrize("url", LISTS)
def test_admin_list_query_count_does_not_grow_with_rows(staff_client, url):
    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert staff_client.get(url).status_code == 200
        return len(ctx.captured_queries)

    _add_rows(2)
    count()  # warm-up: one-time queries (content types, session)
    small = count()
    _add_rows(15)
    assert count() == small, url


@pytest.mark.parametrize(
    "url",
    [
        "/admin/workinggroups/meeting/{meeting}/change/",
        "/admin/members/organization/{organization}/change/",
    ],
)
def test_admin_change_pages_do_not_query_per_inline_row(staff_client, url):
    meeting = MeetingFactory(capacity=2)
    organization = OrganizationFactory()

    def count():
        target = url.format(meeting=meeting.pk, organization=organization.pk)
        with CaptureQueriesContext(connection) as ctx:
            assert staff_client.get(target).status_code == 200
        return len(ctx.captured_queries)

    RegistrationFactory(meeting=meeting, user=UserFactory(organization=organization))
    count()  # warm-up: one-time queries (content types, session)
    small = count()
    for _ in range(10):
        RegistrationFactory(
            meeting=meeting, status="waitlisted", user=UserFactory(organization=organization)
        )
    assert count() == small
