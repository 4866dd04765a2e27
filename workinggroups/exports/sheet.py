"""The printable A4 sign-in sheet of a meeting's confirmed attendees (WeasyPrint).

Fast and bounded in memory for long lists, by construction:

- Every row has the same height and every page a known number of rows, so which rows go on which
  page, the page numbers ("Seite 3 / 12") and each page's header are decided here, in Python,
  before WeasyPrint lays anything out. Only the first page's header varies in height (long
  titles and addresses wrap); it is measured once by laying out that header alone.
- The rows are plain blocks with floated cells (WeasyPrint's table layout is slower), the column
  lines are drawn once per page instead of four borders per cell, and Python's cycle collector
  pauses while a chunk is laid out. WeasyPrint still needs 5 to 7 ms per row, mostly for the
  lines of text: a font with Arial's widths keeps most cells on one line.
- The pages are rendered as several documents ("chunks") of at most `MAX_ROWS_PER_CHUNK` rows,
  in forked worker processes when the list is long enough (`render_in_processes`), and joined
  with pypdf. WeasyPrint keeps every box of a document in memory until the PDF is written, so
  the chunk size, not the length of the list, decides the memory a rendering needs.
"""

from __future__ import annotations

import contextlib
import gc
import io
import logging
import math
import os
import pickle
import selectors
import signal
import traceback
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NoReturn

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from workinggroups.models import Meeting, Registration
from workinggroups.selectors import AttendeeRow

logger = logging.getLogger(__name__)

TEMPLATE = "workinggroups/pdf/signin_sheet.html"

# Worker processes for one sheet: the "pdf" Celery worker renders one sheet at a time, and a
# request renders at most ATTENDEE_PDF_SYNC_LIMIT rows; more processes than cores only cost memory.
MAX_PROCESSES = 2
# Below this many rows, worker processes save too little to be worth starting (measured:
# 40 rows 0.37 → 0.34 s, 80 rows 0.61 → 0.45 s, 200 rows 1.32 → 0.90 s).
PARALLEL_FROM_ROWS = 80
# WeasyPrint holds about 80 KB a row until the chunk is written: 400 rows add some 30 MB to a
# process. Measured on 5,000 rows: 250, 400 and 600 rows a chunk take the same time within
# noise (400 the least), the peak memory grows with the chunk.
MAX_ROWS_PER_CHUNK = 400


@dataclass(frozen=True)
class Geometry:
    """Sizes in millimetres, the one source of the template's page, row and block heights."""

    page_height: float = 297
    margin_top: float = 18
    margin_bottom: float = 20
    column_head: float = 7
    row: float = 11
    walk_in_head: float = 7
    walk_in_rows: int = 5
    closing: float = 12  # the "generated on" line under the walk-in rows
    slack: float = 1  # left free at the bottom of each page, against rounding

    @property
    def body(self) -> float:
        return self.page_height - self.margin_top - self.margin_bottom

    @property
    def tail(self) -> float:
        """The walk-in rows and the closing line, kept together on the last page."""
        return self.walk_in_head + self.walk_in_rows * self.row + self.closing

    @property
    def rows_space(self) -> float:
        """Height for rows on every page after the first: all but the column head."""
        return self.body - self.column_head - self.slack


GEOMETRY = Geometry()
PX_PER_MM = 96 / 25.4  # CSS pixels, the unit of WeasyPrint's positions

# Longer than this many characters, a cell's text is set smaller, so that it fits the row.
LONG_NAME = 40
LONG_ORGANIZATION = 44
LONG_JOB_TITLE = 34


@dataclass(frozen=True)
class SheetRow:
    number: int
    name: str
    mode: str
    organization: str
    function: str
    job_title: str

    @property
    def name_is_long(self) -> bool:
        return len(self.name) > LONG_NAME

    @property
    def organization_is_long(self) -> bool:
        return len(self.organization) > LONG_ORGANIZATION

    @property
    def job_title_is_long(self) -> bool:
        return len(self.job_title) > LONG_JOB_TITLE


@dataclass(frozen=True)
class SheetPage:
    number: int
    rows: Sequence[SheetRow]
    is_last: bool  # carries the walk-in rows and the closing line


def paginate(
    row_count: int, *, first_page_rows: float, rows_per_page: float, tail_rows: float
) -> list[range]:
    """Which rows (indexes) go on each page. The first page has room for `first_page_rows`
    rows, every other for `rows_per_page` (heights in rows, fractions included). The walk-in
    rows and the closing line need the room of `tail_rows` rows under the last row; if the last
    page lacks it, they get a page of their own (an empty range)."""
    if rows_per_page < 1:
        raise ValueError("a page must hold at least one row")
    pages = []
    start, room = 0, max(first_page_rows, 0)
    while True:
        end = min(row_count, start + math.floor(room))
        pages.append(range(start, end))
        if end == row_count:
            if room - (end - start) < tail_rows:
                pages.append(range(row_count, row_count))
            return pages
        start, room = end, rows_per_page


def split_into_chunks(page_work: Sequence[float], chunks: int) -> list[range]:
    """Consecutive runs of pages with about the same work each (`page_work`: one figure per
    page, such as its rows), so that no process is left rendering alone at the end."""
    chunks = max(1, min(chunks, len(page_work)))
    total = sum(page_work)
    runs, start, done = [], 0, 0.0
    for index in range(1, chunks):
        # end this run where the work done comes closest to its share, leaving a page each
        # for the runs still to come
        target = total * index / chunks
        end = start + 1
        done += page_work[start]
        while end < len(page_work) - (chunks - index):
            if abs(done + page_work[end] - target) >= abs(done - target):
                break
            done += page_work[end]
            end += 1
        runs.append(range(start, end))
        start = end
    runs.append(range(start, len(page_work)))
    return runs


def chunk_count(row_count: int, *, processes: int, max_rows_per_chunk: int) -> int:
    """Enough chunks to bound the memory; a multiple of the processes, so none idles at the end."""
    chunks = max(1, math.ceil(row_count / max_rows_per_chunk))
    if processes > 1:
        chunks = math.ceil(max(chunks, processes) / processes) * processes
    return chunks


def css_string(text: str) -> str:
    """`text` as a quoted CSS string for `content:`; nothing in it can end the string or the
    <style> element (the meeting title is typed by people)."""
    escaped = "".join(
        ch if (ch.isalnum() or ch in " .,:;!?()[]/-–·_+#*%") else f"\\{ord(ch):x} " for ch in text
    )
    return f'"{escaped}"'


def available_processes() -> int:
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return max(1, min(MAX_PROCESSES, cores))


def attendees_pdf(
    meeting: Meeting,
    rows: Sequence[AttendeeRow],
    *,
    processes: int | None = None,
    max_rows_per_chunk: int = MAX_ROWS_PER_CHUNK,
) -> bytes:
    """The printable A4 sign-in sheet of the confirmed attendees among `rows`.

    `processes` (default: up to MAX_PROCESSES, one per core, for lists of PARALLEL_FROM_ROWS
    rows or more) render the chunks in parallel; 1 renders them one after the other in this
    process. Either way the file is the same."""
    signing = [r for r in rows if r.status_code == Registration.Status.CONFIRMED]
    if processes is None:
        processes = available_processes() if len(signing) >= PARALLEL_FROM_ROWS else 1
    sheet = SignInSheet(meeting, signing)
    chunks = chunk_count(len(signing), processes=processes, max_rows_per_chunk=max_rows_per_chunk)
    jobs = sheet.chunk_jobs(chunks)
    parts = None
    if processes > 1 and len(jobs) > 1:
        try:
            parts = render_in_processes(jobs, processes)
        except OSError:  # no processes to be had (limits, memory): slower, but it is made
            logger.warning(
                "sign-in sheet: no worker processes, rendering in this one", exc_info=True
            )
    if parts is None:
        parts = []
        for job in jobs:
            with _garbage_collector_paused():
                parts.append(_render_chunk(job, sheet.font_config))
    return join_pdfs(parts)


@contextlib.contextmanager
def _garbage_collector_paused():
    """WeasyPrint makes millions of short-lived objects, and Python's cycle collector
    repeatedly walks all of them while a chunk is laid out: about 15 % of the time. A chunk's
    garbage is bounded (MAX_ROWS_PER_CHUNK), and collected when the collector resumes."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@dataclass(frozen=True)
class ChunkJob:
    html: str
    pages: int  # how many pages WeasyPrint must make of `html`
    first_page: int


class SignInSheet:
    """One meeting's sheet: the template context, the measured header and the pagination."""

    def __init__(self, meeting: Meeting, signing: Sequence[AttendeeRow]):
        from weasyprint.text.fonts import FontConfiguration

        self.font_config = FontConfiguration()
        self.meeting = meeting
        hybrid = meeting.format == Meeting.Format.HYBRID
        self.rows = [
            SheetRow(
                number=number,
                name=row.name,
                mode=row.mode if hybrid else "",
                organization=row.organization,
                function=row.function,
                job_title=row.job_title,
            )
            for number, row in enumerate(signing, start=1)
        ]
        moderations = meeting.group.moderations.select_related("user").all()
        self.context: dict[str, Any] = {
            "meeting": meeting,
            "group": meeting.group,
            "moderators": [m.user.full_name for m in moderations],
            "generated_at": timezone.now(),
            "LANGUAGE_CODE": get_language(),
            "geometry": GEOMETRY,
            "running_title": css_string(Truncator(meeting.title).chars(90)),
            "page_label": css_string(_("Page")),
            "confidential": css_string("OptoNet e.V. · " + _("confidential")),
            "walk_in_numbers": range(
                len(self.rows) + 1, len(self.rows) + 1 + GEOMETRY.walk_in_rows
            ),
        }
        spans = paginate(
            len(self.rows),
            first_page_rows=self._room_on_first_page() / GEOMETRY.row,
            rows_per_page=GEOMETRY.rows_space / GEOMETRY.row,
            tail_rows=GEOMETRY.tail / GEOMETRY.row,
        )
        self.pages = [
            SheetPage(
                number=number,
                rows=self.rows[span.start : span.stop],
                is_last=number == len(spans),
            )
            for number, span in enumerate(spans, start=1)
        ]

    def html(self, pages: Sequence[SheetPage], *, total_pages: int, probe: bool = False) -> str:
        return render_to_string(
            TEMPLATE,
            {
                **self.context,
                "pages": pages,
                "first_page_number": pages[0].number,
                "total_pages": total_pages,
                "probe": probe,
            },
        )

    def _room_on_first_page(self) -> float:
        """Millimetres for rows on the first page: its header is laid out alone, without rows,
        and where its grid begins decides."""
        from weasyprint import HTML

        probe_page = SheetPage(number=1, rows=[], is_last=False)
        document = HTML(string=self.html([probe_page], total_pages=1, probe=True)).render(
            font_config=self.font_config
        )
        grid_top = document.pages[0].anchors["sheet-grid"][1] / PX_PER_MM - GEOMETRY.margin_top
        return GEOMETRY.rows_space - grid_top

    def chunk_jobs(self, chunks: int) -> list[ChunkJob]:
        jobs = []
        # a page's work: its rows, and about as much again for what every page has (margins,
        # column head), more for the first page's header and the last page's walk-in rows
        work = [
            len(page.rows) + 8 + (10 if page.number == 1 or page.is_last else 0)
            for page in self.pages
        ]
        for run in split_into_chunks(work, chunks):
            pages = self.pages[run.start : run.stop]
            html = self.html(pages, total_pages=len(self.pages))
            jobs.append(ChunkJob(html=html, pages=len(pages), first_page=run.start + 1))
        return jobs


def _render_chunk(job: ChunkJob, font_config) -> bytes:
    from weasyprint import HTML

    document = HTML(string=job.html).render(font_config=font_config)
    if len(document.pages) != job.pages:
        # The page numbers printed on this chunk are wrong: a row or block grew beyond its
        # fixed height. The sheet is still complete, so it is delivered; the layout needs a fix.
        logger.error(
            "sign-in sheet: pages %s.. came out as %s pages instead of %s",
            job.first_page,
            len(document.pages),
            job.pages,
        )
    return document.write_pdf()


def render_in_processes(jobs: Sequence[ChunkJob], processes: int) -> list[bytes]:
    """The PDFs of `jobs`, in order, rendered by `processes` forked children: child k renders
    jobs k, k + processes, ... and sends them back through its pipe.

    Plain os.fork rather than a pool: Celery's prefork workers, where long sheets are rendered,
    are daemonic processes, from which multiprocessing (and so concurrent.futures) refuses to
    start any; billiard's pool, which would, takes most of a second to shut down. The children
    inherit the jobs, so nothing is sent to them, and they leave through os._exit, so nothing
    of the request or task that forked them (database connections, exit handlers) runs twice.
    The caller must be single-threaded (gunicorn's sync workers, Celery's prefork workers):
    a lock held by another thread at the fork would stay locked in the child."""
    pipes: dict[int, int] = {}  # child's pid -> read end of its pipe
    running: set[int] = set()
    try:
        for first in range(min(processes, len(jobs))):
            read_end, write_end = os.pipe()
            try:
                pid = os.fork()
            except BaseException:
                os.close(read_end)
                os.close(write_end)
                raise
            if pid == 0:
                os.close(read_end)
                _render_in_child(jobs, range(first, len(jobs), processes), write_end)
            os.close(write_end)
            pipes[pid] = read_end
            running.add(pid)
        import pypdf  # noqa: F401 -- for join_pdfs, while the children work

        received = _read_until_closed(list(pipes.values()))
        parts: dict[int, bytes] = {}
        for pid, read_end in pipes.items():
            with contextlib.suppress(ChildProcessError):  # reaped by a SIGCHLD handler
                os.waitpid(pid, 0)
            running.discard(pid)
            stream = io.BytesIO(received[read_end])
            with contextlib.suppress(EOFError, pickle.UnpicklingError):  # killed mid-way
                while stream.tell() < len(received[read_end]):
                    index, content = pickle.load(stream)  # from our own child: trusted
                    if index is None:
                        raise RuntimeError(f"sign-in sheet: a worker process failed\n{content}")
                    parts[index] = content
        if len(parts) != len(jobs):
            raise RuntimeError("sign-in sheet: a worker process ended without its chunks")
        return [parts[index] for index in range(len(jobs))]
    finally:
        for pid in running:  # after an error or a time limit: no orphan goes on rendering
            with contextlib.suppress(ProcessLookupError, ChildProcessError):
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
        for read_end in pipes.values():
            os.close(read_end)


def _render_in_child(jobs: Sequence[ChunkJob], indexes: range, write_end: int) -> NoReturn:
    status = 1
    try:
        from weasyprint.text.fonts import FontConfiguration

        # Everything inherited from the parent stays out of the collector's walks (which
        # would also copy the pages they touch); the collector runs between chunks only.
        gc.freeze()
        gc.disable()
        with os.fdopen(write_end, "wb") as out:
            try:
                font_config = FontConfiguration()  # its own, not the parent's
                for index in indexes:
                    content = _render_chunk(jobs[index], font_config)
                    pickle.dump((index, content), out, protocol=pickle.HIGHEST_PROTOCOL)
                    gc.collect()
                status = 0
            except Exception:
                pickle.dump((None, traceback.format_exc()), out)
    finally:
        os._exit(status)


def _read_until_closed(fds: list[int]) -> dict[int, bytes]:
    """Everything written to each pipe, read as it comes: a child must never wait for the
    parent to read another child's pipe first."""
    received = {fd: bytearray() for fd in fds}
    with selectors.DefaultSelector() as selector:
        for fd in fds:
            selector.register(fd, selectors.EVENT_READ)
        while selector.get_map():
            for key, _events in selector.select():
                data = os.read(key.fd, 1 << 20)
                if data:
                    received[key.fd] += data
                else:
                    selector.unregister(key.fd)
    return {fd: bytes(data) for fd, data in received.items()}


def join_pdfs(parts: Sequence[bytes]) -> bytes:
    """The chunks' PDFs as one file, with the first chunk's title and author."""
    if len(parts) == 1:
        return parts[0]
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    metadata = None
    for part in parts:
        reader = PdfReader(io.BytesIO(part))
        if metadata is None:
            metadata = reader.metadata
        writer.append(reader)
    if metadata:
        writer.add_metadata({key: str(value) for key, value in metadata.items()})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()
