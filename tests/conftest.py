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


@pytest.fixture
def celery_worker_process(transactional_db, tmp_path):
    """A real `celery worker` process consuming from the Redis on localhost.

    It uses the test database (so it sees rows the test committed) and writes e-mails to files
    under tmp_path/mail, so that a test can see what the worker sent. Tasks are sent for real:
    eager mode is switched off while the fixture is active.
    """
    from django.db import connection

    from optonet.celery import app

    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    db = connection.settings_dict
    database_url = (
        f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:"
        f"{db['PORT'] or 5432}/{db['NAME']}"
    )
    queue = f"test-{os.getpid()}-{time.monotonic_ns()}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "optonet.settings.test",
        "DATABASE_URL": database_url,
        "REDIS_URL": settings.REDIS_URL,
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(mail_dir),
        "MEDIA_ROOT": str(tmp_path / "worker-media"),
    }
    log = (tmp_path / "worker.log").open("w")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "optonet",
            "worker",
            "--pool",
            "solo",
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
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    previous = (app.conf.task_always_eager, app.conf.task_default_queue, app.conf.task_routes)
    app.conf.task_always_eager = False
    app.conf.task_default_queue = queue
    app.conf.task_routes = {}
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError("worker exited: " + (tmp_path / "worker.log").read_text())
            replies = app.control.ping(destination=[f"{queue}@localhost"], timeout=0.5) or []
            if replies:
                break
        else:
            raise RuntimeError(
                "worker did not answer within 30 s: " + (tmp_path / "worker.log").read_text()
            )
        yield {
            "process": process,
            "mail_dir": mail_dir,
            "queue": queue,
            "log": tmp_path / "worker.log",
        }
    finally:
        app.conf.task_always_eager, app.conf.task_default_queue, app.conf.task_routes = previous
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()
