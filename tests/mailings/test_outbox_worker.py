"""The outbox with its real parts: a Celery worker through Redis, sending to a real SMTP server.
Every recipient gets each message exactly once — also when the worker is killed mid-batch or
Redis is down while a member registers."""

import shutil
import subprocess
import time
from collections import Counter

import pytest

from mailings.models import OutboxMessage
from mailings.services import outbox_sweep
from tests.conftest import _free_port
from tests.members.factories import UserFactory
from tests.workinggroups.factories import FollowFactory, MeetingFactory
from workinggroups.selectors.invitations import Audience
from workinggroups.services.invitations import campaign_start

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def _wait_for(condition, timeout=60, every=0.2, on_wait=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        if on_wait:
            on_wait()
        time.sleep(every)
    return False


def _states():
    return Counter(OutboxMessage.objects.values_list("state", flat=True))


def _settled():
    states = _states()
    return states["queued"] == 0 and states["sending"] == 0


def test_a_campaign_reaches_every_follower_exactly_once(
    celery_worker_factory, smtp_server, office_user
):
    worker = celery_worker_factory(env=smtp_server.env)
    meeting = MeetingFactory()
    followers = [FollowFactory(group=meeting.group).user for _ in range(25)]

    campaign_start(meeting=meeting, actor=office_user, audience=Audience())
    assert _wait_for(lambda: smtp_server.count() == 25 and _settled()), worker.log.read_text()
    assert sorted(a for a, _m in smtp_server.messages) == sorted(p.email for p in followers)

    campaign_start(meeting=meeting, actor=office_user, audience=Audience())
    time.sleep(2)
    assert smtp_server.count() == 25  # started again: nobody twice

    newcomers = [FollowFactory(group=meeting.group).user for _ in range(3)]
    campaign_start(meeting=meeting, actor=office_user, audience=Audience())
    assert _wait_for(lambda: smtp_server.count() == 28 and _settled()), worker.log.read_text()
    for person in newcomers:
        assert len(smtp_server.received_by(person.email)) == 1


def test_a_worker_killed_mid_batch_sends_nobody_anything_twice(
    celery_worker_factory, smtp_server, office_user, settings
):
    smtp_server.delay = 0.05  # a slow server: the kill lands inside the batch
    meeting = MeetingFactory()
    followers = [FollowFactory(group=meeting.group).user for _ in range(60)]
    worker = celery_worker_factory(env={**smtp_server.env, "OUTBOX_LEASE_SECONDS": "2"})
    campaign_start(meeting=meeting, actor=office_user, audience=Audience())
    assert _wait_for(lambda: smtp_server.count() >= 10, timeout=30), worker.log.read_text()
    worker.kill()
    received_at_kill = smtp_server.count()
    assert received_at_kill < 60, "the batch finished before the kill; slow the server down"

    time.sleep(2.5)  # the dead worker's lease runs out
    restarted = celery_worker_factory(env=smtp_server.env)
    assert _wait_for(_settled, timeout=90, every=0.5, on_wait=outbox_sweep), (
        _states(),
        restarted.log.read_text(),
    )
    uncertain = set(
        OutboxMessage.objects.filter(state="uncertain").values_list("to_email", flat=True)
    )
    received = Counter(address for address, _m in smtp_server.messages)
    for person in followers:
        assert received[person.email] <= 1, f"{person.email} got {received[person.email]}"
        assert received[person.email] == 1 or person.email in uncertain, person.email
    # At most the group of messages handed over in the commit before the worker died.
    assert len(uncertain) <= settings.OUTBOX_HANDOVER_GROUP
    assert _states()["sent"] + len(uncertain) == 60


def test_a_transient_answer_is_retried_by_the_worker_and_a_permanent_one_fails_visibly(
    celery_worker_factory, smtp_server, office_user, client
):
    smtp_server.refuse["busy@testoptik.example"] = (451, 1)
    smtp_server.refuse["gone@testoptik.example"] = (550, -1)
    meeting = MeetingFactory()
    for address in ("busy@testoptik.example", "gone@testoptik.example", "ok@testoptik.example"):
        FollowFactory(group=meeting.group, user=UserFactory(email=address))
    celery_worker_factory(env=smtp_server.env)
    campaign_start(meeting=meeting, actor=office_user, audience=Audience())
    assert _wait_for(lambda: _states()["failed"] == 1 and _states()["queued"] == 1)
    busy = OutboxMessage.objects.get(to_email="busy@testoptik.example")
    assert busy.attempts == 1 and "451" in busy.last_error
    OutboxMessage.objects.filter(pk=busy.pk).update(next_attempt_at=busy.created_at)  # it is due
    assert _wait_for(_settled, on_wait=outbox_sweep, every=1)
    busy.refresh_from_db()
    assert busy.state == "sent" and busy.attempts == 2 and "451" in busy.last_error
    assert len(smtp_server.received_by("busy@testoptik.example")) == 1
    client.force_login(office_user)
    page = client.get("/admin/mailings/outboxmessage/?state__exact=failed").content.decode()
    assert "gone@testoptik.example" in page and "550" in page


@pytest.fixture
def private_redis():
    """A Redis server of this test alone, so that it can be stopped and started again."""
    from optonet.celery import app

    binary = shutil.which("redis-server")
    assert binary, "redis-server is not installed"
    port = _free_port()
    url = f"redis://127.0.0.1:{port}/0"

    def start():
        process = subprocess.Popen(
            [
                binary,
                "--port",
                str(port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        import redis

        client = redis.Redis.from_url(url)
        assert _wait_for(lambda: _pings(client), timeout=10), "private Redis did not start"
        return process

    def _pings(client):
        try:
            return client.ping()
        except Exception:
            return False

    state = {"process": start()}
    previous = app.conf.broker_url
    _use_broker(app, url)
    try:
        yield {
            "url": url,
            "stop": lambda: (state["process"].terminate(), state["process"].wait(10)),
            "start": lambda: state.update(process=start()),
        }
    finally:
        _use_broker(app, previous)
        state["process"].terminate()
        state["process"].wait(10)


def _use_broker(app, url):
    """Point this process's Celery app at another broker. The connection pools live in kombu's
    registry per URL, so they are only dropped here, never closed: the suite's pool for its own
    Redis must stay usable."""
    app.conf.broker_url = url
    app.conf.result_backend = url
    app._pool = None
    app.amqp._producer_pool = None


def test_redis_down_while_a_member_registers_delays_the_confirmation_and_loses_nothing(
    celery_worker_factory, smtp_server, private_redis, client
):
    worker = celery_worker_factory(env={**smtp_server.env, "REDIS_URL": private_redis["url"]})
    meeting = MeetingFactory(title="Treffen trotz Ausfall")
    member = UserFactory(email="standhaft@testoptik.example")
    client.force_login(member)

    private_redis["stop"]()
    started = time.monotonic()
    response = client.post(f"/meetings/{meeting.pk}/register/", {})
    assert response.status_code == 302  # the person's request succeeds
    assert time.monotonic() - started < 5
    assert member.registrations.get().status == "confirmed"
    assert OutboxMessage.objects.get(to_email=member.email).state == "queued"
    time.sleep(1)
    assert smtp_server.count() == 0

    private_redis["start"]()
    assert _wait_for(
        lambda: smtp_server.received_by(member.email), timeout=90, every=1, on_wait=outbox_sweep
    ), worker.log.read_text()
    (message,) = smtp_server.received_by(member.email)
    assert "Treffen trotz Ausfall" in message["Subject"]
