"""The growth report's figures as plain data: frozen dataclasses that round-trip through JSON
(``RoundFigures.to_dict()`` / ``from_dict()``), and the labels of their keys."""

from __future__ import annotations

import dataclasses
import types
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Union, get_args, get_origin, get_type_hints

from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from reports.models import REGIONS, SECTORS, SIZE_CLASSES, SurveyResponse

UNKNOWN = "unknown"
KIND_GROUPS = ["company", "research"]
SIZE_KEYS = [label for label, _low, _high in SIZE_CLASSES]

# Labels of the keys the figures use; looked up when a page or chart asks (in its language).
LABELS: dict[str, dict[str, Any]] = {
    "kind": {
        "company": _("Companies"),
        "research": _("Research institutes and universities"),
    },
    "size": {
        "1-9": _("1–9 employees"),
        "10-49": _("10–49 employees"),
        "50-249": _("50–249 employees"),
        "250+": _("250 or more employees"),
        UNKNOWN: _("Size not stated"),
    },
    "difficulty": {str(value): label for value, label in SurveyResponse.Difficulty.choices},
    "region": dict(REGIONS),
    "sector": dict(SECTORS),
}


def _english() -> bool:
    return (get_language() or "de").startswith("en")


# ----------------------------------------------------------------------------------------------
# The result: plain data


@dataclass(frozen=True)
class Figure:
    """One published number, or ``value=None, published=False`` where it is suppressed for
    confidentiality (the report shows "·" with a footnote); ``value=None, published=True``
    where nobody answered (the report shows "–")."""

    value: float | int | None
    published: bool = True


@dataclass(frozen=True)
class Distribution:
    """Median and quartiles of the ``n`` answers (None below the minimum number)."""

    n: int
    published: bool
    median: float | None = None
    q1: float | None = None
    q3: float | None = None


@dataclass(frozen=True)
class Row:
    """A line of a table: a key (a size class, a region …), its figures by column name, and its
    label: written by the office in both languages (technology fields, special-topic choices) or
    looked up from ``LABELS[group]`` in the active language."""

    key: str
    figures: dict[str, Figure]
    group: str = ""
    label_de: str = ""
    label_en: str = ""

    @property
    def label(self) -> str:
        if self.label_de or self.label_en:
            return (self.label_en if _english() else self.label_de) or self.label_de
        return str(LABELS.get(self.group, {}).get(self.key, self.key))


@dataclass(frozen=True)
class Table:
    rows: list[Row]
    total: dict[str, Figure]


@dataclass(frozen=True)
class ResponseRate:
    """Organisations asked and answering; ``rate`` in percent. ``by_kind``/``by_size`` rows have
    the figures ``invited``, ``submitted`` and ``rate``. ``missing`` (``{"id", "name"}`` of the
    organisations asked that have not submitted) is for the office, never for the report."""

    invited: int
    submitted: int
    rate: float | None
    by_kind: list[Row]
    by_size: list[Row]
    missing: list[dict[str, Any]]


@dataclass(frozen=True)
class GrowthFigure:
    """Growth in percent over the ``n`` panel organisations that gave the figure in both rounds
    (only the rate is published: the panel's sums could be subtracted from the totals)."""

    n: int
    percent: Figure


@dataclass(frozen=True)
class Growth:
    previous_year: int | None
    panel_size: int
    revenue: GrowthFigure
    employees: GrowthFigure


@dataclass(frozen=True)
class Climate:
    """Balances in percentage points: good or very good minus poor or very poor (today), better
    minus worse (expected), over the organisations that answered."""

    situation_n: int
    situation_balance: Figure
    expectation_n: int
    expectation_balance: Figure


@dataclass(frozen=True)
class SpecialQuestionFigures:
    """A special-topic question's figures: ``answers`` for every kind; for numbers ``sum`` (None
    when some answer is negative: a sum of mixed signs is no quantity to protect) and
    ``distribution``; for choices ``choices`` (rows with ``count`` and ``share`` of the answers).
    Text answers are never part of the figures."""

    id: int
    position: int
    kind: str
    text_de: str
    text_en: str
    answers: int
    sum: Figure | None = None
    distribution: Distribution | None = None
    choices: list[Row] = field(default_factory=list)

    @property
    def text(self) -> str:
        return (self.text_en if _english() else self.text_de) or self.text_de


@dataclass(frozen=True)
class RoundFigures:
    """All figures of a round's report. See the module and the field docs for the key names."""

    round_id: int
    year: int
    reference_year: int
    special_topic_de: str
    special_topic_en: str
    # invited, submitted, response_rate, revenue, employees, trainees, positions,
    # export_share_median, rnd_share_median
    key_figures: dict[str, Figure]
    response_rate: ResponseRate
    # revenue, employees, employees_rnd, trainees, positions_expansion, positions_replacement,
    # positions_total
    totals: dict[str, Figure]
    # revenue, employees, rnd_share, export_share, women_in_leadership (shares in percent)
    distributions: dict[str, Distribution]
    growth: Growth
    # rows per difficulty 1–4 ("1" … "4") with count and share; total: count
    hiring_difficulty: Table
    # rows per region with share (percent of the export, weighted by export volume)
    export_regions: list[Row]
    # rows per technology field with organisations, employees, revenue
    technology_fields: list[Row]
    # rows per sector with share (percent of revenue, weighted by revenue)
    customer_sectors: list[Row]
    business_climate: Climate
    # rows per kind group / size class with count, revenue, employees; total: the same columns
    by_kind: Table
    by_size: Table
    special_questions: list[SpecialQuestionFigures]

    @property
    def special_topic(self) -> str:
        return (self.special_topic_en if _english() else self.special_topic_de) or (
            self.special_topic_de
        )

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RoundFigures:
        return _decode(cls, data)


def _decode(kind: Any, data: Any) -> Any:
    if data is None:
        return None
    if dataclasses.is_dataclass(kind):
        hints = get_type_hints(kind)
        return kind(
            **{f.name: _decode(hints[f.name], data[f.name]) for f in dataclasses.fields(kind)}
        )
    origin = get_origin(kind)
    if origin in (Union, types.UnionType):
        for arg in get_args(kind):
            if dataclasses.is_dataclass(arg) and isinstance(data, Mapping):
                return _decode(arg, data)
        return data
    if origin is list:
        (item,) = get_args(kind)
        return [_decode(item, value) for value in data]
    if origin is dict:
        _key, item = get_args(kind)
        return {key: _decode(item, value) for key, value in data.items()}
    return data
