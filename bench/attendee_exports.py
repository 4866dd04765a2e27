"""Benchmark: attendee list exports (CSV, XLSX, PDF sign-in sheet) for 500 and 5,000 attendees.

Prints wall time (best of N runs) and peak Python memory (tracemalloc) per format and size,
plus the number of SQL queries of the selector. Runs on a throw-away SQLite database unless
DATABASE_URL points elsewhere; never part of the test suite.

The sign-in sheet may be rendered by worker processes, which tracemalloc does not see: its
memory is measured with --json, each size in a fresh process, as peak resident memory of the
rendering process and its workers (the sum of their peaks, and the largest single process).

    .venv/bin/python bench/attendee_exports.py [--sizes 500 5000] [--repeat 3]
    .venv/bin/python bench/attendee_exports.py --json [--sizes 500 5000] [--processes 1]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
import tracemalloc
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup_django() -> None:
    if "DATABASE_URL" not in os.environ:
        handle, path = tempfile.mkstemp(suffix=".sqlite3", prefix="optonet-bench-")
        os.close(handle)
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    os.environ.pop("REDIS_URL", None)  # tasks in-process, cache in memory
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "optonet.settings.local")
    os.environ.setdefault("DJANGO_LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def make_meeting(size: int):
    from django.utils import timezone

    from members.models import Function, Organization, User
    from workinggroups.models import Meeting, Moderation, Registration, WorkingGroup

    group, _ = WorkingGroup.objects.get_or_create(
        slug="bench", defaults={"name_de": "Arbeitskreis Bench", "name_en": "Bench group"}
    )
    moderator, _ = User.objects.get_or_create(
        email="moderator@bench.example", defaults={"first_name": "Mia", "last_name": "Moderatorin"}
    )
    Moderation.objects.get_or_create(group=group, user=moderator)
    organizations = Organization.objects.bulk_create(
        Organization(name=f"Bench-Optik {size}-{i} GmbH", city="Jena") for i in range(100)
    )
    functions = [f for f, _label in Function.choices]
    people = User.objects.bulk_create(
        User(
            email=f"person{size}-{i}@bench.example",
            first_name=f"Jürgen{i}",
            last_name=f"Müller-Łukasz{i}",
            job_title="Leiterin Qualitätsmanagement",
            function=functions[i % len(functions)],
            organization=organizations[i % 100],
        )
        for i in range(size)
    )
    start = timezone.now() + timedelta(days=30)
    meeting = Meeting.objects.create(
        group=group,
        title=f"Bench meeting {size}",
        starts_at=start,
        ends_at=start + timedelta(hours=3),
        status=Meeting.Status.PUBLISHED,
        venue_name="Bench GmbH",
        venue_address="Musterstraße 1, 07745 Jena",
    )
    Registration.objects.bulk_create(
        Registration(
            meeting=meeting,
            user=person,
            organization=person.organization,
            status=Registration.Status.CONFIRMED if i % 10 else Registration.Status.WAITLISTED,
            mode=Registration.Mode.ON_SITE,
        )
        for i, person in enumerate(people)
    )
    return meeting


def pdf_in_child(size: int, processes: int | None = None) -> dict:
    extra = ["--processes", str(processes)] if processes else []
    output = subprocess.run(
        [sys.executable, __file__, "--child-pdf", str(size), *extra],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


class WorkerPeaks(threading.Thread):
    """Polls this process's children (the sheet's worker processes) for their peak resident
    memory (VmHWM) until stopped; a worker's peak only grows, so the last reading is its peak."""

    def __init__(self, interval: float = 0.02):
        super().__init__(daemon=True)
        self.interval = interval
        self.peaks_kb: dict[int, int] = {}
        self.done = threading.Event()

    def _children(self) -> list[int]:
        pid = os.getpid()
        try:
            return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
        except OSError:
            return []

    def run(self) -> None:
        while not self.done.is_set():
            for child in self._children():
                try:
                    status = Path(f"/proc/{child}/status").read_text()
                except OSError:
                    continue  # just ended
                for line in status.splitlines():
                    if line.startswith("VmHWM:"):
                        peak = int(line.split()[1])
                        self.peaks_kb[child] = max(self.peaks_kb.get(child, 0), peak)
            self.done.wait(self.interval)

    def stop(self) -> dict[int, int]:
        self.done.set()
        self.join()
        return self.peaks_kb


def child_pdf(size: int, processes: int | None) -> None:
    """One sign-in sheet of `size` attendees in this fresh process: wall time of the render
    and the peak resident memory it needs: `peak_rss_mb` is the sum of the peaks of this
    process and of its worker processes (an upper bound: forked workers share pages with this
    process), `largest_process_mb` the peak of the largest single process."""
    from django.utils import translation

    from workinggroups import exports
    from workinggroups.selectors import attendee_list

    translation.activate("de")
    meeting = make_meeting(size)
    rows = attendee_list(meeting)
    workers = WorkerPeaks()
    workers.start()
    began = time.perf_counter()
    content = exports.attendees_pdf(meeting, rows, processes=processes)
    seconds = time.perf_counter() - began
    worker_peaks = workers.stop()
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(
        json.dumps(
            {
                "seconds": seconds,
                "peak_rss_mb": own + sum(worker_peaks.values()) / 1024,
                "largest_process_mb": max(own, children),
                "parent_rss_mb": own,
                "workers": len(worker_peaks),
                "bytes": len(content),
            }
        )
    )


def measure(function, repeat: int, with_memory: bool) -> tuple[float, float | None, int]:
    """Best wall time of `repeat` plain runs; then one traced run for the peak of Python
    allocations (tracemalloc slows the code down, so it never overlaps the timed runs)."""
    times = []
    result = None
    for _ in range(repeat):
        began = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - began)
    peak = None
    if with_memory:
        tracemalloc.start()
        function()
        peak = tracemalloc.get_traced_memory()[1] / 1024 / 1024
        tracemalloc.stop()
    size = len(result) if isinstance(result, bytes | list) else 0
    return min(times), peak, size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[500, 5000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--json",
        action="store_true",
        help="only the PDF, each size in a fresh process (time and peak RSS), as one JSON line",
    )
    parser.add_argument(
        "--processes",
        type=int,
        help="worker processes for the sign-in sheet (default: as in production; 1: none)",
    )
    parser.add_argument("--child-pdf", type=int, help=argparse.SUPPRESS)
    parser.add_argument(
        "--no-memory",
        action="store_true",
        help="skip the traced run (it takes about 5x the time for the PDF)",
    )
    args = parser.parse_args()
    if args.json:
        pdf = {str(size): pdf_in_child(size, args.processes) for size in args.sizes}
        print(json.dumps({"pdf": pdf}))
        return
    setup_django()
    if args.child_pdf:
        child_pdf(args.child_pdf, args.processes)
        return

    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import translation

    from workinggroups import exports
    from workinggroups.selectors import attendee_list

    translation.activate("de")
    print(f"{'attendees':>9}  {'step':<14} {'best time':>10} {'peak memory':>12} {'output':>10}")
    for size in args.sizes:
        meeting = make_meeting(size)
        with CaptureQueriesContext(connection) as queries:
            rows = attendee_list(meeting)
        steps = [
            ("selector", lambda meeting=meeting: attendee_list(meeting)),
            ("csv", lambda rows=rows: exports.attendees_csv(rows)),
            ("xlsx", lambda meeting=meeting, rows=rows: exports.attendees_xlsx(meeting, rows)),
            (
                "pdf",
                lambda meeting=meeting, rows=rows: exports.attendees_pdf(
                    meeting, rows, processes=args.processes
                ),
            ),
        ]
        for name, function in steps:
            repeat = 1 if name == "pdf" and size > 1000 else args.repeat
            # The sheet's workers are invisible to tracemalloc: its memory is in --json.
            with_memory = not args.no_memory and name != "pdf"
            seconds, megabytes, output = measure(function, repeat, with_memory)
            unit = "rows" if name == "selector" else "bytes"
            memory = f"{megabytes:>10.1f}MB" if megabytes is not None else f"{'-':>12}"
            print(
                f"{size:>9}  {name:<14} {seconds:>9.3f}s {memory} {output:>10} {unit}", flush=True
            )
        print(f"{size:>9}  selector queries: {len(queries.captured_queries)}")


if __name__ == "__main__":
    main()
