"""A real Celery worker, started by the fixture, consumes tasks of the project through Redis."""

import email
import email.header
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.members.factories import UserFactory
from tests.workinggroups.factories import MeetingFactory
from workinggroups.models import Registration
from workinggroups.services import registration_create

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_worker_executes_ping_task_through_redis_and_returns_its_result(celery_worker_process):
    from optonet.celery import ping

    result = ping.delay("hello from the test")
    value = result.get(timeout=20)
    assert value["payload"] == "hello from the test"
    # It really ran in the worker process, not eagerly in this one.
    assert value["pid"] == celery_worker_process["process"].pid


def test_registration_confirmation_is_sent_by_the_worker_with_a_calendar_file(
    celery_worker_process,
):
    person = UserFactory(
        email="anna.schaefer@testoptik.example",
        first_name="Anna",
        last_name="Schäfer",
        language="de",
    )
    meeting = MeetingFactory(
        title="Arbeitstreffen Recruiting", starts_at=timezone.now() + timedelta(days=10)
    )
    registration, created = registration_create(meeting=meeting, person=person)
    assert created and registration.status == Registration.Status.CONFIRMED

    mail_dir = celery_worker_process["mail_dir"]
    deadline = timezone.now() + timedelta(seconds=20)
    files = []
    while timezone.now() < deadline and not files:
        time.sleep(0.2)
        files = list(mail_dir.glob("*.log"))
    assert files, celery_worker_process["log"].read_text()
    message = email.message_from_bytes(files[0].read_bytes())
    assert message["To"] == "anna.schaefer@testoptik.example"
    subject = str(email.header.make_header(email.header.decode_header(message["Subject"])))
    assert "Arbeitstreffen Recruiting" in subject
    parts = {part.get_content_type(): part for part in message.walk()}
    assert "text/calendar" in parts
    ics = parts["text/calendar"].get_payload(decode=True).decode()
    assert f"UID:meeting-{meeting.pk}@portal.optonet" in ics
