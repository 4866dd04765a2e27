"""Benchmark: the growth report of a round of N responses (default 1,000).

Generates the round (and the round before, for the panel growth) in a throw-away PostgreSQL
database with the demo data's synthetic organisations, then prints:

- the aggregation (`round_aggregate`): best wall time of three runs and its number of queries;
- per language, in a fresh process each (so that its peak memory is its own): the aggregation,
  the charts and the layout of the PDF as the worker's task does them (`report_pdf` with its
  progress stages timed), the PDF's pages and size, and the process's peak resident memory;
- one benchmark sheet PDF (one page).

Never part of the test suite.

    .venv/bin/python bench/growth_report.py [--responses 1000]

Needs PostgreSQL (BENCH_DATABASE_ADMIN_URL, default postgres://postgres@127.0.0.1:5432/postgres).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

ADMIN_URL = os.environ.get(
    "BENCH_DATABASE_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres"
)
DB_NAME = f"optonet_bench_report_{os.getpid()}"
YEAR = 2026


def admin(sql: str) -> None:
    import psycopg2

    connection = psycopg2.connect(ADMIN_URL)
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(sql)
    connection.close()


def setup_django(database_url: str) -> None:
    os.environ.update(
        DATABASE_URL=database_url,
        DJANGO_SETTINGS_MODULE="optonet.settings.local",
        DJANGO_LOG_LEVEL="WARNING",
    )
    os.environ.pop("REDIS_URL", None)
    import django

    django.setup()


def generate(responses: int) -> None:
    import random
    from datetime import date

    from django.utils import timezone

    from members.models import Organization
    from reports.demo import (
        SPECIAL_2024,
        random_profile,
        synthetic_answers,
        synthetic_special_answers,
    )
    from reports.models import SpecialQuestion, SurveyResponse, SurveyRound, TechnologyField

    rng = random.Random(7)
    current = SurveyRound.objects.create(
        year=YEAR,
        reference_year=YEAR - 1,
        opens_on=date(YEAR, 3, 1),
        closes_on=date(YEAR, 5, 31),
        status=SurveyRound.Status.CLOSED,
        special_topic_de="KI und Halbleiter",
        special_topic_en="AI and semiconductors",
    )
    previous = SurveyRound.objects.create(
        year=YEAR - 2,
        reference_year=YEAR - 3,
        opens_on=date(YEAR - 2, 3, 1),
        closes_on=date(YEAR - 2, 5, 31),
        status=SurveyRound.Status.PUBLISHED,
    )
    questions = {
        (YEAR, position): SpecialQuestion.objects.create(
            round=current,
            position=position,
            kind=kind,
            text_de=de,
            text_en=en,
            choices_de=choices_de,
            choices_en=choices_en,
        )
        for position, (kind, de, en, choices_de, choices_en) in enumerate(SPECIAL_2024)
    }
    fields = list(TechnologyField.objects.all())
    organizations = Organization.objects.bulk_create(
        Organization(
            name=f"Bench-Photonik {i} GmbH",
            kind="research" if i % 6 == 0 else "company",
            city="Jena",
        )
        for i in range(responses + responses // 10)  # a tenth did not answer
    )
    rows, links = [], []
    submitted_at = timezone.now()
    for index, organization in enumerate(organizations[:responses]):
        profile = random_profile(rng, research=organization.kind == "research")
        if index < 2:  # two large organisations employ more than a fifth of all staff
            profile.employees = 2400 - index * 500
        for survey_round, year_index in ((current, 0), (previous, 1)):
            if survey_round is previous and index % 5 == 0:
                continue  # not everyone answered the round before: the panel is smaller
            answers = synthetic_answers(rng, profile, year_index)
            if survey_round is current:
                answers["special_answers"] = synthetic_special_answers(rng, survey_round, questions)
            rows.append(
                SurveyResponse(
                    round=survey_round,
                    organization=organization,
                    state=SurveyResponse.State.SUBMITTED,
                    submitted_at=submitted_at,
                    **answers,
                )
            )
            links.append(rng.sample(fields, k=rng.randint(1, 3)))
    created = SurveyResponse.objects.bulk_create(rows, batch_size=500)
    through = SurveyResponse.technology_fields.through
    through.objects.bulk_create(
        through(surveyresponse_id=response.pk, technologyfield_id=field.pk)
        for response, chosen in zip(created, links, strict=True)
        for field in chosen
    )


def measure_aggregation() -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from reports.aggregation import round_aggregate
    from reports.models import SurveyRound

    survey_round = SurveyRound.objects.get(year=YEAR)
    times = []
    for _run in range(3):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            figures = round_aggregate(survey_round)
            times.append(time.perf_counter() - started)
    suppressed = sum(
        1
        for row in figures.technology_fields + figures.customer_sectors + figures.export_regions
        for figure in row.figures.values()
        if not figure.published
    )
    return {
        "seconds": min(times),
        "queries": len(queries),
        "submitted": figures.response_rate.submitted,
        "suppressed_cells_in_field_sector_region_tables": suppressed,
    }


def child(language: str) -> None:
    """One PDF as the worker renders it, in this fresh process."""
    from django.utils import timezone

    from reports.aggregation import round_aggregate
    from reports.models import SurveyResponse, SurveyRound
    from reports.rendering import report_pdf

    survey_round = SurveyRound.objects.get(year=YEAR)
    marks = {"start": time.perf_counter()}
    figures = round_aggregate(survey_round)
    marks["aggregated"] = time.perf_counter()

    def progress(stage: str) -> None:
        marks[stage] = time.perf_counter()

    rendered = report_pdf(
        figures, language=language, generated_at=timezone.now(), progress=progress
    )
    marks["done"] = time.perf_counter()
    result = {
        "language": language,
        "aggregation": marks["aggregated"] - marks["start"],
        "charts": marks["layout"] - marks["charts"],
        "layout": marks["done"] - marks["layout"],
        "total": marks["done"] - marks["start"],
        "pages": rendered.pages,
        "bytes": len(rendered.content),
    }
    if language == "de":
        Path(os.environ.get("BENCH_PDF_OUT", "/tmp/optonet-bench-report.pdf")).write_bytes(
            rendered.content
        )
        from reports.aggregation.benchmark import benchmark_sheet
        from reports.rendering.benchmark import benchmark_pdf

        response = SurveyResponse.objects.filter(round=survey_round).order_by("pk")[10]
        started = time.perf_counter()
        sheet = benchmark_sheet(response)
        benchmark_pdf(sheet, language=language, generated_at=timezone.now())
        result["benchmark_sheet"] = time.perf_counter() - started
    result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(result))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--responses", type=int, default=1000)
    parser.add_argument("--json", action="store_true", help="also print the figures as JSON")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--database-url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        setup_django(args.database_url)
        child(args.child)
        return

    admin(f'CREATE DATABASE "{DB_NAME}"')
    database_url = ADMIN_URL.rsplit("/", 1)[0] + f"/{DB_NAME}"
    try:
        setup_django(database_url)
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        started = time.perf_counter()
        generate(args.responses)
        print(f"generated {args.responses} responses in {time.perf_counter() - started:.1f} s")
        aggregation = measure_aggregation()
        print(
            f"aggregation: {aggregation['seconds']:.2f} s (best of 3), "
            f"{aggregation['queries']} queries, {aggregation['submitted']} responses, "
            f"{aggregation['suppressed_cells_in_field_sector_region_tables']} suppressed cells "
            "in the field/sector/region tables"
        )
        from django.db import connections

        connections.close_all()
        figures = {"aggregation_seconds": aggregation["seconds"], "pdf": {}}
        for language in ("de", "en"):
            output = subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "--child",
                    language,
                    "--database-url",
                    database_url,
                ],
                check=True,
                capture_output=True,
                text=True,
            ).stdout
            result = json.loads(output.strip().splitlines()[-1])
            line = (
                f"PDF {language}: {result['total']:.2f} s (aggregation "
                f"{result['aggregation']:.2f} s, charts {result['charts']:.2f} s, layout "
                f"{result['layout']:.2f} s), {result['pages']} pages, "
                f"{result['bytes'] / 1024:.0f} KB, peak RSS {result['peak_rss_mb']:.0f} MB"
            )
            if "benchmark_sheet" in result:
                line += f"; one benchmark sheet PDF {result['benchmark_sheet']:.2f} s"
            print(line)
            figures["pdf"][language] = result
        if args.json:
            print(json.dumps(figures))
    finally:
        from django.db import connections

        connections.close_all()
        admin(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')


if __name__ == "__main__":
    main()
