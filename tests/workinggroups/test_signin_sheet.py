"""The PDF sign-in sheet: every confirmed attendee exactly once and in order, the page number and
the header on every page, and the same sheet however its pages are split into chunks and
processes."""

import errno
import io
import logging
import os
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone, translation
from pypdf import PdfReader

from tests.members.factories import UserFactory
from tests.workinggroups.factories import MeetingFactory, ModerationFactory
from workinggroups.exports import attendees_pdf, sheet
from workinggroups.selectors import AttendeeRow

pytestmark = pytest.mark.django_db


@pytest.fixture
def meeting(group, moderator):
    return MeetingFactory(group=group, title="Laserschutz in der Praxis", venue_name="Lichtwerk")


@pytest.fixture
def frozen_now(monkeypatch):
    """The sheet prints when it was made: the same minute for renderings that are compared."""
    now = timezone.now()
    monkeypatch.setattr(timezone, "now", lambda: now)
    return now


def _row(name: str, *, status: str = "confirmed", **fields) -> AttendeeRow:
    values = {
        "name": name,
        "organization": "Präzisionsoptik Gera GmbH",
        "job_title": "Leiterin Qualitätsmanagement",
        "function": "Forschung und Entwicklung",
        "email": "person@example.org",
        "mode": "Vor Ort",
        "registered_at": timezone.now(),
        "status": status,
        "status_code": status,
        **fields,
    }
    return AttendeeRow(**values)


def _attendees(count: int) -> list[AttendeeRow]:
    """Names that sort in their numbers' order and are no part of one another."""
    return [_row(f"Vorname Zeile{index:03d}") for index in range(count)]


def _pages(content: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(content)).pages]


def test_95_attendees_appear_once_each_in_order_with_page_numbers_and_headers(meeting):
    waiting = [_row("Wanda Warteliste", status="waitlisted")]
    with translation.override("de"):
        pages = _pages(attendees_pdf(meeting, _attendees(95) + waiting))

    assert len(pages) >= 4
    text = "\n".join(pages)
    names = [f"Zeile{index:03d}" for index in range(95)]
    assert [text.count(name) for name in names] == [1] * 95
    positions = [text.index(name) for name in names]
    assert positions == sorted(positions)
    assert "Warteliste" not in text  # only confirmed attendees sign
    for number, page in enumerate(pages, start=1):
        assert f"Seite {number} / {len(pages)}" in page
        assert "OptoNet e.V. · vertraulich" in page
        assert "Unterschrift" in page and "Organisation" in page  # the column head
        assert "Laserschutz in der Praxis" in page  # as title on page 1, running title after
    assert "unterschriftenliste" in pages[0].lower() and "Lichtwerk" in pages[0]
    assert "Lichtwerk" not in pages[1]  # the meeting's facts only once
    assert "Nicht angemeldet" in pages[-1]
    assert all("Nicht angemeldet" not in page for page in pages[:-1])


def test_the_sheet_is_in_english_for_english_readers(meeting):
    with translation.override("en"):
        pages = _pages(attendees_pdf(meeting, _attendees(30)))
    assert len(pages) == 2
    assert "Page 1 / 2" in pages[0] and "Page 2 / 2" in pages[1]
    assert all("Signature" in page for page in pages)
    assert "Not registered" in pages[-1]


def test_chunks_and_worker_processes_make_the_same_sheet_as_one_document(
    meeting, frozen_now, monkeypatch
):
    rows = _attendees(95)
    joined = []
    join_pdfs = sheet.join_pdfs

    def counting_join(parts):
        joined.append(len(parts))
        return join_pdfs(parts)

    monkeypatch.setattr(sheet, "join_pdfs", counting_join)
    with translation.override("de"):
        whole = _pages(attendees_pdf(meeting, rows, processes=1, max_rows_per_chunk=1000))
        in_chunks = _pages(attendees_pdf(meeting, rows, processes=1, max_rows_per_chunk=20))
        in_parallel = _pages(attendees_pdf(meeting, rows, processes=2, max_rows_per_chunk=20))
    assert joined[0] == 1 and joined[1] > 1 and joined[2] > 1
    assert in_chunks == whole
    assert in_parallel == whole


def _child_processes() -> set[str]:
    pid = os.getpid()
    return set(Path(f"/proc/{pid}/task/{pid}/children").read_text().split())


def test_a_failing_worker_process_fails_the_sheet_and_leaves_no_process_behind(
    meeting, monkeypatch
):
    def broken(job, font_config):
        raise ValueError("WeasyPrint ist kaputt")

    before = _child_processes()
    monkeypatch.setattr(sheet, "_render_chunk", broken)  # the forked children inherit it
    with pytest.raises(RuntimeError, match="WeasyPrint ist kaputt"):
        attendees_pdf(meeting, _attendees(60), processes=2, max_rows_per_chunk=20)
    assert _child_processes() == before


def test_without_processes_to_be_had_the_sheet_is_made_in_this_one(meeting, monkeypatch):
    def no_fork():
        raise BlockingIOError(errno.EAGAIN, "Resource temporarily unavailable")

    monkeypatch.setattr(os, "fork", no_fork)
    with translation.override("de"):
        pages = _pages(attendees_pdf(meeting, _attendees(60), processes=2, max_rows_per_chunk=20))
    assert all(f"Seite {n} / {len(pages)}" in page for n, page in enumerate(pages, start=1))
    assert all(f"Zeile{index:03d}" in "".join(pages) for index in range(60))


def test_long_names_and_organisations_keep_their_row_and_the_page_count(meeting, caplog):
    short = _attendees(60)
    long = [
        _row(
            f"Prof. Dr.-Ing. habil. Maximiliane Zeile{index:03d} "
            "von und zu Lüdenscheidt-Wernigerode",
            organization="Fraunhofer-Institut für Angewandte Optik und Feinmechanik IOF, Jena "
            "(Abteilung Präzisionsoptische Komponenten und Systeme)",
            job_title="Stellvertretende Leiterin der Abteilung Qualitätsmanagement und Prüftechnik",
        )
        for index in range(60)
    ]
    with translation.override("de"), caplog.at_level(logging.ERROR):
        short_pages = _pages(attendees_pdf(meeting, short))
        long_pages = _pages(attendees_pdf(meeting, long))
    assert len(long_pages) == len(short_pages)
    assert not [r for r in caplog.records if r.name == sheet.__name__]
    text = "\n".join(long_pages)
    assert all(f"Zeile{index:03d}" in text for index in range(60))


def test_a_very_long_header_leaves_fewer_rows_on_the_first_page(group):
    plain = MeetingFactory(group=group, title="Kurz")
    wordy = MeetingFactory(
        group=group,
        title="Sehr langer Titel eines Treffens " * 6,
        venue_name="Ein Gastgeber mit einem langen Namen " * 5,
        venue_address="Eine Adresse, die über mehrere Zeilen geht, 07745 Jena " * 5,
    )
    for _ in range(6):
        ModerationFactory(group=group, user=UserFactory(last_name="Moderatorin-Mit-Langem-Namen"))
    rows = _attendees(40)
    with translation.override("de"):
        plain_sheet = sheet.SignInSheet(plain, rows)
        wordy_sheet = sheet.SignInSheet(wordy, rows)
        pages = _pages(attendees_pdf(wordy, rows))
    assert len(wordy_sheet.pages[0].rows) < len(plain_sheet.pages[0].rows)
    assert len(pages) == len(wordy_sheet.pages)
    assert all(f"Seite {n} / {len(pages)}" in page for n, page in enumerate(pages, start=1))


def test_hybrid_meetings_show_how_each_attendee_takes_part(group):
    hybrid = MeetingFactory(group=group, format="hybrid")
    with translation.override("de"):
        text = _pages(attendees_pdf(hybrid, [_row("Anna Online", mode="Online")]))[0]
    assert "Anna Online" in text and "(auch online)" in text
    assert text.count("Online") >= 2  # the name and the attendance mode


def test_an_empty_list_still_has_the_rows_for_walk_ins(meeting):
    with translation.override("de"):
        pages = _pages(attendees_pdf(meeting, []))
    assert len(pages) == 1
    assert "Nicht angemeldet" in pages[0] and "Seite 1 / 1" in pages[0]


@pytest.mark.parametrize(
    "count, first, per_page, tail, expected",
    [
        (0, 15.5, 22.8, 6.7, [(0, 0)]),
        (8, 15.5, 22.8, 6.7, [(0, 8)]),  # room for the walk-in rows under the last row
        (9, 15.5, 22.8, 6.7, [(0, 9), (9, 9)]),  # no room: they get a page of their own
        (15, 15.5, 22.8, 6.7, [(0, 15), (15, 15)]),
        (16, 15.5, 22.8, 6.7, [(0, 15), (15, 16)]),
        (50, 15.5, 22.8, 6.7, [(0, 15), (15, 37), (37, 50)]),
        (53, 15.5, 22.8, 6.7, [(0, 15), (15, 37), (37, 53)]),  # 22.8 - 16 rows >= 6.7
        (54, 15.5, 22.8, 6.7, [(0, 15), (15, 37), (37, 54), (54, 54)]),
        (5, 0.4, 22.8, 6.7, [(0, 0), (0, 5)]),  # a header that fills the first page
    ],
)
def test_pagination_places_every_row_once_and_keeps_room_for_walk_ins(
    count, first, per_page, tail, expected
):
    pages = sheet.paginate(count, first_page_rows=first, rows_per_page=per_page, tail_rows=tail)
    assert [(page.start, page.stop) for page in pages] == expected
    assert [index for page in pages for index in page] == list(range(count))


def test_chunks_are_even_runs_of_pages_and_a_multiple_of_the_processes():
    assert sheet.split_into_chunks([1] * 7, 3) == [range(0, 2), range(2, 5), range(5, 7)]
    assert sheet.split_into_chunks([1] * 2, 4) == [range(0, 1), range(1, 2)]
    # a heavy first page: the first run takes fewer pages
    assert sheet.split_into_chunks([5, 1, 1, 1, 1, 1], 2) == [range(0, 1), range(1, 6)]
    runs = sheet.split_into_chunks([22] * 230, 10)
    assert [len(run) for run in runs] == [23] * 10
    assert [page for run in runs for page in run] == list(range(230))
    assert sheet.chunk_count(500, processes=2, max_rows_per_chunk=600) == 2
    assert sheet.chunk_count(5000, processes=2, max_rows_per_chunk=600) == 10
    assert sheet.chunk_count(5000, processes=1, max_rows_per_chunk=600) == 9


def test_titles_cannot_break_out_of_the_stylesheet():
    hostile = 'Treffen"; } </style><link rel="attachment" href="file:///etc/passwd">\\'
    quoted = sheet.css_string(hostile)
    assert quoted.startswith('"') and quoted.endswith('"')
    inner = quoted[1:-1]
    assert '"' not in inner and "<" not in inner and ">" not in inner and ";" in inner
    assert "\\22 " in inner and "\\3c " in inner and "\\5c " in inner


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_prefork_celery_worker_renders_a_long_sheet_in_parallel_processes(
    celery_worker_factory, tmp_path
):
    """Celery's prefork workers are daemonic processes, from which the standard library
    refuses to start processes; the sheet's workers must start there all the same."""
    from members.models import User
    from workinggroups import services
    from workinggroups.models import AttendeeListExport, Registration

    celery_worker_factory(concurrency=2)
    moderator = ModerationFactory().user
    meeting = MeetingFactory(group=moderator.moderations.get().group, title="Großes Treffen")
    count = sheet.PARALLEL_FROM_ROWS + 10
    people = User.objects.bulk_create(
        User(email=f"z{index}@example.org", first_name="Vorname", last_name=f"Zeile{index:03d}")
        for index in range(count)
    )
    Registration.objects.bulk_create(
        Registration(meeting=meeting, user=person, status="confirmed") for person in people
    )
    export = services.attendee_export_request(meeting=meeting, actor=moderator)
    deadline = time.monotonic() + timedelta(seconds=90).total_seconds()
    while time.monotonic() < deadline:
        export.refresh_from_db()
        if export.state in (AttendeeListExport.State.DONE, AttendeeListExport.State.FAILED):
            break
        time.sleep(0.3)
    assert export.state == "done", export.error
    stored = tmp_path / "worker-media" / export.file.name
    text = "\n".join(_pages(stored.read_bytes()))
    assert all(text.count(f"Zeile{index:03d}") == 1 for index in range(count))
