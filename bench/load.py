"""The load the benchmarks put on the portal: wrk on single pages, the logged-in page alone,
the burst of members racing for seats (locust), and the per-feature benchmarks."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.stack import VENV_BIN  # noqa: E402


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
    # Read at once: `captured_queries` slices the connection's log when it is read, and every
    # later request empties that log when it starts.
    sql = [query["sql"] for query in queries.captured_queries]
    assert response.status_code == 200, response.status_code
    times = []
    for _run in range(30):
        started = time.perf_counter()
        client.get(url)
        times.append(time.perf_counter() - started)
    return {
        "queries": len(sql),
        "best_ms": min(times) * 1000,
        "median_ms": statistics.median(times) * 1000,
        "sql": [statement[:160] for statement in sql],
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
        session[BACKEND_SESSION_KEY] = "members.auth_backends.PortalModelBackend"
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
    steps = ("meeting page", "register", "my meetings")
    step_median_s = {
        step: statistics.median(r["seconds"][index] for r in records if len(r["seconds"]) > index)
        for index, step in enumerate(steps)
    }
    return {
        "users": users,
        "step_median_s": step_median_s,
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


def feature_benchmarks(environment: dict[str, str]) -> dict:
    """The per-feature benchmarks, each in its own process with `environment` (the one the
    harness was started with: each makes its own database and settings). A benchmark that
    fails is reported with its error, never left out silently."""
    results = {}
    for name, command in (
        ("attendee_exports", ["bench/attendee_exports.py", "--json"]),
        ("invitation_campaign", ["bench/invitation_campaign.py", "--json"]),
        ("growth_report", ["bench/growth_report.py", "--json"]),
    ):
        output = subprocess.run(
            [sys.executable, *command],
            cwd=ROOT,
            env=environment,
            capture_output=True,
            text=True,
            check=False,
        )
        lines = [line for line in output.stdout.splitlines() if line.startswith("{")]
        results[name] = json.loads(lines[-1]) if lines else {"error": output.stderr[-2000:]}
    return results
