"""The growth report's figures for one survey round: ``round_aggregate(round)``.

Everything the report shows is computed here, once, as plain data (numbers, strings, lists,
dicts in frozen dataclasses; ``RoundFigures.to_dict()`` / ``from_dict()`` round-trip through
JSON), with the confidentiality rules of ``reports.disclosure`` already applied: a figure that
may not be published leaves this module as ``Figure(value=None, published=False)``, so no
template can print it by accident. The pages, the charts and the PDF only read the result.

Which responses count: the submitted ones (imported responses included, they are submitted).
Who was asked: organisations that are active members or answer the survey only, and any
organisation that submitted a response to the round (its membership may have ended since).

Loading: one ``values()`` query for the round's responses, one for their technology fields, and a
handful of small ones (invited organisations, the previous round, sizes of non-respondents,
questions, fields); everything else is computed in Python.
"""

from __future__ import annotations

import dataclasses

from reports import disclosure
from reports.aggregation import sections
from reports.aggregation.figures import (
    KIND_GROUPS,
    LABELS,
    SIZE_KEYS,
    Climate,
    Distribution,
    Figure,
    Growth,
    GrowthFigure,
    ResponseRate,
    RoundFigures,
    Row,
    SpecialQuestionFigures,
    Table,
)
from reports.disclosure import check_cell, protect_table
from reports.models import REGIONS, SECTORS, SurveyRound

__all__ = [
    "LABELS",
    "Climate",
    "Distribution",
    "Figure",
    "Growth",
    "GrowthFigure",
    "ResponseRate",
    "RoundFigures",
    "Row",
    "SpecialQuestionFigures",
    "Table",
    "figures_digest",
    "round_aggregate",
    "round_figures",
    "round_progress",
]

# ----------------------------------------------------------------------------------------------
# The round


def round_aggregate(round: SurveyRound) -> RoundFigures:
    """All figures of the round's report, confidentiality rules applied (see the module doc)."""
    responses = sections.load_responses(round)

    totals = {
        column: sections.cell_of(responses, column)
        for column in ("revenue", "employees", "employees_rnd", "trainees")
    }
    # Positions: the two kinds add up to the total shown next to them.
    positions = {
        column: sections.cell_of(responses, column)
        for column in ("positions_expansion", "positions_replacement")
    }
    positions_total = check_cell(
        {
            r["organization_id"]: (r["positions_expansion"] or 0)
            + (r["positions_replacement"] or 0)
            for r in responses
            if r["positions_expansion"] is not None or r["positions_replacement"] is not None
        }
    )
    positions, positions_total = protect_table(positions, positions_total)

    by_kind, kind_counts, kind_totals = sections.breakdown(
        responses, "kind_group", KIND_GROUPS, totals
    )
    by_size, size_counts, size_totals = sections.breakdown(
        responses, "size_class", SIZE_KEYS, totals
    )
    for column in ("revenue", "employees"):
        # The same total heads both tables: published only if both leave it published.
        if not (kind_totals[column].published and size_totals[column].published):
            totals[column] = dataclasses.replace(
                totals[column], published=False, reason=disclosure.SECONDARY
            )

    total_figures = {
        "revenue": sections.figure(totals["revenue"]),
        "employees": sections.figure(totals["employees"], integer=True),
        "employees_rnd": sections.figure(totals["employees_rnd"], integer=True),
        "trainees": sections.figure(totals["trainees"], integer=True),
        "positions_expansion": sections.figure(positions["positions_expansion"], integer=True),
        "positions_replacement": sections.figure(positions["positions_replacement"], integer=True),
        "positions_total": sections.figure(positions_total, integer=True),
    }

    women_shares = [
        r["leaders_women"] / r["leaders"] * 100
        for r in responses
        if r["leaders"] and r["leaders_women"] is not None
    ]
    distributions = {
        # The totals of revenue and employees are published too: see disclosure.quantiles.
        "revenue": sections.distribution(
            [r["revenue"] for r in responses if r["revenue"] is not None],
            sum_published=total_figures["revenue"].published,
        ),
        "employees": sections.distribution(
            [r["employees"] for r in responses if r["employees"] is not None],
            sum_published=total_figures["employees"].published,
        ),
        "rnd_share": sections.distribution(
            [r["rnd_share"] for r in responses if r["rnd_share"] is not None]
        ),
        "export_share": sections.distribution(
            [r["export_share"] for r in responses if r["export_share"] is not None]
        ),
        "women_in_leadership": sections.distribution(women_shares),
    }

    response = sections.response_rate(round, responses, kind_counts, size_counts)

    def median(name: str) -> Figure:
        distribution = distributions[name]
        return Figure(distribution.median, distribution.published)

    key_figures = {
        "invited": Figure(response.invited, True),
        "submitted": Figure(response.submitted, True),
        "response_rate": Figure(response.rate, response.rate is not None),
        "revenue": total_figures["revenue"],
        "employees": total_figures["employees"],
        "trainees": total_figures["trainees"],
        "positions": total_figures["positions_total"],
        "export_share_median": median("export_share"),
        "rnd_share_median": median("rnd_share"),
    }

    return RoundFigures(
        round_id=round.id,
        year=round.year,
        reference_year=round.reference_year,
        special_topic_de=round.special_topic_de,
        special_topic_en=round.special_topic_en,
        key_figures=key_figures,
        response_rate=response,
        totals=total_figures,
        distributions=distributions,
        growth=sections.growth(round, responses),
        hiring_difficulty=sections.hiring(responses),
        export_regions=sections.share_rows(
            responses,
            [name for name, _label in REGIONS],
            "region",
            lambda r: (r["revenue"] or 0) * (r["export_share"] or 0) / 100,
        ),
        technology_fields=sections.technology_fields(responses),
        customer_sectors=sections.share_rows(
            responses, [name for name, _label in SECTORS], "sector", lambda r: r["revenue"] or 0
        ),
        business_climate=sections.climate(responses),
        by_kind=by_kind,
        by_size=by_size,
        special_questions=sections.special_questions(round, responses),
    )


def round_progress(round: SurveyRound) -> ResponseRate:
    """The office's view of a running round: who was asked and who answered, by kind and size
    class, and who is missing, in raw counts (the office sees the responses themselves; the
    report's ``response_rate`` is the protected one)."""
    return sections.response_rate(round, sections.load_responses(round))


def round_figures(round: SurveyRound) -> RoundFigures:
    """The figures the report prints: the round's frozen figures once it is closed (see
    ``SurveyRound.figures``; frozen by ``reports.services.round_figures_freeze``), computed
    afresh while it still takes answers (the office's preview)."""
    if round.figures is not None:
        return RoundFigures.from_dict(round.figures)
    return round_aggregate(round)


def figures_digest(figures: RoundFigures) -> str:
    """A fingerprint of the figures: equal digests print equal numbers."""
    import hashlib
    import json

    text = json.dumps(figures.to_dict(), sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()
