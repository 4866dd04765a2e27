"""The outbox's state machine against a real SMTP server: written with its cause, sent once,
transient errors retried with backoff, permanent ones failed, a worker's death uncertain."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from mailings import services
from mailings.models import OutboxMessage, Suppression, address_hash
from mailings.registry import Rendered
from tests.conftest import deliver_outbox

pytestmark = pytest.mark.django_db


def _message(to="erika@testoptik.example", **kwargs):
    return services.NewMessage(
        kind="test.hello",
        to_email=to,
        rendered=Rendered(subject="[OptoNet] Hallo", text="Guten Tag", html="<p>Guten Tag</p>"),
        **kwargs,
    )


def test_a_message_is_written_in_the_callers_transaction_and_vanishes_with_its_rollback():
    with pytest.raises(RuntimeError), transaction.atomic():
        services.outbox_enqueue(_message())
        raise RuntimeError("the cause failed")
    assert not OutboxMessage.objects.exists()


def test_a_queued_message_is_sent_once_over_smtp(smtp_server):
    row = services.outbox_enqueue(_message())
    assert deliver_outbox() == 1
    assert deliver_outbox() == 0  # nothing left: a second delivery sends nothing
    (received,) = smtp_server.received_by("erika@testoptik.example")
    assert received["Subject"] == "[OptoNet] Hallo"
    assert received["From"].addresses[0].display_name == "OptoNet-Mitgliederportal"
    row.refresh_from_db()
    assert (row.state, row.attempts) == ("sent", 1) and row.sent_at


def test_the_same_key_is_queued_once():
    assert services.outbox_enqueue(_message(dedup_key="hello:1"))
    assert services.outbox_enqueue(_message(dedup_key="hello:1")) is None
    assert services.outbox_enqueue_many([_message(dedup_key="hello:1")] * 3) == 0
    assert OutboxMessage.objects.count() == 1


def test_a_transient_answer_is_retried_with_backoff_then_sent(smtp_server):
    smtp_server.refuse["erika@testoptik.example"] = (451, 1)
    row = services.outbox_enqueue(_message())
    deliver_outbox()
    row.refresh_from_db()
    assert row.state == "queued" and row.attempts == 1 and "451" in row.last_error
    assert row.next_attempt_at > timezone.now() + timedelta(seconds=20)
    assert deliver_outbox() == 0  # not due yet
    OutboxMessage.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now())
    deliver_outbox()
    row.refresh_from_db()
    assert row.state == "sent" and row.attempts == 2
    assert "451" in row.last_error  # the record of the failed first attempt stays
    assert len(smtp_server.received_by("erika@testoptik.example")) == 1


def test_transient_failures_are_bounded(smtp_server):
    smtp_server.refuse["erika@testoptik.example"] = (451, -1)
    row = services.outbox_enqueue(_message())
    for _ in range(services.MAX_ATTEMPTS):
        OutboxMessage.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now())
        deliver_outbox()
    row.refresh_from_db()
    assert row.state == "failed" and row.attempts == services.MAX_ATTEMPTS


def test_a_permanent_answer_fails_at_once_with_the_error(smtp_server):
    smtp_server.refuse["nobody@testoptik.example"] = (550, -1)
    failing = services.outbox_enqueue(_message(to="nobody@testoptik.example"))
    fine = services.outbox_enqueue(_message())
    deliver_outbox()
    failing.refresh_from_db()
    fine.refresh_from_db()
    assert failing.state == "failed" and "550" in failing.last_error and failing.attempts == 1
    assert fine.state == "sent"  # one refused recipient does not stop the batch


def test_the_smtp_server_being_down_delays_and_loses_nothing(settings, smtp_server):
    row = services.outbox_enqueue(_message())
    real_port = settings.EMAIL_PORT
    settings.EMAIL_PORT = 1  # nothing listens there
    deliver_outbox()
    row.refresh_from_db()
    assert row.state == "queued" and "Connection" in row.last_error
    settings.EMAIL_PORT = real_port
    OutboxMessage.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now())
    deliver_outbox()
    row.refresh_from_db()
    assert row.state == "sent"


def test_after_a_workers_death_what_it_may_have_sent_is_uncertain_and_not_resent(smtp_server):
    handed_over = services.outbox_enqueue(_message(to="a@testoptik.example"))
    claimed_only = services.outbox_enqueue(_message(to="b@testoptik.example"))
    past = timezone.now() - timedelta(minutes=1)
    # What a killed worker leaves behind: both claimed, the first handed to the SMTP server.
    OutboxMessage.objects.filter(pk=handed_over.pk).update(
        state="sending", lease_expires_at=past, handed_over_at=past, attempts=1
    )
    OutboxMessage.objects.filter(pk=claimed_only.pk).update(
        state="sending", lease_expires_at=past, attempts=1
    )
    assert services.outbox_sweep()["uncertain"] == 1
    deliver_outbox()
    handed_over.refresh_from_db()
    claimed_only.refresh_from_db()
    assert handed_over.state == "uncertain" and "may have been delivered" in handed_over.last_error
    assert claimed_only.state == "sent"
    assert smtp_server.received_by("a@testoptik.example") == []
    # The office decides: resend.
    services.outbox_resend(message_id=handed_over.pk, actor=None)
    deliver_outbox()
    handed_over.refresh_from_db()
    assert handed_over.state == "sent"
    assert len(smtp_server.received_by("a@testoptik.example")) == 1


def test_a_live_lease_is_left_alone():
    row = services.outbox_enqueue(_message())
    OutboxMessage.objects.filter(pk=row.pk).update(
        state="sending", lease_expires_at=timezone.now() + timedelta(minutes=5)
    )
    assert services.outbox_sweep() == {"requeued": 0, "uncertain": 0, "due": 0}
    assert deliver_outbox() == 0


def test_a_message_with_a_secret_keeps_no_text_once_sent(smtp_server):
    row = services.outbox_enqueue(_message(sensitive=True))
    deliver_outbox()
    row.refresh_from_db()
    assert row.state == "sent" and row.body_text == "" and row.body_html == ""
    assert smtp_server.received_by("erika@testoptik.example")[0].get_body(("plain",)).get_content()


def test_objection_stops_all_but_essential_email():
    Suppression.objects.create(address_hash=address_hash("Erika@TestOptik.example"))
    assert services.outbox_enqueue(_message(essential=False)) is None
    assert services.outbox_enqueue_many([_message(essential=False)]) == 0
    assert services.outbox_enqueue(_message(essential=True))
    assert OutboxMessage.objects.count() == 1


def test_the_admin_shows_failures_with_their_error_and_hides_secrets(staff_client, smtp_server):
    smtp_server.refuse["nobody@testoptik.example"] = (550, -1)
    failed = services.outbox_enqueue(_message(to="nobody@testoptik.example"))
    secret = services.outbox_enqueue(_message(sensitive=True))
    OutboxMessage.objects.filter(pk=secret.pk).update(body_text="reset link: /secret-key/")
    deliver_outbox()
    page = staff_client.get("/admin/mailings/outboxmessage/?state__exact=failed").content.decode()
    assert "nobody@testoptik.example" in page and "550" in page
    detail = staff_client.get(f"/admin/mailings/outboxmessage/{failed.pk}/change/")
    assert "550" in detail.content.decode()
    response = staff_client.post(
        "/admin/mailings/outboxmessage/",
        {"action": "resend", "_selected_action": [failed.pk]},
    )
    assert response.status_code == 302
    failed.refresh_from_db()
    assert failed.state == "queued"
    queued_secret = services.outbox_enqueue(_message(sensitive=True, to="reset@testoptik.example"))
    OutboxMessage.objects.filter(pk=queued_secret.pk).update(body_text="/secret-key/")
    detail = staff_client.get(f"/admin/mailings/outboxmessage/{queued_secret.pk}/change/")
    assert "/secret-key/" not in detail.content.decode()


def test_a_broker_outage_does_not_fail_the_cause(settings, django_capture_on_commit_callbacks):
    """The kick after commit may fail (Redis down): the row stays, the request goes on."""
    from unittest import mock

    from mailings import tasks

    down = mock.patch.object(tasks.deliver_outbox, "delay", side_effect=ConnectionError("down"))
    with down, django_capture_on_commit_callbacks(execute=True):
        services.outbox_enqueue(_message())
    assert OutboxMessage.objects.get().state == "queued"


def _confirmation_for(person_email: str):
    """A registration confirmation: a message the worker renders (text, HTML, calendar file)."""
    from tests.members.factories import UserFactory
    from tests.workinggroups.factories import MeetingFactory
    from workinggroups.services import registration_create

    person = UserFactory(email=person_email, language="de")
    meeting = MeetingFactory(title="Arbeitstreffen Recruiting")
    registration_create(meeting=meeting, person=person)
    return OutboxMessage.objects.get(to_email=person_email)


def _retry_now(row):
    OutboxMessage.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now())


def test_a_rendered_message_retried_after_a_transient_answer_arrives_whole(smtp_server):
    smtp_server.refuse["anna@testoptik.example"] = (451, 1)
    row = _confirmation_for("anna@testoptik.example")
    deliver_outbox()
    row.refresh_from_db()
    assert row.state == "queued" and row.attempts == 1
    _retry_now(row)
    deliver_outbox()

    (received,) = smtp_server.received_by("anna@testoptik.example")
    assert "Arbeitstreffen Recruiting" in received["Subject"]
    assert "Arbeitstreffen Recruiting" in received.get_body(("plain",)).get_content()
    assert any(part.get_content_type() == "text/calendar" for part in received.iter_attachments())


def test_a_rendered_message_sent_again_by_the_office_arrives_whole(smtp_server):
    smtp_server.refuse["anna@testoptik.example"] = (550, 1)
    row = _confirmation_for("anna@testoptik.example")
    deliver_outbox()
    row.refresh_from_db()
    assert row.state == "failed"

    services.outbox_resend(message_id=row.pk, actor=None)
    deliver_outbox()

    (received,) = smtp_server.received_by("anna@testoptik.example")
    assert "Arbeitstreffen Recruiting" in received.get_body(("plain",)).get_content()


def test_a_message_with_a_secret_keeps_its_text_until_it_is_sent(smtp_server):
    smtp_server.refuse["erika@testoptik.example"] = (451, 1)
    row = services.outbox_enqueue(_message(sensitive=True))
    deliver_outbox()
    row.refresh_from_db()
    assert row.state == "queued"
    _retry_now(row)
    deliver_outbox()

    (received,) = smtp_server.received_by("erika@testoptik.example")
    assert received.get_body(("plain",)).get_content().strip() == "Guten Tag"
    row.refresh_from_db()
    assert row.state == "sent" and row.body_text == ""
