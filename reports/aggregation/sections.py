"""The computations of the round's figures, one function per part of the report."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db.models import Q

from members.models import Organization
from reports import disclosure
from reports.aggregation.figures import (
    KIND_GROUPS,
    SIZE_KEYS,
    UNKNOWN,
    Climate,
    Distribution,
    Figure,
    Growth,
    GrowthFigure,
    ResponseRate,
    Row,
    SpecialQuestionFigures,
    Table,
)
from reports.disclosure import (
    Cell,
    check_cell,
    count_cell,
    protect_against_complement,
    protect_shares,
    protect_table,
)
from reports.models import (
    REGIONS,
    SECTORS,
    SpecialQuestion,
    SurveyResponse,
    SurveyRound,
    TechnologyField,
    kind_group,
    size_class,
)

_NUMBER_COLUMNS = [
    "revenue",
    "employees",
    "employees_rnd",
    "trainees",
    "leaders",
    "leaders_women",
    "positions_expansion",
    "positions_replacement",
    "rnd_share",
    "export_share",
    *(name for name, _label in REGIONS),
    *(name for name, _label in SECTORS),
]

# ----------------------------------------------------------------------------------------------
# Helpers


def figure(cell: Cell | None, *, integer: bool = False) -> Figure:
    """A published cell's value; ``Figure(None, False)`` where it is suppressed, and
    ``Figure(None, True)`` for a sum nobody answered (no data, which is not zero)."""
    if cell is None or not cell.published:
        return Figure(value=None, published=False)
    if not cell.frequency and not cell.contributions:
        return Figure(value=None, published=True)
    value = cell.value
    return Figure(value=int(value) if integer else float(value), published=True)


def _ratio(numerator: Cell, denominator: Cell | float, *, factor: float = 100.0) -> Figure:
    """numerator / denominator · factor, published only when both parts are."""
    if isinstance(denominator, Cell):
        if not denominator.published:
            return Figure(None, False)
        denominator = denominator.value
    if not numerator.published or not denominator:
        return Figure(None, False)
    return Figure(numerator.value / denominator * factor, True)


def distribution(values: list[float], *, sum_published: bool = False) -> Distribution:
    """Median and quartiles of the values; ``sum_published`` where the report also publishes
    the sum of the same values (see ``disclosure.quantiles``)."""
    result = disclosure.quantiles(values, sum_published=sum_published)
    if result is None:
        return Distribution(n=len(values), published=False)
    return Distribution(
        n=len(values), published=True, median=result.median, q1=result.q1, q3=result.q3
    )


def cell_of(responses: Iterable[dict], column: str) -> Cell:
    return check_cell({r["organization_id"]: r[column] for r in responses if r[column] is not None})


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


def _number(value: Any) -> float | None:
    """A special-topic number answer, as typed (German decimal comma accepted)."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return float(value) if math.isfinite(value) else None
    try:
        number = float(str(value).strip().replace(" ", "").replace(",", "."))
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _answered(value: Any) -> bool:
    return value not in (None, "", [], {})


# ----------------------------------------------------------------------------------------------
# Loading


def load_responses(round: SurveyRound) -> list[dict]:
    rows = list(
        SurveyResponse.objects.filter(round=round, state=SurveyResponse.State.SUBMITTED).values(
            "id",
            "organization_id",
            "organization__kind",
            "hiring_difficulty",
            "business_situation",
            "business_expectation",
            "special_answers",
            *_NUMBER_COLUMNS,
        )
    )
    for row in rows:
        for column in _NUMBER_COLUMNS:
            row[column] = _float(row[column])
        row["kind_group"] = kind_group(row["organization__kind"])
        row["size_class"] = size_class(row["employees"]) or UNKNOWN
    return rows


def _load_fields(responses: list[dict]) -> dict[int, list[int]]:
    """Technology field id → the organisations that named it."""
    organisation_of = {r["id"]: r["organization_id"] for r in responses}
    links = SurveyResponse.technology_fields.through.objects.filter(
        surveyresponse_id__in=list(organisation_of)
    ).values_list("surveyresponse_id", "technologyfield_id")
    organisations: dict[int, list[int]] = defaultdict(list)
    for response_id, field_id in links:
        organisations[field_id].append(organisation_of[response_id])
    return organisations


# ----------------------------------------------------------------------------------------------
# The parts


def breakdown(
    responses: list[dict], key: str, keys: list[str], totals: dict[str, Cell]
) -> tuple[Table, dict[str, Cell], dict[str, Cell]]:
    """Count, revenue and employees by ``key`` (a partition of the respondents), each column
    protected against its total. Returns the table, the protected count cells and the totals
    as they came out of the table."""
    groups: dict[str, list[dict]] = {k: [] for k in keys}
    for response in responses:
        groups.setdefault(response[key], []).append(response)
    keys = [k for k in groups if k in keys or groups[k]]

    counts, _count_total = protect_table(
        {k: count_cell(r["organization_id"] for r in groups[k]) for k in keys},
        count_cell(r["organization_id"] for r in responses),
        total_known=True,  # the number of participants is published
    )
    columns = {"count": counts}
    total_out = {"count": Figure(len(responses), True)}
    total_cells: dict[str, Cell] = {}
    for column in ("revenue", "employees"):
        cells, total = protect_table({k: cell_of(groups[k], column) for k in keys}, totals[column])
        columns[column] = cells
        total_cells[column] = total
        total_out[column] = figure(total, integer=column == "employees")
    rows = [
        Row(
            key=k,
            group="kind" if key == "kind_group" else "size",
            figures={
                "count": figure(columns["count"][k], integer=True),
                "revenue": figure(columns["revenue"][k]),
                "employees": figure(columns["employees"][k], integer=True),
            },
        )
        for k in keys
    ]
    return Table(rows=rows, total=total_out), counts, total_cells


def _shares(responses: list[dict], columns: list[str], weight) -> dict[str, Cell]:
    """Weighted shares: each organisation's percentages (normalised to its own sum) times its
    weight; organisations with no positive weight or no answer to the shares take no part."""
    amounts: dict[str, dict[int, float]] = {column: {} for column in columns}
    for response in responses:
        w = weight(response)
        if not w or w <= 0:
            continue
        given = {c: response[c] for c in columns if response[c] is not None}
        spread = math.fsum(given.values())
        if spread <= 0:
            continue
        for column, share in given.items():
            amounts[column][response["organization_id"]] = w * share / spread
    return {column: check_cell(amounts[column]) for column in columns}


def share_rows(responses: list[dict], columns: list[str], group: str, weight) -> list[Row]:
    cells, total = protect_shares(_shares(responses, columns, weight))
    return [
        Row(key=column, group=group, figures={"share": _ratio(cells[column], total)})
        for column in columns
    ]


def growth(round: SurveyRound, responses: list[dict]) -> Growth:
    previous = SurveyRound.objects.filter(year__lt=round.year).order_by("-year").first()
    if previous is None:
        empty = GrowthFigure(n=0, percent=Figure(None, False))
        return Growth(previous_year=None, panel_size=0, revenue=empty, employees=empty)
    before = {
        row["organization_id"]: row
        for row in SurveyResponse.objects.filter(
            round=previous, state=SurveyResponse.State.SUBMITTED
        ).values("organization_id", "revenue", "employees")
    }
    panel = [r for r in responses if r["organization_id"] in before]

    def rate(column: str) -> GrowthFigure:
        pairs = {
            r["organization_id"]: (r[column], _float(before[r["organization_id"]][column]))
            for r in panel
            if r[column] is not None and before[r["organization_id"]][column] is not None
        }
        now = check_cell({org: pair[0] for org, pair in pairs.items()})
        then = check_cell({org: pair[1] for org, pair in pairs.items()})
        if not (now.published and then.published and then.value > 0):
            return GrowthFigure(n=len(pairs), percent=Figure(None, False))
        return GrowthFigure(
            n=len(pairs), percent=Figure((now.value - then.value) / then.value * 100, True)
        )

    return Growth(
        previous_year=previous.year,
        panel_size=len(panel),
        revenue=rate("revenue"),
        employees=rate("employees"),
    )


def _balance(values: list, positive: set, negative: set) -> Figure:
    n = len(values)
    if n == 0 or n < disclosure.parameters().min_contributors:
        return Figure(None, False)
    good = sum(1 for v in values if v in positive)
    poor = sum(1 for v in values if v in negative)
    return Figure((good - poor) / n * 100, True)


def climate(responses: list[dict]) -> Climate:
    situations = [r["business_situation"] for r in responses if r["business_situation"]]
    expectations = [r["business_expectation"] for r in responses if r["business_expectation"]]
    situation = SurveyResponse.Situation
    expectation = SurveyResponse.Expectation
    return Climate(
        situation_n=len(situations),
        situation_balance=_balance(
            situations,
            {situation.VERY_GOOD, situation.GOOD},
            {situation.POOR, situation.VERY_POOR},
        ),
        expectation_n=len(expectations),
        expectation_balance=_balance(expectations, {expectation.BETTER}, {expectation.WORSE}),
    )


def hiring(responses: list[dict]) -> Table:
    answering = [r for r in responses if r["hiring_difficulty"]]
    keys = [str(value) for value in SurveyResponse.Difficulty.values]
    cells, _total = protect_table(
        {
            key: count_cell(
                r["organization_id"] for r in answering if str(r["hiring_difficulty"]) == key
            )
            for key in keys
        },
        count_cell(r["organization_id"] for r in answering),
        total_known=True,
    )
    n = len(answering)
    rows = [
        Row(
            key=key,
            group="difficulty",
            figures={
                "count": figure(cells[key], integer=True),
                "share": _ratio(cells[key], n),
            },
        )
        for key in keys
    ]
    return Table(rows=rows, total={"count": Figure(n, True)})


def technology_fields(responses: list[dict]) -> list[Row]:
    by_organisation = {r["organization_id"]: r for r in responses}
    organisations = _load_fields(responses)
    # The totals of employees and revenue are published: each field's complement is known too.
    population = {
        column: {r["organization_id"]: r[column] for r in responses if r[column] is not None}
        for column in ("employees", "revenue")
    }

    def guarded(members: list[dict], column: str) -> Cell:
        return protect_against_complement(cell_of(members, column), population[column])

    rows = []
    for technology in TechnologyField.objects.all():
        members = [by_organisation[org] for org in organisations.get(technology.id, [])]
        if not technology.is_active and not members:
            continue
        rows.append(
            Row(
                key=str(technology.id),
                label_de=technology.name_de,
                label_en=technology.name_en,
                figures={
                    "organisations": figure(
                        count_cell(r["organization_id"] for r in members), integer=True
                    ),
                    "employees": figure(guarded(members, "employees"), integer=True),
                    "revenue": figure(guarded(members, "revenue")),
                },
            )
        )
    return rows


def special_questions(round: SurveyRound, responses: list[dict]) -> list[SpecialQuestionFigures]:
    """Answers are read from ``special_answers[str(question.id)]``: a number (or numeric text)
    for numbers, a choice key (the choice's position as text) for single choice, a list of keys
    for multiple choice."""
    result = []
    for question in SpecialQuestion.objects.filter(round=round):
        answers = {
            r["organization_id"]: (r["special_answers"] or {}).get(str(question.id))
            for r in responses
        }
        answers = {org: value for org, value in answers.items() if _answered(value)}
        figures: dict[str, Any] = {}
        kind = question.kind
        if kind == SpecialQuestion.Kind.NUMBER:
            numbers = {org: _number(value) for org, value in answers.items()}
            numbers = {org: value for org, value in numbers.items() if value is not None}
            answers = numbers
            total = None
            if all(value >= 0 for value in numbers.values()):
                total = figure(check_cell(numbers))
                figures["sum"] = total
            figures["distribution"] = distribution(
                list(numbers.values()), sum_published=bool(total and total.published)
            )
        elif kind in (SpecialQuestion.Kind.SINGLE, SpecialQuestion.Kind.MULTIPLE):
            labels_de = [line.strip() for line in question.choices_de.splitlines() if line.strip()]
            labels_en = [line.strip() for line in question.choices_en.splitlines() if line.strip()]
            keys = [str(index) for index in range(max(len(labels_de), len(labels_en)))]
            chosen: dict[str, list[int]] = {key: [] for key in keys}
            for org, value in answers.items():
                picked = value if isinstance(value, list) else [value]
                for key in {str(item) for item in picked}:
                    if key in chosen:
                        chosen[key].append(org)
            cells = {key: count_cell(orgs) for key, orgs in chosen.items()}
            if kind == SpecialQuestion.Kind.SINGLE:
                # One choice each: the counts add up to the (published) number of answers.
                cells, _total = protect_table(cells, count_cell(answers), total_known=True)
            figures["choices"] = [
                Row(
                    key=key,
                    label_de=labels_de[int(key)] if int(key) < len(labels_de) else "",
                    label_en=labels_en[int(key)] if int(key) < len(labels_en) else "",
                    figures={
                        "count": figure(cells[key], integer=True),
                        "share": _ratio(cells[key], len(answers)),
                    },
                )
                for key in keys
            ]
        result.append(
            SpecialQuestionFigures(
                id=question.id,
                position=question.position,
                kind=kind,
                text_de=question.text_de,
                text_en=question.text_en,
                answers=len(answers),
                **figures,
            )
        )
    return result


def _raw_count(organization_ids: list[int]) -> Cell:
    return Cell(
        value=len(organization_ids),
        contributions={pk: 1.0 for pk in organization_ids},
        published=True,
        reason="",
        frequency=True,
    )


def response_rate(
    round: SurveyRound,
    responses: list[dict],
    kind_counts: dict[str, Cell] | None = None,
    size_counts: dict[str, Cell] | None = None,
) -> ResponseRate:
    """Who was asked and who answered, by kind and size class. With the protected counts of the
    report's tables the report's figures; without them (``None``) the office's raw counts."""
    from reports.selectors import respondents

    answered = {r["organization_id"]: r for r in responses}
    if kind_counts is None or size_counts is None:
        kind_counts, size_counts = defaultdict(list), defaultdict(list)
        for response in responses:
            kind_counts[response["kind_group"]].append(response["organization_id"])
            size_counts[response["size_class"]].append(response["organization_id"])
        kind_counts = {k: _raw_count(ids) for k, ids in kind_counts.items()}
        size_counts = {k: _raw_count(ids) for k, ids in size_counts.items()}
    invited = list(
        Organization.objects.filter(
            Q(pk__in=respondents(round).values("pk")) | Q(id__in=list(answered))
        )
        .order_by("name", "id")
        .values("id", "name", "kind")
    )
    missing = [org for org in invited if org["id"] not in answered]
    earlier_size: dict[int, str] = {}
    for row in (
        SurveyResponse.objects.filter(
            organization_id__in=[org["id"] for org in missing],
            state=SurveyResponse.State.SUBMITTED,
            round__year__lt=round.year,
            employees__isnull=False,
        )
        .order_by("organization_id", "-round__year")
        .values("organization_id", "employees")
    ):
        earlier_size.setdefault(row["organization_id"], size_class(row["employees"]) or UNKNOWN)

    invited_by_kind: dict[str, int] = defaultdict(int)
    invited_by_size: dict[str, int] = defaultdict(int)
    for org in invited:
        invited_by_kind[kind_group(org["kind"])] += 1
        if org["id"] in answered:
            invited_by_size[answered[org["id"]]["size_class"]] += 1
        else:
            invited_by_size[earlier_size.get(org["id"], UNKNOWN)] += 1

    def rows(group: str, keys: list[str], asked: dict[str, int], counts: dict) -> list[Row]:
        # The fixed keys always, and "unknown" where someone falls into it.
        extra = [k for k in (*asked, *counts) if k not in keys]
        result = []
        for key in [*keys, *dict.fromkeys(extra)]:
            count = counts.get(key, count_cell(0))
            result.append(
                Row(
                    key=key,
                    group=group,
                    figures={
                        "invited": Figure(asked.get(key, 0), True),
                        "submitted": figure(count, integer=True),
                        "rate": _ratio(count, asked.get(key, 0)),
                    },
                )
            )
        return result

    n_invited, n_submitted = len(invited), len(responses)
    return ResponseRate(
        invited=n_invited,
        submitted=n_submitted,
        rate=n_submitted / n_invited * 100 if n_invited else None,
        by_kind=rows("kind", KIND_GROUPS, invited_by_kind, kind_counts),
        by_size=rows("size", SIZE_KEYS, invited_by_size, size_counts),
        missing=[{"id": org["id"], "name": org["name"]} for org in missing],
    )
