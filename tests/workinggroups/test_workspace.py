"""The moderators' workspace: the meetings list, attendance, minutes and documents, overview."""

from datetime import datetime, timedelta

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.members.factories import OrganizationFactory, UserFactory
from tests.workinggroups.factories import (
    FollowFactory,
    MeetingFactory,
    ModerationFactory,
    RegistrationFactory,
)
from workinggroups.models import MeetingDocument, Registration

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def past_meeting(group):
    return MeetingFactory(
        group=group, title="Rückblick Recruiting", starts_at=timezone.now() - timedelta(days=2)
    )


def test_workspace_lists_only_the_moderators_groups(moderator_client, group):
    mine = MeetingFactory(group=group, title="Mein Treffen")
    other = MeetingFactory(title="Fremdes Treffen")
    html = moderator_client.get("/workspace/").content.decode()
    assert mine.title in html and other.title not in html
    assert f"/meetings/{mine.pk}/attendees.csv" in html


def test_workspace_is_closed_to_members_and_open_to_staff(client, member, office_user):
    client.force_login(member)
    assert client.get("/workspace/").status_code == 403
    client.force_login(office_user)
    assert client.get("/workspace/").status_code == 200


def test_workspace_query_count_does_not_grow(moderator_client, group):
    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert moderator_client.get("/workspace/").status_code == 200
        return len(ctx.captured_queries)

    RegistrationFactory(meeting=MeetingFactory(group=group))
    small = count()
    for _ in range(8):
        RegistrationFactory.create_batch(3, meeting=MeetingFactory(group=group))
    assert count() == small


def test_moderator_records_attendance(moderator_client, past_meeting):
    present, excused = RegistrationFactory.create_batch(2, meeting=past_meeting)
    waiting = RegistrationFactory(meeting=past_meeting, status="waitlisted")
    response = moderator_client.post(
        f"/workspace/meetings/{past_meeting.pk}/",
        {
            "action": "attendance",
            f"attendance-{present.pk}": "attended",
            f"attendance-{excused.pk}": "excused",
            f"attendance-{waiting.pk}": "attended",  # not confirmed: ignored
        },
    )
    assert response.status_code == 302
    values = dict(Registration.objects.values_list("pk", "attendance"))
    assert values == {present.pk: "attended", excused.pk: "excused", waiting.pk: ""}


def test_attendance_of_another_groups_meeting_cannot_be_recorded(moderator_client):
    foreign = RegistrationFactory(meeting=MeetingFactory())
    response = moderator_client.post(
        f"/workspace/meetings/{foreign.meeting_id}/",
        {
            "action": "attendance",
            f"attendance-{foreign.pk}": "absent",
        },
    )
    assert response.status_code == 403
    foreign.refresh_from_db()
    assert foreign.attendance == ""


def test_invalid_attendance_value_changes_nothing(moderator_client, past_meeting):
    registration = RegistrationFactory(meeting=past_meeting)
    moderator_client.post(
        f"/workspace/meetings/{past_meeting.pk}/",
        {
            "action": "attendance",
            f"attendance-{registration.pk}": "teleported",
        },
    )
    registration.refresh_from_db()
    assert registration.attendance == ""


def test_upload_document_and_followers_may_download_it(moderator_client, client, past_meeting):
    response = moderator_client.post(
        f"/workspace/meetings/{past_meeting.pk}/",
        {
            "action": "upload",
            "title": "Protokoll",
            "file": SimpleUploadedFile("protokoll.pdf", PDF, content_type="application/pdf"),
        },
    )
    assert response.status_code == 302
    document = MeetingDocument.objects.get()
    assert document.title == "Protokoll" and document.size == len(PDF)
    path = document.file.path
    assert str(django_settings.MEDIA_ROOT) in path and "static" not in path
    assert "protokoll" not in document.file.name  # stored under a random name
    url = f"/meetings/{past_meeting.pk}/documents/{document.pk}/"

    follower = FollowFactory(group=past_meeting.group).user
    client.force_login(follower)
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert "protokoll.pdf" in response["Content-Disposition"]

    client.force_login(UserFactory())  # a member who does not follow the group
    assert client.get(url).status_code == 403
    client.logout()
    assert client.get(url).status_code == 302
    # The meeting page shows the document to the follower only.
    client.force_login(follower)
    assert "Protokoll" in client.get(f"/meetings/{past_meeting.pk}/").content.decode()
    client.logout()
    assert "Protokoll" not in client.get(f"/meetings/{past_meeting.pk}/").content.decode()


@pytest.mark.parametrize(
    "name, content, reason",
    [
        ("tool.exe", b"MZ\x90\x00", "file_type"),
        ("fake.pdf", b"<html>not a pdf</html>", "file_content"),
        ("slides.pptx", b"%PDF-1.4 pretending", "file_content"),
    ],
)
def test_bad_uploads_are_refused_with_a_message_next_to_the_field(
    moderator_client, past_meeting, name, content, reason
):
    response = moderator_client.post(
        f"/workspace/meetings/{past_meeting.pk}/",
        {
            "action": "upload",
            "title": "x",
            "file": SimpleUploadedFile(name, content),
        },
    )
    assert response.status_code == 200
    assert "file" in response.context["document_form"].errors
    assert not MeetingDocument.objects.exists()


def test_too_large_upload_is_refused(moderator_client, past_meeting, monkeypatch):
    from workinggroups.services import documents as services

    monkeypatch.setattr(services, "DOCUMENT_MAX_BYTES", len(PDF) - 1)
    response = moderator_client.post(
        f"/workspace/meetings/{past_meeting.pk}/",
        {
            "action": "upload",
            "title": "x",
            "file": SimpleUploadedFile("a.pdf", PDF),
        },
    )
    assert "file" in response.context["document_form"].errors
    assert not MeetingDocument.objects.exists()


def test_summary_is_saved_and_shown_to_followers(moderator_client, client, past_meeting):
    moderator_client.post(
        f"/workspace/meetings/{past_meeting.pk}/",
        {
            "action": "summary",
            "results_summary": "Leitfaden Onboarding wird erstellt.",
        },
    )
    past_meeting.refresh_from_db()
    assert past_meeting.results_summary == "Leitfaden Onboarding wird erstellt."
    client.force_login(FollowFactory(group=past_meeting.group).user)
    assert "Leitfaden Onboarding" in client.get(f"/meetings/{past_meeting.pk}/").content.decode()
    client.force_login(UserFactory())
    assert (
        "Leitfaden Onboarding" not in client.get(f"/meetings/{past_meeting.pk}/").content.decode()
    )


def test_yearly_overview_counts_meetings_attendance_and_organisations(moderator_client, group):
    # Last year: always complete and in the past, whatever day the suite runs.
    year = timezone.localdate().year - 1
    start = timezone.make_aware(datetime(year, 6, 10, 14, 0))
    first = MeetingFactory(group=group, starts_at=start)
    second = MeetingFactory(group=group, starts_at=start + timedelta(hours=5))
    org_a, org_b = OrganizationFactory.create_batch(2)
    RegistrationFactory(meeting=first, attendance="attended", user=UserFactory(organization=org_a))
    RegistrationFactory(meeting=first, attendance="attended", user=UserFactory(organization=org_b))
    RegistrationFactory(meeting=first, attendance="absent")
    RegistrationFactory(meeting=first, attendance="excused")
    RegistrationFactory(meeting=second)  # attendance not recorded: not in the rate
    MeetingFactory(group=group, starts_at=start, status="cancelled")
    response = moderator_client.get(f"/workspace/groups/{group.slug}/overview/?year={year}")
    overview = response.context["overview"]
    assert overview.meetings_held == 2
    assert overview.registrations == 5
    assert overview.attended == 2
    assert overview.attendance_rate == 0.5
    assert overview.organizations_represented == 2


def test_yearly_overview_is_for_the_groups_moderators_and_staff_only(client, group):
    client.force_login(ModerationFactory().user)
    assert client.get(f"/workspace/groups/{group.slug}/overview/").status_code == 403


def test_admin_meeting_list_shows_attendance_counts(staff_client, past_meeting):
    RegistrationFactory.create_batch(2, meeting=past_meeting, attendance="attended")
    response = staff_client.get("/admin/workinggroups/meeting/")
    meeting = next(m for m in response.context["cl"].result_list if m.pk == past_meeting.pk)
    assert meeting.attended_total == 2


def test_moderator_approves_and_declines_requests_to_join_their_group(moderator_client, group):
    waiting, declined = FollowFactory.create_batch(2, group=group, state="pending")
    page = moderator_client.get("/workspace/").content.decode()
    assert waiting.user.last_name in page and declined.user.last_name in page
    moderator_client.post(f"/workspace/follows/{waiting.pk}/", {"decision": "approve"})
    moderator_client.post(f"/workspace/follows/{declined.pk}/", {"decision": "reject"})
    waiting.refresh_from_db()
    assert waiting.state == "active"
    assert not type(declined).objects.filter(pk=declined.pk).exists()


def test_moderator_cannot_decide_requests_of_another_group(moderator_client):
    foreign = FollowFactory(state="pending")
    response = moderator_client.post(f"/workspace/follows/{foreign.pk}/", {"decision": "approve"})
    assert response.status_code == 403
    foreign.refresh_from_db()
    assert foreign.state == "pending"
