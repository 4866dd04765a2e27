"""Sign-in sheets too long for a request are rendered by a worker and downloaded afterwards."""

import io
from datetime import timedelta

import pytest
from django.utils import timezone
from pypdf import PdfReader

from members.models import AuditEvent
from tests.members.factories import UserFactory
from tests.workinggroups.factories import MeetingFactory, ModerationFactory, RegistrationFactory
from workinggroups import services
from workinggroups.models import AttendeeListExport


@pytest.fixture(autouse=True)
def _small_limit(settings, tmp_path):
    settings.ATTENDEE_PDF_SYNC_LIMIT = 2
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.mark.django_db
def test_long_list_is_rendered_in_the_background_then_downloaded(
    moderator_client, group, django_capture_on_commit_callbacks
):
    meeting = MeetingFactory(group=group, title="Großes Netzwerktreffen")
    RegistrationFactory.create_batch(3, meeting=meeting)
    with django_capture_on_commit_callbacks(execute=True):  # the task runs (eagerly) on commit
        response = moderator_client.get(f"/meetings/{meeting.pk}/attendees.pdf")
    export = AttendeeListExport.objects.get()
    assert response.status_code == 302 and response.url == f"/workspace/exports/{export.pk}/"
    assert export.state == "done" and export.rows == 3
    assert export.expires_at > timezone.now() + timedelta(hours=23)
    page = moderator_client.get(response.url)
    assert f"/workspace/exports/{export.pk}/download/" in page.content.decode()
    download = moderator_client.get(f"/workspace/exports/{export.pk}/download/")
    pdf = PdfReader(io.BytesIO(b"".join(download.streaming_content)))
    assert "Großes Netzwerktreffen" in pdf.pages[0].extract_text()
    # Only the download is a download: recorded once, with its format.
    event = AuditEvent.objects.get(action="workinggroups.attendees.downloaded")
    assert event.data["format"] == "pdf" and event.data["rows"] == 3


@pytest.mark.django_db
def test_waiting_page_refreshes_itself_and_a_second_click_renders_nothing_new(
    moderator_client, group
):
    meeting = MeetingFactory(group=group)
    RegistrationFactory.create_batch(3, meeting=meeting)
    first = moderator_client.get(f"/meetings/{meeting.pk}/attendees.pdf")  # not committed yet
    second = moderator_client.get(f"/meetings/{meeting.pk}/attendees.pdf")
    assert first.url == second.url
    assert AttendeeListExport.objects.count() == 1
    page = moderator_client.get(first.url).content.decode()
    assert 'http-equiv="refresh"' in page


@pytest.mark.django_db
def test_exports_belong_to_the_meetings_moderators_and_the_office(client, group, office_user):
    meeting = MeetingFactory(group=group)
    moderator = ModerationFactory(group=group).user
    export = AttendeeListExport.objects.create(meeting=meeting, requested_by=moderator)
    for outsider in (UserFactory(), ModerationFactory().user):
        client.force_login(outsider)
        assert client.get(f"/workspace/exports/{export.pk}/").status_code == 403
        assert client.get(f"/workspace/exports/{export.pk}/download/").status_code == 403
    client.force_login(office_user)
    assert client.get(f"/workspace/exports/{export.pk}/").status_code == 200


@pytest.mark.django_db
def test_a_task_delivered_twice_renders_once(moderator, group):
    meeting = MeetingFactory(group=group)
    RegistrationFactory.create_batch(3, meeting=meeting)
    export = AttendeeListExport.objects.create(meeting=meeting, requested_by=moderator)
    services.attendee_export_render(export_id=export.pk)
    export.refresh_from_db()
    finished, name = export.finished_at, export.file.name
    services.attendee_export_render(export_id=export.pk)
    export.refresh_from_db()
    assert (export.finished_at, export.file.name) == (finished, name)


@pytest.mark.django_db
def test_expired_exports_are_deleted_with_their_files(moderator, group):
    meeting = MeetingFactory(group=group)
    RegistrationFactory(meeting=meeting)
    export = AttendeeListExport.objects.create(meeting=meeting, requested_by=moderator)
    services.attendee_export_render(export_id=export.pk)
    export.refresh_from_db()
    path = export.file.path
    assert (
        services.attendee_exports_delete_expired(now=timezone.now() + timedelta(days=1, hours=1))
        == 1
    )
    assert not AttendeeListExport.objects.exists()
    import os

    assert not os.path.exists(path)


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_renders_the_sheet_through_redis(celery_worker_process, tmp_path):
    moderator = ModerationFactory().user
    meeting = MeetingFactory(group=moderator.moderations.get().group, title="Worker-Treffen")
    RegistrationFactory.create_batch(3, meeting=meeting)
    export = services.attendee_export_request(meeting=meeting, actor=moderator)
    deadline = timezone.now() + timedelta(seconds=60)
    import time

    while timezone.now() < deadline:
        export.refresh_from_db()
        if export.state in ("done", "failed"):
            break
        time.sleep(0.3)
    assert export.state == "done", celery_worker_process["log"].read_text()
    assert export.rows == 3
    stored = tmp_path / "worker-media" / export.file.name  # written by the worker process
    assert stored.read_bytes().startswith(b"%PDF")
