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


@pytest.mark.django_db
def test_a_job_left_running_by_a_killed_worker_counts_as_failed_and_a_new_click_starts_anew(
    moderator, group
):
    meeting = MeetingFactory(group=group)
    RegistrationFactory.create_batch(3, meeting=meeting)
    hung = AttendeeListExport.objects.create(
        meeting=meeting,
        requested_by=moderator,
        state="running",
        created_at=timezone.now() - timedelta(hours=48),
        started_at=timezone.now() - timedelta(hours=48),
    )
    fresh = services.attendee_export_request(meeting=meeting, actor=moderator)
    assert fresh.pk != hung.pk
    hung.refresh_from_db()
    assert hung.state == "failed" and "time limit" in hung.error
    # A task of the old job delivered late renders nothing.
    assert services.attendee_export_render(export_id=hung.pk).state == "failed"


@pytest.mark.django_db
def test_a_running_job_within_its_time_limit_is_shared_by_moderators_and_the_office(
    moderator, group, office_user
):
    meeting = MeetingFactory(group=group)
    first = services.attendee_export_request(meeting=meeting, actor=moderator)
    again = services.attendee_export_request(meeting=meeting, actor=office_user)
    assert again.pk == first.pk


@pytest.mark.django_db
def test_one_live_job_per_meeting_and_format_is_a_database_constraint(moderator, group):
    from django.db import IntegrityError, transaction

    meeting = MeetingFactory(group=group)
    AttendeeListExport.objects.create(meeting=meeting, requested_by=moderator)
    with pytest.raises(IntegrityError), transaction.atomic():
        AttendeeListExport.objects.create(meeting=meeting, requested_by=moderator, state="running")
    AttendeeListExport.objects.create(meeting=meeting, requested_by=moderator, state="failed")


@pytest.mark.django_db(transaction=True)
def test_parallel_clicks_create_exactly_one_job():
    import threading

    from django.db import connection

    moderator = ModerationFactory().user
    office = UserFactory(is_staff=True, is_superuser=True, organization=None)
    meeting = MeetingFactory(group=moderator.moderations.get().group)
    barrier = threading.Barrier(8)
    results, errors = [], []

    def click(actor):
        try:
            barrier.wait(timeout=30)
            results.append(services.attendee_export_request(meeting=meeting, actor=actor).pk)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=click, args=(a,)) for a in [moderator, office] * 4]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors
    assert len(set(results)) == 1 and len(results) == 8
    assert AttendeeListExport.objects.filter(meeting=meeting).count() == 1
