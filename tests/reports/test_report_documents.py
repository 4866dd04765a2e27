"""The report's PDFs (requested, rendered with visible progress, replaced in one step, audited
downloads), who may read the report, and each organisation's benchmark sheet."""

import io
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.utils import timezone
from pypdf import PdfReader

from members.models import AuditEvent
from reports import services
from reports.aggregation import figures_digest, round_figures
from reports.aggregation.benchmark import benchmark_sheet
from reports.models import ReportDocument, SurveyResponse, SurveyRound
from reports.rendering.benchmark import benchmark_pdf
from tests.members.factories import OrganizationFactory, UserFactory
from tests.reports.test_aggregation import data  # noqa: F401 – the hand-computed data set

pytestmark = pytest.mark.django_db


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def client_for(person) -> Client:
    client = Client()
    client.force_login(person)
    return client


@pytest.fixture
def people(data, office_user):  # noqa: F811
    org = data["org"]
    return {
        "anonymous": Client(),
        "unlinked": client_for(UserFactory(organization=None)),
        "other": client_for(UserFactory(organization=OrganizationFactory(name="Org Z"))),
        "own": client_for(UserFactory(organization=org["B"])),
        "office": client_for(office_user),
    }


def _done_document(survey_round, language, content=b"%PDF-1.4 old"):
    document = ReportDocument.objects.create(
        round=survey_round,
        language=language,
        state=ReportDocument.State.DONE,
        generated_at=timezone.now(),
        pages=12,
        attempt=1,
    )
    document.file.save("old.pdf", ContentFile(content))
    return document


# ----------------------------------------------------------------------------------------------
# Rendering: progress, replacement, attempts


def test_the_office_sees_each_stage_while_the_worker_renders(data, monkeypatch, office_user):  # noqa: F811
    """The stages are committed as they happen, so the office's page (another request) shows
    them: computing the figures, drawing the charts, laying out; then the file."""
    from reports import rendering

    survey_round = data["round"]
    office = client_for(office_user)
    page_url = f"/admin/reports/surveyround/{survey_round.pk}/report/"
    seen = []
    real_report_pdf = rendering.report_pdf

    def watched_report_pdf(figures, *, language, generated_at, progress):
        def watched(stage):
            progress(stage)
            seen.append((stage, office.get(page_url).content.decode()))

        seen.append(("aggregating", office.get(page_url).content.decode()))
        return real_report_pdf(
            figures, language=language, generated_at=generated_at, progress=watched
        )

    monkeypatch.setattr(rendering, "report_pdf", watched_report_pdf)
    document = services.report_request(survey_round=survey_round, language="de", actor=office_user)
    assert document.state == "queued"
    services.report_render(document_id=document.pk, attempt=document.attempt)

    assert [stage for stage, _page in seen] == ["aggregating", "charts", "layout"]
    for step, (stage, page) in enumerate(seen, start=1):
        assert str(ReportDocument.State(stage).label) in page, stage
        assert f'<progress max="4" value="{step}">' in page
        assert 'http-equiv="refresh"' in page  # the page refreshes itself while it runs
    document.refresh_from_db()
    assert document.state == "done" and document.pages >= 8
    assert document.file.read().startswith(b"%PDF")
    final = office.get(page_url).content.decode()
    assert 'http-equiv="refresh"' not in final


def test_rendering_again_keeps_the_old_file_until_the_new_one_is_complete(
    data,  # noqa: F811
    monkeypatch,
    office_user,
    django_capture_on_commit_callbacks,
):
    from reports import rendering

    survey_round = data["round"]
    survey_round.status = SurveyRound.Status.PUBLISHED
    survey_round.save()
    old = _done_document(survey_round, "en")
    old_name = old.file.name
    storage = old.file.storage
    office = client_for(office_user)
    downloads_during = []

    def slow_report_pdf(figures, *, language, generated_at, progress):
        progress("charts")
        progress("layout")
        response = office.get(f"/reports/{survey_round.year}/report-en.pdf")
        downloads_during.append(b"".join(response.streaming_content))
        return rendering.RenderedPdf(content=b"%PDF-1.4 new", pages=14)

    monkeypatch.setattr(rendering, "report_pdf", slow_report_pdf)
    document = services.report_request(survey_round=survey_round, language="en", actor=office_user)
    assert document.file.name == old_name  # still the old file while queued
    with django_capture_on_commit_callbacks(execute=True):
        services.report_render(document_id=document.pk, attempt=document.attempt)

    assert downloads_during == [b"%PDF-1.4 old"]
    document.refresh_from_db()
    assert (document.state, document.pages) == ("done", 14)
    assert document.file.name != old_name
    assert not storage.exists(old_name)  # removed after the switch
    response = office.get(f"/reports/{survey_round.year}/report-en.pdf")
    assert b"".join(response.streaming_content) == b"%PDF-1.4 new"


def test_a_failed_rendering_keeps_the_last_file_and_says_why(data, monkeypatch, office_user):  # noqa: F811
    from reports import rendering

    survey_round = data["round"]
    old = _done_document(survey_round, "de")

    def broken(*args, **kwargs):
        raise RuntimeError("fonts missing")

    monkeypatch.setattr(rendering, "report_pdf", broken)
    document = services.report_request(survey_round=survey_round, language="de", actor=office_user)
    with pytest.raises(RuntimeError):
        services.report_render(document_id=document.pk, attempt=document.attempt)
    document.refresh_from_db()
    assert document.state == "failed" and "fonts missing" in document.error
    assert document.file.name == old.file.name and document.file.storage.exists(old.file.name)
    page = client_for(office_user).get(f"/admin/reports/surveyround/{survey_round.pk}/report/")
    assert "fonts missing" in page.content.decode()


def test_parallel_requests_render_once_and_a_redelivered_task_does_nothing(
    data,  # noqa: F811
    monkeypatch,
    office_user,
):
    from reports import rendering

    calls = []

    def counting(figures, *, language, generated_at, progress):
        calls.append(language)
        return rendering.RenderedPdf(content=b"%PDF-1.4 x", pages=1)

    monkeypatch.setattr(rendering, "report_pdf", counting)
    survey_round = data["round"]
    first = services.report_request(survey_round=survey_round, language="de", actor=office_user)
    second = services.report_request(survey_round=survey_round, language="de", actor=office_user)
    assert (first.pk, first.attempt) == (second.pk, second.attempt)
    services.report_render(document_id=first.pk, attempt=first.attempt)
    services.report_render(document_id=first.pk, attempt=first.attempt)  # delivered twice
    assert calls == ["de"]


def test_an_abandoned_rendering_is_started_again_and_its_late_task_changes_nothing(
    data,  # noqa: F811
    monkeypatch,
    office_user,
):
    from reports import rendering

    monkeypatch.setattr(
        rendering,
        "report_pdf",
        lambda figures, **kwargs: rendering.RenderedPdf(content=b"%PDF-1.4 y", pages=2),
    )
    survey_round = data["round"]
    stale = services.report_request(survey_round=survey_round, language="de", actor=office_user)
    ReportDocument.objects.filter(pk=stale.pk).update(
        state="charts", started_at=timezone.now() - timedelta(minutes=30)
    )
    stale.refresh_from_db()
    assert stale.abandoned()
    fresh = services.report_request(survey_round=survey_round, language="de", actor=office_user)
    assert fresh.attempt == stale.attempt + 1 and fresh.state == "queued"
    assert services.report_render(document_id=fresh.pk, attempt=stale.attempt).state == "queued"
    services.report_render(document_id=fresh.pk, attempt=fresh.attempt)
    fresh.refresh_from_db()
    assert fresh.state == "done"


def test_a_request_while_the_rendering_runs_starts_a_new_attempt_that_wins(
    data,  # noqa: F811
    monkeypatch,
    office_user,
):
    """The figures may have changed since the running rendering began: asking again starts a
    new attempt, and the older one's file is thrown away when it finishes."""
    from reports import rendering

    survey_round = data["round"]
    first = services.report_request(survey_round=survey_round, language="de", actor=office_user)
    again = {}

    def meanwhile(figures, *, language, generated_at, progress):
        progress("charts")
        again["document"] = services.report_request(
            survey_round=survey_round, language="de", actor=office_user
        )
        return rendering.RenderedPdf(content=b"%PDF-1.4 older", pages=1)

    monkeypatch.setattr(rendering, "report_pdf", meanwhile)
    services.report_render(document_id=first.pk, attempt=first.attempt)
    newer = again["document"]
    assert newer.attempt == first.attempt + 1 and newer.state == "queued"
    assert not newer.file  # the older attempt's file was not taken
    monkeypatch.setattr(
        rendering,
        "report_pdf",
        lambda figures, **kwargs: rendering.RenderedPdf(content=b"%PDF-1.4 newer", pages=2),
    )
    services.report_render(document_id=newer.pk, attempt=newer.attempt)
    newer.refresh_from_db()
    assert newer.file.read() == b"%PDF-1.4 newer"


def test_the_sweep_restarts_a_rendering_whose_worker_died(data, monkeypatch, office_user):  # noqa: F811
    from reports import rendering

    monkeypatch.setattr(
        rendering,
        "report_pdf",
        lambda figures, **kwargs: rendering.RenderedPdf(content=b"%PDF-1.4 y", pages=2),
    )
    survey_round = data["round"]
    lost = services.report_request(survey_round=survey_round, language="en", actor=office_user)
    ReportDocument.objects.filter(pk=lost.pk).update(
        state="layout", started_at=timezone.now() - timedelta(minutes=20)
    )
    fresh = services.report_request(survey_round=survey_round, language="de", actor=office_user)
    assert services.report_documents_sweep() == 1  # only the dead one, not the fresh queue
    lost.refresh_from_db()
    assert lost.state == "queued" and lost.attempt == 2
    fresh.refresh_from_db()
    assert fresh.attempt == 1


def test_a_download_that_meets_the_switch_gets_the_new_file(data, office_user, monkeypatch):  # noqa: F811
    survey_round = data["round"]
    document = _done_document(survey_round, "de", content=b"%PDF-1.4 old")
    old_name = document.file.name
    # The switch happened after this request read the row: the old file is gone.
    document.file.storage.delete(old_name)
    new_name = document.file.storage.save("reports/new.pdf", ContentFile(b"%PDF-1.4 new"))
    from reports import selectors as report_selectors

    real = report_selectors.report_documents
    calls = []

    def first_stale(survey_round):
        calls.append(1)
        documents = real(survey_round)
        if len(calls) == 1:
            for item in documents:
                item.file.name = old_name
        return documents

    ReportDocument.objects.filter(pk=document.pk).update(file=new_name)
    monkeypatch.setattr(report_selectors, "report_documents", first_stale)
    response = client_for(office_user).get(f"/reports/{survey_round.year}/report-de.pdf")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 new"
    assert response["Content-Disposition"].endswith('"optonet-wachstumsreport-2025-de.pdf"')


def test_publishing_renders_the_languages_missing_or_printing_other_figures(
    data,  # noqa: F811
    monkeypatch,
    office_user,
    django_capture_on_commit_callbacks,
):
    from reports import rendering

    rendered = []

    def fake(figures, *, language, generated_at, progress):
        rendered.append(language)
        return rendering.RenderedPdf(content=b"%PDF-1.4 z", pages=3)

    monkeypatch.setattr(rendering, "report_pdf", fake)
    survey_round = data["round"]
    services.round_figures_freeze(survey_round=survey_round)  # closed: the figures are frozen
    digest = figures_digest(round_figures(survey_round))
    checked = _done_document(survey_round, "de")  # checked by the office before publishing
    ReportDocument.objects.filter(pk=checked.pk).update(figures_digest=digest)
    with django_capture_on_commit_callbacks(execute=True):
        services.round_set_status(
            survey_round=survey_round, status=SurveyRound.Status.PUBLISHED, actor=office_user
        )
    assert rendered == ["en"]  # German prints the same figures: kept

    # An import into the published round changes its figures: both languages again.
    rendered.clear()
    SurveyResponse.objects.filter(round=survey_round, organization=data["org"]["A"]).update(
        revenue=1_500_000
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.round_responses_changed(survey_round=survey_round)
    assert sorted(rendered) == ["de", "en"]
    survey_round.refresh_from_db()
    assert round_figures(survey_round).totals["revenue"].value == 21_500_000


def test_the_page_and_the_pdf_print_the_frozen_figures_of_a_closed_round(
    data,  # noqa: F811
    office_user,
):
    """A figure changed after closing (an organisation's kind, a response edited in the
    database) does not reach the page until the figures are frozen anew: two versions of a
    figure would let a reader subtract one from the other."""
    survey_round = data["round"]
    services.round_figures_freeze(survey_round=survey_round)
    SurveyResponse.objects.filter(round=survey_round, organization=data["org"]["A"]).update(
        revenue=1_500_000
    )
    page = client_for(office_user).get(f"/reports/{survey_round.year}/?x").content.decode()
    assert "21,0" in page and "21,5" not in page
    survey_round.refresh_from_db()
    assert round_figures(survey_round).totals["revenue"].value == 21_000_000


def test_only_the_office_renders(data, people):  # noqa: F811
    url = f"/admin/reports/surveyround/{data['round'].pk}/report/"
    assert people["own"].post(url, {"language": "all"}).status_code == 302  # to the login
    assert not ReportDocument.objects.exists()
    response = people["office"].post(url, {"language": "all"})
    assert response.status_code == 302
    assert sorted(ReportDocument.objects.values_list("language", flat=True)) == ["de", "en"]


# ----------------------------------------------------------------------------------------------
# Who reads what


def test_who_may_read_the_report_and_download_its_pdf(data, people):  # noqa: F811
    survey_round = data["round"]  # closed, not yet published
    _done_document(survey_round, "de", content=b"%PDF-1.4 report")
    page, pdf = f"/reports/{survey_round.year}/", f"/reports/{survey_round.year}/report-de.pdf"

    def statuses():
        return {
            role: (c.get(page).status_code, c.get(pdf).status_code) for role, c in people.items()
        }

    assert statuses() == {
        "anonymous": (302, 302),
        "unlinked": (403, 403),
        "other": (403, 403),
        "own": (403, 403),
        "office": (200, 200),
    }
    survey_round.status = SurveyRound.Status.PUBLISHED
    survey_round.save()
    assert statuses() == {
        "anonymous": (302, 302),
        "unlinked": (403, 403),
        "other": (200, 200),  # every member reads the published report
        "own": (200, 200),
        "office": (200, 200),
    }
    # One audit row per download: the office's before publishing, then other, own and office.
    assert AuditEvent.objects.filter(action="reports.report.downloaded").count() == 4
    assert people["other"].get(f"/reports/{survey_round.year}/report-en.pdf").status_code == 404


def test_the_index_offers_files_to_members_only(data, people):  # noqa: F811
    survey_round = data["round"]
    survey_round.status = SurveyRound.Status.PUBLISHED
    survey_round.save()
    _done_document(survey_round, "de")
    pdf = f"/reports/{survey_round.year}/report-de.pdf"
    anonymous = people["anonymous"].get("/reports/").content.decode()
    assert pdf not in anonymous and "/accounts/login/" in anonymous
    assert pdf not in people["unlinked"].get("/reports/").content.decode()
    own = people["own"].get("/reports/").content.decode()
    assert pdf in own
    assert f"/reports/{survey_round.year}/benchmark/{data['org']['B'].pk}/" in own
    other = people["other"].get("/reports/").content.decode()
    assert pdf in other and "/benchmark/" not in other  # Org Z did not take part


def test_who_may_see_a_benchmark_sheet(data, people):  # noqa: F811
    survey_round = data["round"]
    org_b = data["org"]["B"].pk
    page = f"/reports/{survey_round.year}/benchmark/{org_b}/"
    pdf = f"/reports/{survey_round.year}/benchmark/{org_b}/sheet.pdf"

    def statuses():
        return {
            role: (c.get(page).status_code, c.get(pdf).status_code) for role, c in people.items()
        }

    before = statuses()
    assert before["anonymous"] == (302, 302)
    # Not published yet: "not found" for everyone but the office (nobody learns who took part).
    assert before["unlinked"] == before["other"] == before["own"] == (404, 404)
    assert before["office"] == (200, 200)
    survey_round.status = SurveyRound.Status.PUBLISHED
    survey_round.save()
    after = statuses()
    assert after["own"] == after["office"] == (200, 200)
    assert after["other"] == after["unlinked"] == (404, 404)
    # G only drafted: it has no sheet, not even for the office.
    draft = f"/reports/{survey_round.year}/benchmark/{data['org']['G'].pk}/"
    assert people["office"].get(draft).status_code == 404
    # The office before (page and PDF), then own and office again: each look recorded.
    assert AuditEvent.objects.filter(action="reports.benchmark.viewed").count() == 6


# ----------------------------------------------------------------------------------------------
# The benchmark sheet's figures


def test_the_benchmark_sheet_shows_the_own_values_beside_the_cluster(data):  # noqa: F811
    """Org B (20 employees, 2.0 M revenue, R&D 10 %, export 50 %) in a round of six:
    revenue per employee of all: 20, 62.5, 66.7, 100, 100, 100 (thousand €) → median 83.3,
    quartiles 63.5 and 100; R&D 5, 8, 10, 15, 20, 25 → 12.5 (8.5 – 18.75); export 20 … 70 →
    45 (32.5 – 57.5). B's size class (10–49: A, B, C) has three: not published."""
    response = SurveyResponse.objects.get(round=data["round"], organization=data["org"]["B"])
    sheet = benchmark_sheet(response)
    rows = {row.key: row for row in sheet.rows}
    assert rows["revenue_per_employee"].own == pytest.approx(100)
    assert rows["revenue_per_employee"].overall.median == pytest.approx(250 / 3)
    assert rows["revenue_per_employee"].overall.q1 == pytest.approx(62.5 + 0.25 * (200 / 3 - 62.5))
    assert (rows["rnd_share"].overall.q1, rows["rnd_share"].overall.median) == (8.5, 12.5)
    assert rows["rnd_share"].overall.q3 == pytest.approx(18.75)
    assert rows["rnd_share"].position == "middle"
    assert rows["export_share"].overall.median == 45
    assert not any(row.size_class.published for row in sheet.rows)

    german = pdf_text(benchmark_pdf(sheet, language="de", generated_at=timezone.now()))
    assert "Org B" in german
    assert "83 (64 – 100)" in german  # revenue per employee, thousand €, rounded half up
    assert "12,5 (8,5 – 18,8)" in german
    assert "45,0 (32,5 – 57,5)" in german
    assert "·" in german
    # Another organisation's own figure never appears: D's and E's revenue per employee.
    for value in ("66,7", "62,5"):
        assert value not in german, value
    english = pdf_text(benchmark_pdf(sheet, language="en", generated_at=timezone.now()))
    assert "12.5 (8.5 – 18.8)" in english and "Benchmark sheet 2025" in english
    assert (
        len(
            PdfReader(
                io.BytesIO(benchmark_pdf(sheet, language="de", generated_at=timezone.now()))
            ).pages
        )
        == 1
    )


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_renders_the_report_and_the_office_watches_it(
    celery_worker_factory,
    data,  # noqa: F811
    office_user,
    settings,
):
    """Through Redis to a real Celery worker, as in production: the office's request returns
    at once, the stages appear one after the other, the PDF arrives."""
    import time

    worker = celery_worker_factory(env={"MEDIA_ROOT": str(settings.MEDIA_ROOT)})
    office = client_for(office_user)
    survey_round = data["round"]
    started = time.monotonic()
    response = office.post(
        f"/admin/reports/surveyround/{survey_round.pk}/report/", {"language": "en"}
    )
    assert response.status_code == 302 and time.monotonic() - started < 2
    document = ReportDocument.objects.get(round=survey_round, language="en")
    states = []
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        document.refresh_from_db()
        if not states or states[-1] != document.state:
            states.append(document.state)
        if document.state in ("done", "failed"):
            break
        time.sleep(0.05)
    assert document.state == "done", (states, document.error, worker.log.read_text())
    assert states[0] in ("queued", "aggregating") and "layout" in states, states
    order = ["queued", "aggregating", "charts", "layout", "done"]
    assert [order.index(state) for state in states] == sorted(order.index(s) for s in states)
    text = pdf_text(document.file.read())
    assert "Page 1 of" in text and "Confidential – for members of OptoNet e.V." in text
