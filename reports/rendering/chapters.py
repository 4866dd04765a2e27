"""The chapters of the growth report, one function each: ``RoundFigures`` in, the tables, charts
and figures the templates print out, all in the active language.

Only what ``RoundFigures`` carries is printed; nothing is derived here from two figures (a
difference of a total and a published cell is how a suppressed value leaks). The response
rate's ``missing`` organisations are the office's and never read here."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from reports.aggregation import Distribution, Figure, RoundFigures, SpecialQuestionFigures
from reports.rendering import formatting
from reports.rendering.tables import (
    KeyFigure,
    Line,
    Question,
    ReportTable,
    bar,
    bars,
    cell,
    distribution,
    distribution_table,
    key_figure,
    plain,
    row_table,
    stacked,
)


def _revenue_header() -> str:
    return _("Revenue (€ m)")


def _quartiles_caption(subject: str) -> str:
    return _("%(subject)s: median and quartiles") % {"subject": subject}


def key_figures(figures: RoundFigures) -> list[KeyFigure]:
    key = figures.key_figures
    year = figures.reference_year
    return [
        key_figure(_("Organisations asked"), key["invited"], formatting.count),
        key_figure(_("Organisations that answered"), key["submitted"], formatting.count),
        key_figure(_("Response rate"), key["response_rate"], formatting.percent),
        key_figure(
            _("Total revenue"),
            key["revenue"],
            formatting.millions,
            hint=_("Fiscal year %(year)s") % {"year": year},
        ),
        key_figure(_("Employees"), key["employees"], formatting.count),
        key_figure(_("Trainees"), key["trainees"], formatting.count),
        key_figure(
            _("Planned new positions"),
            key["positions"],
            formatting.count,
            hint=_("In the next two years"),
        ),
        key_figure(
            _("Export share"),
            key["export_share_median"],
            formatting.percent,
            hint=_("Median of the organisations"),
        ),
        key_figure(
            _("R&D expenditure as a share of revenue"),
            key["rnd_share_median"],
            formatting.percent,
            hint=_("Median of the organisations"),
        ),
    ]


def employment(figures: RoundFigures) -> dict[str, Any]:
    totals = figures.totals
    growth = figures.growth
    distributions = figures.distributions
    totals_table = ReportTable(
        caption=_("Employment in the reference year"),
        label_header=_("Figure"),
        headers=[pgettext("report column", "Number")],
        rows=[
            Line(_("Employees"), [cell(totals["employees"])]),
            Line(_("Employees in research and development"), [cell(totals["employees_rnd"])]),
            Line(_("Trainees"), [cell(totals["trainees"])]),
        ],
    )
    growth_table = None
    if growth.previous_year is not None:
        growth_table = ReportTable(
            caption=_("Change against %(year)s (panel)") % {"year": growth.previous_year},
            label_header=_("Figure"),
            headers=[_("Organisations compared"), pgettext("report growth", "Change")],
            rows=[
                Line(
                    label,
                    [
                        plain(formatting.count(item.n)),
                        cell(item.percent, lambda v: formatting.percent(v, sign=True)),
                    ],
                )
                for label, item in (
                    (_("Revenue"), growth.revenue),
                    (_("Employees"), growth.employees),
                )
            ],
        )
    size_table = distribution_table(
        _quartiles_caption(_("Size of the organisations")),
        [
            (
                _("Revenue per organisation (€ m)"),
                distributions["revenue"],
                formatting.millions_bare,
            ),
            # Whole people, but a quartile may fall between two organisations.
            (
                _("Employees per organisation"),
                distributions["employees"],
                lambda v: formatting.number(v, 1),
            ),
        ],
    )
    women = [(_("Women in leadership positions"), distributions["women_in_leadership"])]
    breakdown_columns = [
        ("count", _("Organisations"), formatting.count),
        ("revenue", _revenue_header(), formatting.millions_bare),
        ("employees", _("Employees"), formatting.count),
    ]
    return {
        "totals": totals_table,
        "growth": growth,
        "growth_panel": formatting.count(growth.panel_size),
        "growth_table": growth_table,
        "sizes": size_table,
        "women_table": distribution_table(
            _quartiles_caption(_("Share of women in leadership positions")),
            [(*women[0], formatting.percent)],
        ),
        "women_chart": distribution(_("Share of women in leadership positions"), women, unit="%"),
        "by_kind": row_table(
            _("By kind of organisation"),
            _("Kind"),
            figures.by_kind.rows,
            breakdown_columns,
            total=figures.by_kind.total,
        ),
        "by_size": row_table(
            _("By size class"),
            _("Size class"),
            figures.by_size.rows,
            breakdown_columns,
            total=figures.by_size.total,
            note=_("Size classes by the number of employees in the reference year."),
        ),
    }


def business(figures: RoundFigures) -> dict[str, Any]:
    climate = figures.business_climate
    totals = figures.totals
    situation = _("Business situation today")
    expectation = _("Expected business situation in two years")
    climate_table = ReportTable(
        caption=_("Business climate"),
        label_header=_("Question"),
        headers=[_("Answers"), _("Balance (percentage points)")],
        rows=[
            Line(
                situation,
                [
                    plain(formatting.count(climate.situation_n)),
                    cell(climate.situation_balance, formatting.signed),
                ],
            ),
            Line(
                expectation,
                [
                    plain(formatting.count(climate.expectation_n)),
                    cell(climate.expectation_balance, formatting.signed),
                ],
            ),
        ],
    )
    hiring = row_table(
        _("How hard is it to fill open positions?"),
        _("Assessment"),
        figures.hiring_difficulty.rows,
        [
            ("count", _("Organisations"), formatting.count),
            ("share", _("Share"), formatting.percent),
        ],
        total=figures.hiring_difficulty.total,
    )
    expansion, replacement = _("Expansion"), _("Replacement")
    positions = ReportTable(
        caption=_("Planned new positions in the next two years"),
        label_header=_("Reason"),
        headers=[_("Positions")],
        rows=[
            Line(expansion, [cell(totals["positions_expansion"])]),
            Line(replacement, [cell(totals["positions_replacement"])]),
        ],
        total=Line(_("Total"), [cell(totals["positions_total"])]),
    )
    return {
        "climate": climate_table,
        "climate_chart": bars(
            _("Business climate: balance of positive and negative answers"),
            [(situation, climate.situation_balance), (expectation, climate.expectation_balance)],
            unit=_("percentage points"),
        ),
        "hiring": hiring,
        "hiring_chart": bar(
            _("Difficulty of filling open positions"),
            figures.hiring_difficulty.rows,
            "share",
            unit=_("% of the organisations that answered"),
        ),
        "positions": positions,
        "positions_chart": stacked(
            _("Planned new positions by reason"),
            [_("Planned new positions")],
            {
                expansion: [totals["positions_expansion"]],
                replacement: [totals["positions_replacement"]],
            },
            unit=_("Positions"),
        ),
    }


def research(figures: RoundFigures) -> dict[str, Any]:
    rnd = [(_("R&D expenditure as a share of revenue"), figures.distributions["rnd_share"])]
    return {
        "table": distribution_table(_quartiles_caption(rnd[0][0]), [(*rnd[0], formatting.percent)]),
        "chart": distribution(
            _("R&D expenditure as a share of revenue"), rnd, unit=_("% of revenue")
        ),
        "staff": ReportTable(
            caption=_("Staff in research and development"),
            label_header=_("Figure"),
            headers=[pgettext("report column", "Number")],
            rows=[
                Line(
                    _("Employees in research and development"),
                    [cell(figures.totals["employees_rnd"])],
                )
            ],
        ),
    }


def markets(figures: RoundFigures) -> dict[str, Any]:
    export = [(_("Export share"), figures.distributions["export_share"])]
    regions_title = _("Export by target region")
    regions_data = row_table(
        regions_title,
        _("Region"),
        figures.export_regions,
        [("share", _("Share of the export volume"), formatting.percent)],
    )
    return {
        "table": distribution_table(
            _quartiles_caption(_("Export share of revenue")), [(*export[0], formatting.percent)]
        ),
        "chart": distribution(_("Export share of revenue"), export, unit=_("% of revenue")),
        "regions_chart": bar(
            regions_title,
            figures.export_regions,
            "share",
            unit=_("% of the export volume"),
            data_table=regions_data,
        ),
    }


def technology(figures: RoundFigures) -> dict[str, Any]:
    rows = figures.technology_fields
    return {
        "table": row_table(
            _("Technology fields"),
            _("Technology field"),
            rows,
            [
                ("organisations", _("Organisations"), formatting.count),
                ("employees", _("Employees"), formatting.count),
                ("revenue", _revenue_header(), formatting.millions_bare),
            ],
            note=_(
                "An organisation may name several technology fields; the fields do not add up "
                "to the totals."
            ),
        ),
        "chart": bar(
            _("Organisations by technology field"),
            rows,
            "organisations",
            unit=_("Organisations"),
            decimals=0,
        )
        if rows
        else None,
    }


def customers(figures: RoundFigures) -> dict[str, Any]:
    title = _("Customers by sector")
    data = row_table(
        title,
        _("Sector"),
        figures.customer_sectors,
        [("share", _("Share of revenue"), formatting.percent)],
    )
    return {
        "chart": bar(
            title,
            figures.customer_sectors,
            "share",
            unit=_("% of revenue"),
            data_table=data,
        )
    }


def special_topic(figures: RoundFigures) -> dict[str, Any] | None:
    if not figures.special_questions:
        return None
    questions = sorted(figures.special_questions, key=lambda q: (q.position, q.id))
    return {
        "topic": figures.special_topic,
        "questions": [_question(question) for question in questions],
    }


def _question(question: SpecialQuestionFigures) -> Question:
    text = question.text
    answers = formatting.count(question.answers)
    if question.kind == "number":
        dist = question.distribution
        rows = []
        if question.sum is not None:
            rows.append(Line(_("Sum of the answers"), [cell(question.sum, _decimal_number)]))
        table = ReportTable(
            caption=text,
            label_header=_("Figure"),
            headers=[_("Value")],
            rows=[
                Line(_("Answers"), [plain(formatting.count(question.answers))]),
                *rows,
                *(
                    Line(label, [cell(_figure(dist, name), _decimal_number)])
                    for label, name in (
                        (_("Lower quartile"), "q1"),
                        (_("Median"), "median"),
                        (_("Upper quartile"), "q3"),
                    )
                ),
            ],
        )
        chart = None
        if dist is not None:
            chart = distribution(_("Answers to: %(question)s") % {"question": text}, [(text, dist)])
        return Question(text, "number", question.answers, answers, table=table, chart=chart)
    if question.kind in ("single", "multiple"):
        table = row_table(
            text,
            _("Answer"),
            question.choices,
            [
                ("count", _("Organisations"), formatting.count),
                ("share", _("Share of the answers"), formatting.percent),
            ],
        )
        chart = None
        if question.choices:
            chart = bar(
                _("Answers to: %(question)s") % {"question": text},
                question.choices,
                "share",
                unit=_("% of the organisations that answered"),
            )
        notes = []
        if question.kind == "multiple":
            notes.append(_("Several answers were possible; the shares do not add up to 100 %."))
        return Question(
            text, question.kind, question.answers, answers, table=table, chart=chart, notes=notes
        )
    return Question(text, question.kind, question.answers, answers)


def _figure(dist: Distribution | None, name: str) -> Figure:
    if dist is None:
        return Figure(None, False)
    return Figure(getattr(dist, name), dist.published)


def _decimal_number(value: float | int) -> str:
    return formatting.number(value, 0 if float(value).is_integer() else 1)


def method(figures: RoundFigures) -> dict[str, Any]:
    rate = figures.response_rate
    columns = [
        ("invited", _("Asked"), formatting.count),
        ("submitted", _("Answered"), formatting.count),
        ("rate", _("Response rate"), formatting.percent),
    ]
    # ``rate.missing`` names organisations: the office's, never the report's.
    return {
        "invited": formatting.count(rate.invited),
        "submitted": formatting.count(rate.submitted),
        "rate": formatting.percent(rate.rate) if rate.rate is not None else formatting.SUPPRESSED,
        "by_kind": row_table(
            _("Response rate by kind of organisation"), _("Kind"), rate.by_kind, columns
        ),
        "by_size": row_table(
            _("Response rate by size class"), _("Size class"), rate.by_size, columns
        ),
    }
