"""Statistical disclosure control for the growth report's tables.

A cell (a sum or a count over organisations) is published only when it passes the two primary
rules statistical offices use for business tables:

- **minimum frequency**: at least ``REPORT_MIN_CONTRIBUTORS`` (3) organisations contribute;
- **p % rule** (magnitude cells only): the total minus the two largest contributions is at least
  ``REPORT_P_PERCENT`` (10) % of the largest contribution, so that the second-largest contributor
  cannot estimate the largest one to within p %. A dominance rule on the largest contributor alone
  would miss the case where two organisations make up nearly the whole cell.

Who counts as a contributor: every organisation that answered the question counts towards the
minimum frequency, a zero included (it is an answer). Zeros add nothing to the magnitude, so the
p % rule protects cells where fewer than three organisations carry the value: with at most two
positive contributions the remainder is 0 and the cell fails. A cell nobody contributed to is
published (as 0): it tells nothing about anyone.

Where a table shows a total (or its cells are shares that add up to 100 %), secondary suppression
follows: the suppressed cells of a table can be recovered together as the total minus the
published cells, so their union must itself pass the primary rules. Cells are added, smallest
first, until it does (see ``protect_table``).

Medians and quartiles are published from ``REPORT_MIN_CONTRIBUTORS_QUANTILES`` (5) values on.

The parameters live in the settings and are never printed in the report. These are pure
functions over numbers; they know nothing of models.
"""

from __future__ import annotations

import itertools
import math
import statistics
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import NamedTuple, TypeVar

from django.conf import settings

FEW = "few"
DOMINANCE = "dominance"
SECONDARY = "secondary"

K = TypeVar("K", bound=Hashable)

# Contributions given as a plain list have no identity; each gets a key of its own, so that two
# such cells never merge one another's entries when their union is checked.
_anonymous = itertools.count()


class Parameters(NamedTuple):
    min_contributors: int
    p: float
    min_contributors_quantiles: int


def parameters() -> Parameters:
    """The rules' parameters from the settings (read on every use, so tests may override them)."""
    return Parameters(
        min_contributors=int(settings.REPORT_MIN_CONTRIBUTORS),
        p=float(settings.REPORT_P_PERCENT),
        min_contributors_quantiles=int(settings.REPORT_MIN_CONTRIBUTORS_QUANTILES),
    )


@dataclass(frozen=True)
class Cell:
    """A sum (or a count) over organisations, with what each organisation contributed.

    ``contributions`` maps a contributor (an organisation's id) to its amount; a count has 1 per
    organisation and ``frequency=True`` (only the minimum-frequency rule applies to it).
    ``reason`` says why a cell is not published: "few", "dominance" or "secondary". The true
    value stays in the computation; what leaves it is ``value`` only when ``published``
    (see ``Cell.public_value``)."""

    value: float
    contributions: Mapping[Hashable, float] = field(default_factory=dict)
    published: bool = True
    reason: str = ""
    frequency: bool = False

    @property
    def contributors(self) -> int:
        return len(self.contributions)

    @property
    def public_value(self) -> float | None:
        return self.value if self.published else None


def _as_mapping(contributions: Mapping[Hashable, float] | Iterable[float]) -> dict:
    if isinstance(contributions, Mapping):
        items = {key: float(amount) for key, amount in contributions.items()}
    else:
        items = {("_", next(_anonymous)): float(amount) for amount in contributions}
    for amount in items.values():
        if amount < 0 or math.isnan(amount):
            raise ValueError("Contributions to a cell must be non-negative numbers.")
    return items


def primary_reason(
    contributions: Mapping[Hashable, float],
    *,
    frequency: bool = False,
    min_contributors: int | None = None,
    p: float | None = None,
) -> str:
    """Why the cell may not be published: "few" or "dominance"; "" when it may."""
    n = len(contributions)
    if n == 0:
        return ""
    if min_contributors is None:
        min_contributors = parameters().min_contributors
    if n < min_contributors:
        return FEW
    if frequency:
        return ""
    if p is None:
        p = parameters().p
    amounts = sorted(contributions.values(), reverse=True)
    largest = amounts[0]
    second = amounts[1] if n > 1 else 0.0
    remainder = math.fsum(amounts) - largest - second
    # Compared multiplied out (100·remainder ≥ p·largest) to keep round numbers exact.
    if 100 * remainder < p * largest:
        return DOMINANCE
    return ""


def check_cell(
    contributions: Mapping[Hashable, float] | Iterable[float],
    *,
    min_contributors: int | None = None,
    p: float | None = None,
) -> Cell:
    """A magnitude cell (a sum), checked by both primary rules."""
    items = _as_mapping(contributions)
    reason = primary_reason(items, min_contributors=min_contributors, p=p)
    return Cell(
        value=math.fsum(items.values()),
        contributions=items,
        published=not reason,
        reason=reason,
    )


def count_cell(
    contributors: Iterable[Hashable] | int, *, min_contributors: int | None = None
) -> Cell:
    """A frequency cell (a number of organisations): published unless it counts 1 to
    ``min_contributors - 1`` organisations. Give the organisations' ids where the cell may take
    part in a table with a total (the union check needs to know who is in it)."""
    if isinstance(contributors, int):
        items = {("_", next(_anonymous)): 1.0 for _ in range(contributors)}
    else:
        items = {key: 1.0 for key in contributors}
    reason = primary_reason(items, frequency=True, min_contributors=min_contributors)
    return Cell(
        value=len(items), contributions=items, published=not reason, reason=reason, frequency=True
    )


def protect_against_complement(
    cell: Cell,
    population: Mapping[Hashable, float],
    *,
    min_contributors: int | None = None,
    p: float | None = None,
) -> Cell:
    """A cell of an overlapping breakdown beside the published total of its population.

    Technology fields overlap (an organisation names several), so their cells are no table
    that adds up to the total and `protect_table` cannot guard them. But the total minus such a
    cell is the sum of everybody outside it: that sum must pass the primary rules as well, or
    the cell is suppressed (secondary). Example: all but two organisations name "Laser"; the
    total minus the Laser cell would be the two others' sum."""
    if not cell.published:
        return cell
    rest = {key: amount for key, amount in population.items() if key not in cell.contributions}
    if rest and primary_reason(
        rest, frequency=cell.frequency, min_contributors=min_contributors, p=p
    ):
        return replace(cell, published=False, reason=SECONDARY)
    return cell


def _recheck(cell: Cell, *, min_contributors: int | None, p: float | None) -> Cell:
    reason = primary_reason(
        cell.contributions, frequency=cell.frequency, min_contributors=min_contributors, p=p
    )
    if reason:
        return replace(cell, published=False, reason=reason)
    if cell.reason == SECONDARY:
        return cell  # already suppressed by an earlier pass over a table
    return replace(cell, published=True, reason="")


def _union(cells: Iterable[Cell]) -> dict:
    union: dict = {}
    for cell in cells:
        for key, amount in cell.contributions.items():
            union[key] = union.get(key, 0.0) + amount
    return union


def protect_table(
    cells: Mapping[K, Cell],
    total: Cell | None = None,
    *,
    total_known: bool = False,
    min_contributors: int | None = None,
    p: float | None = None,
) -> tuple[dict[K, Cell], Cell | None]:
    """Primary suppression of every cell, then secondary suppression against the total.

    When the total is published (or ``total_known``: the cells are shares that add up to 100 %),
    the suppressed cells can be recovered together as the total minus the published cells. Their
    union (each organisation's contributions summed) must therefore pass the primary rules
    itself; until it does, one more published cell is suppressed: the smallest one that makes
    the union pass, or, if no single one does, the smallest non-empty one, and the check repeats.
    A single suppressed cell always fails (it failed on its own), so it never stays alone. If
    every cell is suppressed and the union still fails, the total is suppressed too.

    The cells must partition the total (one-dimensional tables: every contributor of the total
    in exactly one cell, or, for shares, spread over the cells)."""
    order = {key: index for index, key in enumerate(cells)}
    checked = {
        key: _recheck(cell, min_contributors=min_contributors, p=p) for key, cell in cells.items()
    }
    if total is not None:
        total = _recheck(total, min_contributors=min_contributors, p=p)
    if not total_known and (total is None or not total.published):
        return checked, total

    frequency = all(cell.frequency for cell in checked.values())

    def passes(union: dict) -> bool:
        return not primary_reason(
            union, frequency=frequency, min_contributors=min_contributors, p=p
        )

    while True:
        suppressed = [cell for cell in checked.values() if not cell.published]
        if not suppressed:
            break
        union = _union(suppressed)
        if passes(union):
            break
        candidates = sorted(
            (key for key, cell in checked.items() if cell.published and cell.contributors),
            key=lambda key: (checked[key].value, order[key]),
        )
        if not candidates:
            if total is not None and total.published:
                total = replace(total, published=False, reason=SECONDARY)
            break
        chosen = next(
            (key for key in candidates if passes(_union([*suppressed, checked[key]]))),
            None,
        )
        if chosen is None:
            chosen = next((key for key in candidates if checked[key].value > 0), candidates[0])
        checked[chosen] = replace(checked[chosen], published=False, reason=SECONDARY)
    return checked, total


def protect_shares(
    cells: Mapping[K, Cell],
    *,
    min_contributors: int | None = None,
    p: float | None = None,
) -> tuple[dict[K, Cell], Cell]:
    """Cells that are published as shares of their sum (export regions, customer sectors): the
    sum is known to be 100 %, so secondary suppression always applies; and if the sum itself
    fails the primary rules, no share is published (the shares would describe one or two
    organisations' business)."""
    union = _union(cells.values())
    total = Cell(value=math.fsum(union.values()), contributions=union)
    reason = primary_reason(union, min_contributors=min_contributors, p=p)
    if reason:
        hidden = {}
        for key, cell in cells.items():
            own = primary_reason(cell.contributions, min_contributors=min_contributors, p=p)
            hidden[key] = replace(cell, published=False, reason=own or SECONDARY)
        return hidden, replace(total, published=False, reason=reason)
    protected, _total = protect_table(
        cells, total, total_known=True, min_contributors=min_contributors, p=p
    )
    return protected, total


class Quartiles(NamedTuple):
    median: float
    q1: float
    q3: float


def quantiles(
    values: Iterable[float],
    *,
    min_contributors: int | None = None,
    sum_published: bool = False,
) -> Quartiles | None:
    """Median and quartiles, or None with fewer than ``REPORT_MIN_CONTRIBUTORS_QUANTILES`` values.

    Quartiles are order statistics: with five values they are the 2nd, 3rd and 4th answer
    exactly, and where the sum of the same values is published too, the sum minus the three
    gives the smallest plus the largest, so each of those two learns the other's figure. Where
    the sum is published (``sum_published``) the quartiles therefore need twice as many values.

    Method: ``statistics.quantiles(values, n=4, method="inclusive")``, i.e. linear interpolation
    between the order statistics at positions 1 + (n − 1)·k/4 (Hyndman–Fan type 7, the default of
    numpy, R and spreadsheets); the median is the middle quartile of the same method."""
    data = sorted(float(value) for value in values)
    if min_contributors is None:
        min_contributors = parameters().min_contributors_quantiles
    if sum_published:
        min_contributors *= 2
    if len(data) < max(min_contributors, 2):
        return None
    q1, median, q3 = statistics.quantiles(data, n=4, method="inclusive")
    return Quartiles(median=median, q1=q1, q3=q3)
