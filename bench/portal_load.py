"""`make bench`: the portal as production runs it, on a data set far beyond OptoNet's size.

1. Creates a throw-away PostgreSQL database and fills it (`bench/large_data.py`: 1,000
   organisations, 20,000 people, 40 groups, 2,000 meetings, 200,000 registrations, two survey
   rounds of 1,000 responses).
2. Serves it with gunicorn (2 sync workers) and a Celery worker, production settings over plain
   http on 127.0.0.1, e-mail to a local SMTP server (aiosmtpd) in this process.
3. Measures: the anonymous meeting and group pages with wrk (20 connections); the logged-in
   meeting page's queries and server time alone; the burst (500 logged-in members race for
   50 seats with locust; sessions prepared beforehand; verified in the database afterwards).
4. Runs the per-feature benchmarks (attendee exports, invitation campaign, growth report).
5. Prints one Markdown table: core count, date, each target met or missed. Cleans up what it
   started (processes, database, Redis db, files).

    .venv/bin/python bench/portal_load.py [--scale 1.0] [--skip-features] [--keep-database]

Needs PostgreSQL (BENCH_DATABASE_ADMIN_URL, default postgres://postgres@127.0.0.1:5432/postgres),
Redis (BENCH_REDIS_URL, default redis://127.0.0.1:6379/14), wrk and locust (`make bench`
installs them).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

ADMIN_URL = os.environ.get(
    "BENCH_DATABASE_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres"
)
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
DB_NAME = os.environ.get("BENCH_DATABASE_NAME", "optonet_bench_large")
VENV_BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def admin_sql(sql: str) -> None:
    import psycopg2

    connection = psycopg2.connect(ADMIN_URL)
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(sql)
    connection.close()


def database_exists() -> bool:
    import psycopg2

    connection = psycopg2.connect(ADMIN_URL)
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DB_NAME])
        found = cursor.fetchone() is not None
    connection.close()
    return found


class SmtpCounter:
    async def handle_DATA(self, server, session, envelope):
        return "250 OK"


class Stack:
    """gunicorn, a Celery worker and an SMTP server with production settings; stopped on exit."""

    def __init__(self, env: dict[str, str], port: int):
        self.env = env
        self.port = port
        self.processes: list[subprocess.Popen] = []
        self.logs: list = []

    def start(self, tmp: Path) -> None:
        gunicorn_log = (tmp / "gunicorn.log").open("w")
        worker_log = (tmp / "worker.log").open("w")
        self.logs += [gunicorn_log, worker_log]
        self.processes.append(
            subprocess.Popen(
                [
                    str(VENV_BIN / "gunicorn"),
                    "optonet.wsgi",
                    "--workers",
                    "2",
                    "--bind",
                    f"127.0.0.1:{self.port}",
                    "--log-level",
                    "warning",
                ],
                cwd=ROOT,
                env=self.env,
                stdout=gunicorn_log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        )
        self.processes.append(
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "optonet",
                    "worker",
                    "--queues",
                    "mail,default,pdf",
                    "--concurrency",
                    "1",
                    "--without-gossip",
                    "--without-mingle",
                    "--without-heartbeat",
                    "--loglevel",
                    "WARNING",
                ],
                cwd=ROOT,
                env=self.env,
                stdout=worker_log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=2):
                    return
            except OSError:
                time.sleep(0.3)
        raise RuntimeError("gunicorn did not come up; see " + str(tmp / "gunicorn.log"))

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        for log in self.logs:
            log.close()


def wrk(url: str, *, connections: int = 20, seconds: int = 10) -> dict:
    output = subprocess.run(
        [
            "wrk",
            "-t2",
            f"-c{connections}",
            f"-d{seconds}s",
            "--latency",
            "-s",
            str(ROOT / "bench" / "wrk_report.lua"),
            url,
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    result = json.loads(output.strip().splitlines()[-1])
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    return result


def logged_in_page(meeting_id: int, person_id: int) -> dict:
    """Queries and server time alone (best and median of 30 sequential requests in this
    process, through the whole middleware stack with production settings)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from members.models import User

    client = Client()
    client.force_login(User.objects.get(pk=person_id))
    url = f"/meetings/{meeting_id}/"
    client.get(url)  # warm: templates compiled, caches filled
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, response.status_code
    times = []
    for _run in range(30):
        started = time.perf_counter()
        client.get(url)
        times.append(time.perf_counter() - started)
    return {
        "queries": len(queries.captured_queries),
        "best_ms": min(times) * 1000,
        "median_ms": statistics.median(times) * 1000,
        "sql": [q["sql"][:160] for q in queries.captured_queries],
    }


def prepare_sessions(person_ids: list[int]) -> list[dict]:
    """Logged-in sessions made directly in the session store (the burst measures registering,
    not password hashing), with a CSRF secret each."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.middleware.csrf import _get_new_csrf_string

    from members.models import User

    store = import_module(settings.SESSION_ENGINE).SessionStore
    sessions = []
    for person in User.objects.filter(pk__in=person_ids):
        session = store()
        session[SESSION_KEY] = str(person.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = person.get_session_auth_hash()
        session.create()
        sessions.append(
            {"person": person.pk, "session": session.session_key, "csrf": _get_new_csrf_string()}
        )
    return sessions


def burst(port: int, meeting_id: int, person_ids: list[int], tmp: Path) -> dict:
    from django.conf import settings

    from workinggroups.models import Registration

    sessions = prepare_sessions(person_ids)
    sessions_file, results_file = tmp / "sessions.json", tmp / "burst.json"
    sessions_file.write_text(json.dumps(sessions))
    env = {
        **os.environ,
        "BENCH_SESSIONS": str(sessions_file),
        "BENCH_RESULTS": str(results_file),
        "BENCH_MEETING": str(meeting_id),
        "BENCH_SESSION_COOKIE": settings.SESSION_COOKIE_NAME,
        "BENCH_CSRF_COOKIE": settings.CSRF_COOKIE_NAME,
    }
    users = len(sessions)
    subprocess.run(
        [
            str(VENV_BIN / "locust"),
            "-f",
            str(ROOT / "bench" / "locust_burst.py"),
            "--headless",
            "--users",
            str(users),
            "--spawn-rate",
            str(users),
            "--run-time",
            "120s",
            "--host",
            f"http://127.0.0.1:{port}",
            "--only-summary",
            "--loglevel",
            "ERROR",
        ],
        check=False,
        env=env,
        capture_output=True,
        timeout=300,
    )
    records = json.loads(results_file.read_text())
    durations = sorted(r["end"] - r["start"] for r in records)
    first_start = min(r["start"] for r in records)
    errors = sum(1 for r in records if any(s not in (200, 302) for s in r["statuses"]))
    registrations = list(
        Registration.objects.filter(meeting_id=meeting_id)
        .order_by("created_at", "pk")
        .values_list("user_id", "status")
    )
    confirmed = [user for user, status in registrations if status == "confirmed"]
    waitlisted = [user for user, status in registrations if status == "waitlisted"]
    # Request order: the seats go to the first registrations the server took (it takes the
    # meeting's row lock, then stamps the time), and the waiting list follows the same order:
    # by registration time, no confirmed seat after the first waitlisted person.
    statuses = [status for _user, status in registrations]
    first_waiting = statuses.index("waitlisted") if "waitlisted" in statuses else len(statuses)
    order_kept = "confirmed" not in statuses[first_waiting:]
    sent = {r["person"]: r.get("register_sent", 0) for r in records}
    send_ranks = sorted(sent, key=sent.get)
    server_ranks = [user for user, _status in registrations]
    position = {user: index for index, user in enumerate(server_ranks)}
    displacement = statistics.mean(
        abs(position[user] - index) for index, user in enumerate(send_ranks) if user in position
    )
    return {
        "users": users,
        "answered": len(records),
        "max_s": durations[-1],
        "p95_s": durations[int(0.95 * (len(durations) - 1))],
        "span_s": max(r["end"] for r in records) - first_start,
        "errors": errors,
        "confirmed": len(confirmed),
        "waitlisted": len(waitlisted),
        "waitlist_in_order": order_kept,
        "mean_rank_displacement": displacement,
    }


def feature_benchmarks() -> dict:
    results = {}
    for name, command in (
        ("attendee_exports", ["bench/attendee_exports.py", "--json"]),
        ("invitation_campaign", ["bench/invitation_campaign.py", "--json"]),
        ("growth_report", ["bench/growth_report.py", "--json"]),
    ):
        output = subprocess.run(
            [sys.executable, *command], cwd=ROOT, capture_output=True, text=True, check=False
        )
        lines = [line for line in output.stdout.splitlines() if line.startswith("{")]
        results[name] = json.loads(lines[-1]) if lines else {"error": output.stderr[-2000:]}
    return results


def verdict(met: bool) -> str:
    return "met" if met else "**missed**"


def table(measured: dict) -> str:
    rows = []
    anon = measured.get("anonymous", {})
    for page in ("meeting page", "group page"):
        result = anon.get(page)
        if result:
            rows.append(
                (
                    f"anonymous {page}, 20 connections",
                    "≥ 300 requests/s, p95 ≤ 80 ms",
                    f"{result['rps']:.0f} requests/s, p95 {result['p95_us'] / 1000:.0f} ms"
                    f" ({result['socket_errors'] + result['non_2xx_3xx']} errors)",
                    verdict(result["rps"] >= 300 and result["p95_us"] <= 80_000),
                )
            )
    logged = measured.get("logged_in")
    if logged:
        rows.append(
            (
                "logged-in meeting page",
                "≤ 6 queries, ≤ 8 ms server time alone",
                f"{logged['queries']} queries, {logged['median_ms']:.1f} ms median "
                f"({logged['best_ms']:.1f} ms best)",
                verdict(logged["queries"] <= 6 and logged["median_ms"] <= 8),
            )
        )
    result = measured.get("burst")
    if result:
        rows.append(
            (
                f"burst: {result['users']} logged-in members, 50 seats",
                "everyone answered ≤ 7 s; exactly 50 confirmed; waiting list in order; no errors",
                f"slowest person {result['max_s']:.1f} s (p95 {result['p95_s']:.1f} s, all done "
                f"after {result['span_s']:.1f} s); {result['confirmed']} confirmed, "
                f"{result['waitlisted']} waitlisted; order kept: {result['waitlist_in_order']}; "
                f"{result['errors']} errors",
                verdict(
                    result["max_s"] <= 7
                    and result["confirmed"] == 50
                    and result["waitlist_in_order"]
                    and result["errors"] == 0
                    and result["answered"] == result["users"]
                ),
            )
        )
    features = measured.get("features", {})
    exports = features.get("attendee_exports", {})
    if "pdf" in exports:
        pdf = exports["pdf"]
        for size, limit_s, limit_mb in (("500", 1.5, None), ("5000", 12, 300)):
            if size in pdf:
                seconds, peak = pdf[size]["seconds"], pdf[size]["peak_rss_mb"]
                target = f"≤ {limit_s} s" + (f", < {limit_mb} MB peak" if limit_mb else "")
                rows.append(
                    (
                        f"attendee PDF, {size} rows",
                        target,
                        f"{seconds:.1f} s, {peak:.0f} MB peak",
                        verdict(seconds <= limit_s and (limit_mb is None or peak < limit_mb)),
                    )
                )
    campaign = features.get("invitation_campaign", {})
    if "messages_per_second" in campaign:
        rows.append(
            (
                "invitation campaign, 10,000 recipients",
                "action < 1 s, ≥ 300 messages/s, worker < 250 MB",
                f"action {campaign['action_seconds']:.2f} s, "
                f"{campaign['messages_per_second']:.0f} messages/s, "
                f"worker {campaign['worker_pss_mb']:.0f} MB",
                verdict(
                    campaign["action_seconds"] < 1
                    and campaign["messages_per_second"] >= 300
                    and campaign["worker_pss_mb"] < 250
                ),
            )
        )
    report = features.get("growth_report", {})
    if "aggregation_seconds" in report:
        slowest = max(report["pdf"].values(), key=lambda r: r["total"])
        peak = max(r["peak_rss_mb"] for r in report["pdf"].values())
        rows.append(
            (
                "growth report, 1,000 responses",
                "aggregation < 1 s, each PDF < 10 s, peak < 500 MB",
                f"aggregation {report['aggregation_seconds']:.2f} s, slowest PDF "
                f"{slowest['total']:.1f} s, peak {peak:.0f} MB",
                verdict(report["aggregation_seconds"] < 1 and slowest["total"] < 10 and peak < 500),
            )
        )
    today = datetime.datetime.now(datetime.UTC).date().isoformat()
    header = [
        f"Measured {today} on {os.cpu_count()} cores ({measured.get('data', '')}).",
        "",
        "| what | target | measured | |",
        "|---|---|---|---|",
    ]
    return "\n".join(header + [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--burst", type=int, default=500)
    parser.add_argument("--seconds", type=int, default=10, help="wrk duration per page")
    parser.add_argument("--skip-features", action="store_true")
    parser.add_argument("--keep-database", action="store_true")
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()

    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()
    tmp = Path(tempfile.mkdtemp(prefix="optonet-bench-"))
    port, smtp_port = free_port(), free_port()
    database_url = ADMIN_URL.rsplit("/", 1)[0] + f"/{DB_NAME}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "optonet.settings.production",
        "SECRET_KEY": "bench-" + "x" * 60,
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "DATABASE_URL": database_url,
        "REDIS_URL": REDIS_URL,
        "CACHE_KEY_PREFIX": "bench",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp_port),
        "PORTAL_BASE_URL": f"http://127.0.0.1:{port}",
        "ALLOW_HTTP_BASE_URL": "true",
        "SECURE_SSL_REDIRECT": "false",
        "STATIC_ROOT": str(tmp / "static"),
        "MEDIA_ROOT": str(tmp / "media"),
        "DJANGO_LOG_LEVEL": "WARNING",
    }
    os.environ.update(env)
    reuse = args.keep_database and database_exists()
    if not reuse:
        admin_sql(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        admin_sql(f'CREATE DATABASE "{DB_NAME}"')
    stack = None
    smtp = None
    measured: dict = {}
    try:
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        from bench.large_data import Sizes, generate

        if reuse:
            generated = _find_generated()
        else:
            generated = generate(Sizes().scaled(args.scale))
            print(f"generated in {generated.seconds:.0f} s: {generated.counts}", flush=True)
        measured["data"] = ", ".join(f"{v:,} {k}" for k, v in generated.counts.items())

        from aiosmtpd.controller import Controller

        smtp = Controller(SmtpCounter(), hostname="127.0.0.1", port=smtp_port)
        smtp.start()
        from django.db import connections

        connections.close_all()
        stack = Stack(env, port)
        stack.start(tmp)

        base = f"http://127.0.0.1:{port}"
        measured["anonymous"] = {
            "meeting page": wrk(
                f"{base}/meetings/{generated.busy_meeting_id}/", seconds=args.seconds
            ),
            "group page": wrk(f"{base}/groups/{generated.busy_group_slug}/", seconds=args.seconds),
        }
        print("anonymous pages measured", flush=True)
        measured["logged_in"] = logged_in_page(generated.busy_meeting_id, generated.member_ids[-1])
        print("logged-in page measured", flush=True)
        measured["burst"] = burst(
            port, generated.burst_meeting_id, generated.member_ids[: args.burst], tmp
        )
        print("burst measured", flush=True)
        stack.stop()
        stack = None
        if not args.skip_features:
            measured["features"] = feature_benchmarks()
    finally:
        if stack is not None:
            stack.stop()
        if smtp is not None:
            smtp.stop()
        try:
            from django.db import connections

            connections.close_all()
        except Exception:  # noqa: BLE001 – Django may not be set up yet
            pass
        if not args.keep_database:
            admin_sql(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        redis.Redis.from_url(REDIS_URL).flushdb()
        shutil.rmtree(tmp, ignore_errors=True)
    print()
    print(table(measured))
    if args.json:
        Path(args.json).write_text(json.dumps(measured, indent=2, default=str))


def _find_generated():
    """A kept database: the meetings and people the generator made, found again."""
    from django.db.models import Count

    from bench.large_data import Generated
    from members.models import User
    from workinggroups.models import Meeting, Registration, WorkingGroup

    burst_meeting = Meeting.objects.get(title="Burst: 50 Plätze")
    Registration.objects.filter(meeting=burst_meeting).delete()
    busy = (
        Meeting.objects.filter(group=burst_meeting.group, capacity=120)
        .exclude(pk=burst_meeting.pk)
        .order_by("-starts_at")
        .first()
    )
    group = WorkingGroup.objects.annotate(n=Count("meetings")).get(pk=burst_meeting.group_id)
    members = list(User.objects.order_by("pk").values_list("pk", flat=True)[:2000])
    return Generated(
        burst_meeting_id=burst_meeting.pk,
        busy_meeting_id=busy.pk,
        busy_group_slug=group.slug,
        member_ids=members,
        counts={"people": User.objects.count(), "meetings": Meeting.objects.count()},
        seconds=0.0,
    )


if __name__ == "__main__":
    threading.excepthook = lambda hook: None  # aiosmtpd's thread on shutdown: not our concern
    main()
