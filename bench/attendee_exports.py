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
import atexit
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
        # A throw-away database: gone when this process ends (with SQLite's side files).
        atexit.register(
            lambda: [Path(path + suffix).unlink(missing_ok=True) for suffix in ("", "-wal", "-shm")]
        )
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


class MemorySampler(threading.Thread):
    """Samples this process and its forked children (the sheet's worker processes) every
    `interval` seconds until stopped: each child's peak resident memory (VmHWM, which only
    grows, so the last reading is the peak), and the largest total proportional set size
    (PSS: pages shared by several processes counted once in all, what the machine needs)."""

    def __init__(self, interval: float = 0.1):
        super().__init__(daemon=True)
        self.interval = interval
        self.child_peaks_kb: dict[int, int] = {}
        self.pss_peak_kb = 0
        self.done = threading.Event()

    def _children(self) -> list[int]:
        """Forked workers only: children that exec another program are not counted."""
        pid = os.getpid()
        own = Path(f"/proc/{pid}/cmdline").read_bytes()
        try:
            children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        except OSError:
            return []
        workers = []
        for child in children:
            try:
                if Path(f"/proc/{child}/cmdline").read_bytes() == own:
                    workers.append(int(child))
            except OSError:
                continue  # just ended
        return workers

    @staticmethod
    def _field_kb(path: str, field: str) -> int:
        for line in Path(path).read_text().splitlines():
            if line.startswith(field):
                return int(line.split()[1])
        return 0

    def run(self) -> None:
        while not self.done.is_set():
            pss = self._field_kb("/proc/self/smaps_rollup", "Pss:")
            for child in self._children():
                try:
                    peak = self._field_kb(f"/proc/{child}/status", "VmHWM:")
                    pss += self._field_kb(f"/proc/{child}/smaps_rollup", "Pss:")
                except OSError:
                    continue  # just ended
                self.child_peaks_kb[child] = max(self.child_peaks_kb.get(child, 0), peak)
            self.pss_peak_kb = max(self.pss_peak_kb, pss)
            self.done.wait(self.interval)

    def stop(self) -> None:
        self.done.set()
        self.join()


def child_pdf(size: int, processes: int | None) -> None:
    """One sign-in sheet of `size` attendees in this fresh process, as a worker's first one:
    wall time of the render (`seconds`, WeasyPrint's import included, as before), then of a
    second one (`warm_seconds`). Memory of the first: `peak_rss_mb` sums the peak resident
    memory of this process and of each worker process it forks (an upper bound: forked
    workers share most of their pages with this process), `largest_process_mb` is the peak of
    the largest single process, `peak_pss_mb` the largest sampled total with shared pages
    counted once."""
    from django.utils import translation

    from workinggroups import exports
    from workinggroups.selectors import attendee_list

    translation.activate("de")
    meeting = make_meeting(size)
    rows = attendee_list(meeting)
    memory = MemorySampler()
    began = time.perf_counter()
    import weasyprint  # noqa: F401 -- timed; sampled after: its import runs helper programs

    memory.start()
    content = exports.attendees_pdf(meeting, rows, processes=processes)
    seconds = time.perf_counter() - began
    memory.stop()
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    began = time.perf_counter()
    exports.attendees_pdf(meeting, rows, processes=processes)
    warm_seconds = time.perf_counter() - began
    print(
        json.dumps(
            {
                "seconds": seconds,
                "warm_seconds": warm_seconds,
                "peak_rss_mb": own + sum(memory.child_peaks_kb.values()) / 1024,
                "largest_process_mb": max(own, children),
                "peak_pss_mb": memory.pss_peak_kb / 1024,
                "processes": 1 + len(memory.child_peaks_kb),
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
