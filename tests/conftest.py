"""Shared fixtures: people in each role, clients logged in as them, and a real Celery worker."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.cache import cache

from members.selectors import OFFICE_GROUP_NAME
from tests.members.factories import OrganizationFactory, UserFactory
from tests.workinggroups.factories import ModerationFactory, WorkingGroupFactory

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _clear_cache():
    # The cache is the real Redis (rate limits live there); every test starts from empty.
    cache.clear()
    yield


@pytest.fixture(autouse=True)
def _celery_join_flag():
    """Celery's eager `apply()` sets a process-wide "a task is running, never block on a
    result" flag and restores the value it found. Two threads running eager tasks at once (the
    race tests) can restore each other's True, and a later test that waits for a real worker's
    result is refused. The flag belongs to worker processes; the test process starts clean."""
    from celery._state import _set_task_join_will_block

    _set_task_join_will_block(False)
    yield


def deliver_outbox() -> int:
    """Do what the outbox worker does after commit: send every due message (in tests the
    transaction of a test never commits, so its on-commit delivery does not run)."""
    from mailings.services import outbox_deliver

    total = 0
    while claimed := outbox_deliver(limit=500):
        total += claimed
    return total


@pytest.fixture
def organization(db):
    return OrganizationFactory(name="Demo Photonics GmbH")


@pytest.fixture
def member(organization):
    return UserFactory(email="member@demo-photonics.example", organization=organization)


@pytest.fixture
def unlinked_person(db):
    return UserFactory(email="someone@freemail.example", organization=None)


@pytest.fixture
def group(db):
    return WorkingGroupFactory(
        slug="human-resources",
        name_de="Arbeitskreis Personal",
        name_en="Human Resources Working Group",
    )


@pytest.fixture
def moderator(group):
    return ModerationFactory(group=group).user


@pytest.fixture
def office_user(db):
    user = UserFactory(email="office@optonet.example", organization=None, is_staff=True)
    user.groups.add(Group.objects.get(name=OFFICE_GROUP_NAME))
    return user


def _client_for(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def member_client(client, member):
    return _client_for(client, member)


@pytest.fixture
def staff_client(client, office_user):
    return _client_for(client, office_user)


@pytest.fixture
def moderator_client(client, moderator):
    return _client_for(client, moderator)


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class WorkerHandle:
    """A real `celery worker` process (see `celery_worker_factory`)."""

    def __init__(self, process, queue, log_path, mail_dir):
        self.process, self.queue, self.log, self.mail_dir = process, queue, log_path, mail_dir

    def wait_ready(self, app, timeout=30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("worker exited: " + self.log.read_text())
            if app.control.ping(destination=[f"{self.queue}@localhost"], timeout=0.5):
                return self
        raise RuntimeError("worker did not answer within 30 s: " + self.log.read_text())

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=15)

    def kill(self):
        """SIGKILL: no clean-up, no acknowledgement — a machine that lost power."""
        self.process.kill()
        self.process.wait(timeout=15)


@pytest.fixture
def celery_worker_factory(transactional_db, tmp_path):
    """Start real `celery worker` processes consuming from Redis, on a queue of this test.

    They use the test database (so they see rows the test committed), and e-mail goes where the
    test says (a file per message by default, or an SMTP server). Tasks are sent for real:
    eager mode is switched off while the fixture is active.
    """
    from django.db import connection

    from optonet.celery import app

    db = connection.settings_dict
    database_url = (
        f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:"
        f"{db['PORT'] or 5432}/{db['NAME']}"
    )
    queue = f"test-{os.getpid()}-{time.monotonic_ns()}"
    workers: list[WorkerHandle] = []
    logs: list = []

    def start(*, concurrency: int = 1, env: dict | None = None) -> WorkerHandle:
        mail_dir = tmp_path / "mail"
        mail_dir.mkdir(exist_ok=True)
        worker_env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "optonet.settings.test",
            "DATABASE_URL": database_url,
            "REDIS_URL": settings.REDIS_URL,
            "CELERY_SINGLE_QUEUE": queue,
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": str(mail_dir),
            "MEDIA_ROOT": str(tmp_path / "worker-media"),
            **(env or {}),
        }
        log_path = tmp_path / f"worker-{len(workers)}.log"
        log = log_path.open("w")
        logs.append(log)
        pool = ["--pool", "solo"] if concurrency == 1 else ["--concurrency", str(concurrency)]
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "optonet",
                "worker",
                *pool,
                "--queues",
                queue,
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "--hostname",
                f"{queue}@localhost",
                "--loglevel",
                "INFO",
            ],
            cwd=ROOT,
            env=worker_env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        handle = WorkerHandle(process, queue, log_path, mail_dir)
        workers.append(handle)
        return handle.wait_ready(app)

    previous = (app.conf.task_always_eager, app.conf.task_default_queue, app.conf.task_routes)
    app.conf.task_always_eager = False
    app.conf.task_default_queue = queue
    app.conf.task_routes = {}
    try:
        yield start
    finally:
        app.conf.task_always_eager, app.conf.task_default_queue, app.conf.task_routes = previous
        for worker in workers:
            worker.stop()
        for log in logs:
            log.close()


@pytest.fixture
def celery_worker_process(celery_worker_factory, tmp_path):
    """One real worker writing e-mails to files under tmp_path/mail."""
    worker = celery_worker_factory()
    return {
        "process": worker.process,
        "mail_dir": worker.mail_dir,
        "queue": worker.queue,
        "log": worker.log,
    }


class RecordingSMTPHandler:
    """What a real SMTP server received; it can be told to refuse recipients (451, 550)."""

    def __init__(self):
        import threading

        self.messages: list = []
        self.lock = threading.Lock()
        self.refuse: dict[str, tuple[int, int]] = {}  # address -> (code, times; -1 = always)
        self.delay = 0.0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        code, times = self.refuse.get(address.lower(), (250, 0))
        if code != 250 and times != 0:
            if times > 0:
                self.refuse[address.lower()] = (code, times - 1)
            text = "Mailbox busy, try later" if code < 500 else "No such user"
            return f"{code} {'4' if code < 500 else '5'}.1.1 {text}"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        import asyncio
        import email
        from email import policy

        if self.delay:
            await asyncio.sleep(self.delay)
        parsed = email.message_from_bytes(envelope.content, policy=policy.default)
        with self.lock:
            for rcpt in envelope.rcpt_tos:
                self.messages.append((rcpt.lower(), parsed))
        return "250 Message accepted for delivery"

    def received_by(self, address: str) -> list:
        with self.lock:
            return [m for rcpt, m in self.messages if rcpt == address.lower()]

    def count(self) -> int:
        with self.lock:
            return len(self.messages)


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server (aiosmtpd) on localhost that records what it receives. The portal's
    e-mail settings point at it, in this process and in workers started with `smtp_env`."""
    from aiosmtpd.controller import Controller

    handler = RecordingSMTPHandler()
    port = _free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    handler.env = {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(port),
    }
    try:
        yield handler
    finally:
        controller.stop()
