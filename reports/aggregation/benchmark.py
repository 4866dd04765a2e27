"""An organisation's benchmark sheet: its own figures beside the cluster's median and quartiles,
overall and within its size class. Only the organisation's own values and distributions that
pass the report's rules (``disclosure.quantiles``: enough answers) leave this module; another
organisation's value never does."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from reports.aggregation import sections
from reports.aggregation.figures import LABELS, UNKNOWN, Distribution
from reports.models import SurveyResponse


def _ratio(part: str, whole: str, factor: float = 100.0) -> Callable[[dict], float | None]:
    def value(row: dict) -> float | None:
        if row[part] is None or not row[whole]:
            return None
        return row[part] / row[whole] * factor

    return value


def _column(name: str, factor: float = 1.0) -> Callable[[dict], float | None]:
    def value(row: dict) -> float | None:
        return None if row[name] is None else row[name] * factor

    return value


# key → (label, unit, how the figure is computed from a response's row)
METRICS: dict[str, tuple] = {
    "employees": (_("Employees (headcount)"), "", _column("employees")),
    "revenue": (_("Revenue"), _("€ m"), _column("revenue", 1e-6)),
    "revenue_per_employee": (
        _("Revenue per employee"),
        _("€ thousand"),
        _ratio("revenue", "employees", 1e-3),
    ),
    "rnd_share": (_("R&D expenditure as a share of revenue"), "%", _column("rnd_share")),
    "rnd_staff_share": (_("Share of employees in R&D"), "%", _ratio("employees_rnd", "employees")),
    "trainee_share": (_("Trainees per 100 employees"), "", _ratio("trainees", "employees")),
    "export_share": (_("Export share of revenue"), "%", _column("export_share")),
    "women_in_leadership": (
        _("Share of leadership positions held by women"),
        "%",
        _ratio("leaders_women", "leaders"),
    ),
}


# Figures whose sums the report publishes, overall and per size class.
SUMS_PUBLISHED = {"employees", "revenue"}


@dataclass(frozen=True)
class BenchmarkRow:
    key: str
    own: float | None
    overall: Distribution
    size_class: Distribution

    @property
    def label(self) -> str:
        return str(METRICS[self.key][0])

    @property
    def unit(self) -> str:
        return str(METRICS[self.key][1])

    @property
    def position(self) -> str:
        """Where the own value lies in the cluster: "below", "middle" or "above" the middle
        half; "" when either is unknown."""
        if self.own is None or not self.overall.published:
            return ""
        if self.own < self.overall.q1:
            return "below"
        if self.own > self.overall.q3:
            return "above"
        return "middle"


@dataclass(frozen=True)
class BenchmarkSheet:
    round_id: int
    year: int
    reference_year: int
    organization_id: int
    organization_name: str
    size_class: str
    participants: int
    rows: list[BenchmarkRow]

    @property
    def size_class_label(self) -> str:
        return str(LABELS["size"].get(self.size_class, self.size_class))


def benchmark_sheet(response: SurveyResponse) -> BenchmarkSheet | None:
    """The sheet of a submitted response (None for a draft: it takes no part in the figures)."""
    if response.state != SurveyResponse.State.SUBMITTED:
        return None
    responses = sections.load_responses(response.round)
    own = next(row for row in responses if row["id"] == response.pk)
    peers = (
        [row for row in responses if row["size_class"] == own["size_class"]]
        if own["size_class"] != UNKNOWN
        else []
    )

    def distribution(rows: list[dict], key: str, value) -> Distribution:
        # The report publishes the sums of revenue and employees (overall and per size
        # class): their quartiles need more answers (see disclosure.quantiles).
        return sections.distribution(
            [v for v in map(value, rows) if v is not None],
            sum_published=key in SUMS_PUBLISHED,
        )

    rows = [
        BenchmarkRow(
            key=key,
            own=value(own),
            overall=distribution(responses, key, value),
            size_class=distribution(peers, key, value),
        )
        for key, (_label, _unit, value) in METRICS.items()
    ]
    return BenchmarkSheet(
        round_id=response.round_id,
        year=response.round.year,
        reference_year=response.round.reference_year,
        organization_id=response.organization_id,
        organization_name=response.organization.name,
        size_class=own["size_class"],
        participants=len(responses),
        rows=rows,
    )
