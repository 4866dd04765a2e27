"""Where the time of the busiest minute goes: a sampling profile (pyinstrument) of the pages of
the burst, in this process, with production settings against the benchmark's kept database.

    .venv/bin/python bench/portal_load.py --keep-database --skip-features   # makes the database
    .venv/bin/python bench/profile_pages.py [--requests 40] [--lines 45]

Profiles: the logged-in meeting page, registering (a seat or the waiting list; the
registrations are removed again afterwards), "my meetings", and the anonymous meeting page
without its page cache (what a cache miss costs).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.stack import database_exists, production_env  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--lines", type=int, default=45)
    args = parser.parse_args()
    if not database_exists():
        sys.exit("No benchmark database: run bench/portal_load.py --keep-database first.")
    os.environ.update(production_env(8000, 2525, Path(tempfile.mkdtemp())))
    os.environ["ALLOWED_HOSTS"] = "testserver"

    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    call_command("collectstatic", interactive=False, verbosity=0)
    from pyinstrument import Profiler

    from bench.portal_load import _find_generated
    from members.models import User

    try:
        from optonet.page_cache import VERSION_KEY
    except ImportError:  # profiling a commit from before the page cache
        VERSION_KEY = "anonymous-pages:version"
    from workinggroups.models import Registration

    generated = _find_generated()
    people = list(User.objects.filter(pk__in=generated.member_ids[: args.requests + 1]))
    meeting_url = f"/meetings/{generated.busy_meeting_id}/"
    burst_url = f"/meetings/{generated.burst_meeting_id}/register/"

    def logged_in(person) -> Client:
        client = Client()
        client.force_login(person)
        client.get(meeting_url)  # warm: templates compiled, session cached
        return client

    anonymous = Client()

    def anonymous_page():
        from django.core.cache import cache

        cache.delete(VERSION_KEY)  # every request a miss: the rendering is what is profiled
        anonymous.get(meeting_url)

    member = logged_in(people[0])
    cases = [
        ("logged-in meeting page", lambda: member.get(meeting_url)),
        ("my meetings", lambda: member.get("/me/meetings/")),
        ("anonymous meeting page, cache miss", anonymous_page),
    ]
    registering = [logged_in(person) for person in people[1:]]
    len(registering) // 2
    try:
        for name, call in cases:
            _profile(Profiler, name, [call] * args.requests, args.lines)
        _profile(
            Profiler,
            "register",
            [
                lambda client=client: client.post(burst_url, {"mode": "on_site"})
                for client in registering
            ],
            args.lines,
        )
    finally:
        Registration.objects.filter(meeting_id=generated.burst_meeting_id).delete()


def _profile(profiler_class, name: str, calls: list, lines: int, timed: int | None = None) -> None:
    """Time the calls without the profiler (median), then profile them (the same calls again,
    or, for calls that change the data, the ones after the first `timed`)."""
    import statistics
    import time

    timed_calls = calls[:timed] if timed else calls
    profiled_calls = calls[timed:] if timed else calls
    durations = []
    for call in timed_calls:
        started = time.perf_counter()
        call()
        durations.append((time.perf_counter() - started) * 1000)
    profiler = profiler_class(interval=0.001)
    profiler.start()
    for call in profiled_calls:
        call()
    profiler.stop()
    print(
        f"\n## {name}: {statistics.median(durations):.1f} ms median, {min(durations):.1f} ms best"
        f" ({len(durations)} requests without the profiler)\n"
    )
    text = profiler.output_text(unicode=False, color=False, show_all=False)
    print("\n".join(text.splitlines()[:lines]))


if __name__ == "__main__":
    main()
