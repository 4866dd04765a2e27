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
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


from bench.load import burst, feature_benchmarks, logged_in_page, wrk  # noqa: E402
from bench.stack import (  # noqa: E402
    DB_NAME,
    REDIS_URL,
    SmtpCounter,
    Stack,
    admin_sql,
    database_exists,
    free_port,
    production_env,
)


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
                largest = pdf[size].get("largest_process_mb", peak)
                target = f"≤ {limit_s} s" + (f", < {limit_mb} MB peak" if limit_mb else "")
                rows.append(
                    (
                        f"attendee PDF, {size} rows",
                        target,
                        f"{seconds:.1f} s, largest process {largest:.0f} MB "
                        f"(all processes {peak:.0f} MB)",
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
    for name, result in features.items():
        if "error" in result:
            last = (result["error"].strip().splitlines() or ["no output"])[-1][:160]
            rows.append(
                (f"{name.replace('_', ' ')} benchmark", "runs", f"failed: {last}", verdict(False))
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
    env = production_env(port, smtp_port, tmp)
    started_with = dict(os.environ)  # the feature benchmarks make their own settings
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
            measured["features"] = feature_benchmarks(started_with)
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
