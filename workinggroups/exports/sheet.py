"""The printable A4 sign-in sheet of a meeting's confirmed attendees (WeasyPrint).

Fast and bounded in memory for long lists, by construction:

- Every row has the same height and every page a known number of rows, so which rows go on which
  page, the page numbers ("Seite 3 / 12") and each page's header are decided here, in Python,
  before WeasyPrint lays anything out. Only the first page's header varies in height (long
  titles and addresses wrap); it is measured once by laying out that header alone.
- The rows are plain blocks with floated cells: WeasyPrint's table layout is its slowest one, and
  the column lines are drawn once per page instead of four borders per cell.
- The pages are rendered as several documents ("chunks") of at most `MAX_ROWS_PER_CHUNK` rows,
  in parallel worker processes when the list is long enough, and joined with pypdf. WeasyPrint
  keeps every box of a document in memory until the PDF is written, so the chunk size, not the
  length of the list, decides the memory a rendering needs.
"""

from __future__ import annotations

import contextlib
import io
import logging
import math
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

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
# Below this many rows, starting processes costs more than it saves.
PARALLEL_FROM_ROWS = 120
# WeasyPrint needs about 120 KB per row until the chunk is written: 600 rows stay under 100 MB
# on top of the process itself.
MAX_ROWS_PER_CHUNK = 600


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
LONG_NAME = 34
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
    row_count: int, *, first_page_rows: int, rows_per_page: int, rows_left_for_tail: int
) -> list[range]:
    """Which rows (indexes) go on each page: `first_page_rows` on the first, `rows_per_page` on
    every other. The walk-in rows need the room of `rows_left_for_tail` rows on the last page;
    if it lacks that room, they get a page of their own (an empty range)."""
    if rows_per_page < 1:
        raise ValueError("a page must hold at least one row")
    pages = []
    start, capacity = 0, max(first_page_rows, 0)
    while True:
        end = min(row_count, start + capacity)
        pages.append(range(start, end))
        if end == row_count:
            if capacity - (end - start) < rows_left_for_tail:
                pages.append(range(row_count, row_count))
            return pages
        start, capacity = end, rows_per_page


def split_into_chunks(page_count: int, chunks: int) -> list[range]:
    """Consecutive runs of pages, as even as possible (the first runs one page longer)."""
    chunks = max(1, min(chunks, page_count))
    size, extra = divmod(page_count, chunks)
    runs, start = [], 0
    for index in range(chunks):
        end = start + size + (1 if index < extra else 0)
        runs.append(range(start, end))
        start = end
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

    `processes` (default: up to MAX_PROCESSES, one per core) render the chunks in parallel; 1
    renders them one after the other in this process. Either way the file is the same."""
    import weasyprint  # noqa: F401 -- before the workers are forked: they inherit it

    signing = [r for r in rows if r.status_code == Registration.Status.CONFIRMED]
    if processes is None:
        processes = available_processes() if len(signing) >= PARALLEL_FROM_ROWS else 1
    # The workers are forked before this process lays anything out (the header is measured
    # below), so they start from a clean text-layout state.
    with _worker_pool(processes) as pool:
        sheet = SignInSheet(meeting, signing)
        chunks = chunk_count(
            len(signing), processes=processes, max_rows_per_chunk=max_rows_per_chunk
        )
        jobs = sheet.chunk_jobs(chunks)
        if pool is None:
            parts = [_render_chunk(job, sheet.font_config) for job in jobs]
        else:
            parts = pool.map(_render_chunk_in_worker, jobs, chunksize=1)
    return join_pdfs(parts)


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
            first_page_rows=self._rows_on_first_page(),
            rows_per_page=math.floor(GEOMETRY.rows_space / GEOMETRY.row),
            rows_left_for_tail=math.ceil(GEOMETRY.tail / GEOMETRY.row),
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

    def _rows_on_first_page(self) -> int:
        """Lay out the first page without rows: where its grid begins decides how many fit."""
        from weasyprint import HTML

        probe_page = SheetPage(number=1, rows=[], is_last=False)
        document = HTML(string=self.html([probe_page], total_pages=1, probe=True)).render(
            font_config=self.font_config
        )
        grid_top_mm = document.pages[0].anchors["sheet-grid"][1] / PX_PER_MM
        header = grid_top_mm - GEOMETRY.margin_top
        space = GEOMETRY.body - header - GEOMETRY.column_head - GEOMETRY.slack
        return max(0, math.floor(space / GEOMETRY.row))

    def chunk_jobs(self, chunks: int) -> list[ChunkJob]:
        jobs = []
        for run in split_into_chunks(len(self.pages), chunks):
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


_worker_font_config: tuple[int, Any] | None = None


def _render_chunk_in_worker(job: ChunkJob) -> bytes:
    """In a worker process: one font configuration for all its chunks (fontconfig's setup
    takes a while), never one inherited from the parent."""
    global _worker_font_config
    from weasyprint.text.fonts import FontConfiguration

    if _worker_font_config is None or _worker_font_config[0] != os.getpid():
        _worker_font_config = (os.getpid(), FontConfiguration())
    return _render_chunk(job, _worker_font_config[1])


@contextlib.contextmanager
def _worker_pool(processes: int) -> Iterator[Any]:
    """`processes` forked workers, or None for rendering in this process.

    billiard, Celery's fork of multiprocessing, because the sheet is rendered inside Celery's
    prefork workers: the standard library (and so concurrent.futures) refuses to start processes
    from those, as they are daemonic; billiard does not."""
    if processes <= 1:
        yield None
        return
    from billiard import get_context

    try:
        pool = get_context("fork").Pool(processes)
    except OSError:  # no processes to be had (limits, memory): slower, but the sheet is made
        logger.warning("sign-in sheet: no worker processes, rendering in this one", exc_info=True)
        yield None
        return
    with pool:
        yield pool


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
