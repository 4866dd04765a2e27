"""Benchmark: an invitation campaign to N followers, sent by a real Celery worker (prefork,
concurrency 2) through Redis to a local SMTP server (aiosmtpd in this process).

Prints the time the admin's confirm action takes to return (audience, invitations and outbox
rows written), messages per second from the first to the last message the SMTP server received,
and the worker's peak memory (resident set size, sampled every 0.2 s, per process and for the
parent and its children together). Uses a throw-away PostgreSQL database; never part of the test
suite.

    .venv/bin/python bench/invitation_campaign.py [--recipients 10000] [--concurrency 2]

Needs PostgreSQL (BENCH_DATABASE_ADMIN_URL, default postgres://postgres@127.0.0.1:5432/postgres)
and Redis (BENCH_REDIS_URL, default redis://127.0.0.1:6379/14).
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

ADMIN_URL = os.environ.get(
    "BENCH_DATABASE_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres"
)
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
DB_NAME = f"optonet_bench_campaign_{os.getpid()}"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class CountingHandler:
    """The SMTP server's side: counts what it receives, and when."""

    def __init__(self):
        self.count = 0
        self.first = None
        self.last = None
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        now = time.monotonic()
        with self.lock:
            self.count += len(envelope.rcpt_tos)
            self.first = self.first or now
            self.last = now
        return "250 OK"


def create_database() -> str:
    import psycopg2

    connection = psycopg2.connect(ADMIN_URL)
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{DB_NAME}"')
    connection.close()
    return ADMIN_URL.rsplit("/", 1)[0] + f"/{DB_NAME}"


def drop_database() -> None:
    import psycopg2

    connection = psycopg2.connect(ADMIN_URL)
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
    connection.close()


def setup_django(database_url: str, smtp_port: int) -> None:
    os.environ.update(
        DATABASE_URL=database_url,
        REDIS_URL=REDIS_URL,
        DJANGO_SETTINGS_MODULE="optonet.settings.local",
        DJANGO_LOG_LEVEL="WARNING",
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(smtp_port),
    )
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def make_audience(recipients: int):
    from datetime import timedelta

    from django.utils import timezone

    from members.models import Organization, User
    from workinggroups.models import Follow, Meeting, Moderation, WorkingGroup

    group = WorkingGroup.objects.create(
        slug="bench", name_de="Arbeitskreis Personal", name_en="Human resources"
    )
    organizations = Organization.objects.bulk_create(
        Organization(name=f"Bench-Optik {i} GmbH", city="Jena") for i in range(200)
    )
    people = User.objects.bulk_create(
        (
            User(
                email=f"person{i}@bench.example",
                first_name=f"Jürgen{i}",
                last_name=f"Müller{i}",
                language="de" if i % 3 else "en",
                organization=organizations[i % 200],
            )
            for i in range(recipients)
        ),
        batch_size=2000,
    )
    Follow.objects.bulk_create(
        (Follow(group=group, user=p, state=Follow.State.ACTIVE) for p in people), batch_size=5000
    )
    Moderation.objects.create(group=group, user=people[0])
    start = timezone.now() + timedelta(days=30)
    return Meeting.objects.create(
        group=group,
        title="Fachkräfte aus dem Ausland gewinnen",
        description="1. Erfahrungen der Mitglieder\n2. Visa-Verfahren\n3. Onboarding",
        starts_at=start,
        ends_at=start + timedelta(hours=3),
        status=Meeting.Status.PUBLISHED,
        venue_name="Bench GmbH",
        venue_address="Musterstraße 1, 07745 Jena",
        registration_deadline=start - timedelta(days=7),
    )


def start_worker(database_url: str, smtp_port: int, concurrency: int, queue: str):
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": REDIS_URL,
        "DJANGO_SETTINGS_MODULE": "optonet.settings.local",
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp_port),
        "CELERY_SINGLE_QUEUE": queue,
    }
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "optonet",
            "worker",
            "--concurrency",
            str(concurrency),
            "--queues",
            queue,
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "--hostname",
            f"{queue}@localhost",
            "--loglevel",
            "WARNING",
            "--prefetch-multiplier",
            "1",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )


def rss_mb(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except FileNotFoundError:
        pass
    return 0.0


def pss_mb(pid: int) -> float:
    """Proportional set size: pages shared between parent and children counted once."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as rollup:
            for line in rollup:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) / 1024
    except FileNotFoundError:
        pass
    return 0.0


def children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(p) for p in f.read().split()]
    except FileNotFoundError:
        return []


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--recipients", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--json", action="store_true", help="also print the figures as JSON")
    args = parser.parse_args()

    from aiosmtpd.controller import Controller

    handler = CountingHandler()
    smtp_port = _free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    database_url = create_database()
    worker = None
    try:
        setup_django(database_url, smtp_port)
        from django.conf import settings

        from optonet.celery import app
        from workinggroups.selectors.invitations import Audience
        from workinggroups.services.invitations import campaign_start

        queue = f"bench-{os.getpid()}"
        app.conf.task_always_eager = False
        app.conf.task_default_queue = queue
        app.conf.task_routes = {}
        settings.CELERY_TASK_ALWAYS_EAGER = False

        meeting = make_audience(args.recipients)
        from members.models import User

        office = User.objects.create_superuser(email="office@bench.example", password="x" * 16)

        worker = start_worker(database_url, smtp_port, args.concurrency, queue)
        deadline = time.monotonic() + 60
        while not app.control.ping(destination=[f"{queue}@localhost"], timeout=0.5):
            if time.monotonic() > deadline:
                raise SystemExit("worker did not start")

        peak = {"parent": 0.0, "child": 0.0, "total": 0.0, "pss": 0.0}
        sampling = True

        def sample():
            while sampling:
                parent = rss_mb(worker.pid)
                kids = [rss_mb(c) for c in children(worker.pid)]
                peak["parent"] = max(peak["parent"], parent)
                peak["child"] = max([peak["child"], *kids])
                peak["total"] = max(peak["total"], parent + sum(kids))
                pss = pss_mb(worker.pid) + sum(pss_mb(c) for c in children(worker.pid))
                peak["pss"] = max(peak["pss"], pss)
                time.sleep(0.2)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()

        started = time.monotonic()
        campaign = campaign_start(meeting=meeting, actor=office, audience=Audience())
        action_seconds = time.monotonic() - started

        deadline = time.monotonic() + 600
        while handler.count < campaign.recipients and time.monotonic() < deadline:
            time.sleep(0.2)
        sampling = False
        sampler.join()
        from mailings.selectors import batch_progress

        progress = batch_progress(campaign.batch)
        span = (handler.last or 0) - (handler.first or 0)
        rate = handler.count / span if span else float("nan")
        total = time.monotonic() - started
        print(
            f"# Invitation campaign, {args.recipients} recipients, worker concurrency "
            f"{args.concurrency}, {os.cpu_count()} cores"
        )
        print()
        print("| figure | value |")
        print("|---|---|")
        print(
            f"| confirm action returns (audience, {campaign.recipients} invitations and e-mails) "
            f"| {action_seconds:.2f} s |"
        )
        print(f"| messages received by the SMTP server | {handler.count} |")
        print(f"| messages per second (first to last received) | {rate:.0f} /s |")
        print(f"| from confirm to the last message | {total:.1f} s |")
        print(
            f"| worker peak RSS: parent / largest child / all together | "
            f"{peak['parent']:.0f} / {peak['child']:.0f} / {peak['total']:.0f} MB |"
        )
        print(f"| worker peak PSS, all processes (shared pages once) | {peak['pss']:.0f} MB |")
        print(f"| outbox states afterwards | {progress} |")
        if args.json:
            figures = {
                "recipients": campaign.recipients,
                "received": handler.count,
                "action_seconds": action_seconds,
                "messages_per_second": rate,
                "worker_pss_mb": peak["pss"],
            }
            print(json.dumps(figures))
    finally:
        if worker is not None:
            worker.terminate()
            worker.wait(30)
        controller.stop()
        from django.db import connections

        connections.close_all()
        drop_database()


if __name__ == "__main__":
    main()
