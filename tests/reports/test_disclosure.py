"""Statistical disclosure control: the minimum-frequency rule, the p % rule, secondary
suppression against a published total, and the minimum for medians and quartiles."""

import statistics

import pytest

from reports.disclosure import (
    DOMINANCE,
    FEW,
    SECONDARY,
    Cell,
    check_cell,
    count_cell,
    parameters,
    primary_reason,
    protect_shares,
    protect_table,
    quantiles,
)


def _union_passes(cells):
    union = {}
    for cell in cells:
        for key, amount in cell.contributions.items():
            union[key] = union.get(key, 0.0) + amount
    return primary_reason(union) == ""


def test_parameters_default_to_three_contributors_ten_percent_and_five_for_quartiles():
    assert parameters() == (3, 10.0, 5)


def test_parameters_come_from_the_settings(settings):
    settings.REPORT_MIN_CONTRIBUTORS = 4
    settings.REPORT_P_PERCENT = 20
    settings.REPORT_MIN_CONTRIBUTORS_QUANTILES = 7
    assert parameters() == (4, 20.0, 7)
    assert check_cell([50, 40, 30]).reason == FEW
    assert check_cell([50, 40, 30, 20]).published  # 90 − 50 − 40 … remainder 50 ≥ 10
    assert quantiles([1, 2, 3, 4, 5, 6]) is None


def test_a_cell_of_two_organisations_is_suppressed():
    cell = check_cell({"a": 50.0, "b": 50.0})
    assert (cell.published, cell.reason, cell.public_value) == (False, FEW, None)


def test_a_cell_of_three_where_the_largest_dominates_is_suppressed():
    # 109 − 100 − 5 = 4 < 10 % of 100
    cell = check_cell([100, 5, 4])
    assert (cell.published, cell.reason) == (False, DOMINANCE)


def test_a_cell_passing_both_rules_is_published():
    cell = check_cell({"a": 50, "b": 40, "c": 30})  # 120 − 50 − 40 = 30 ≥ 5
    assert cell.published and cell.reason == ""
    assert cell.public_value == 120.0


def test_the_p_percent_rule_is_met_at_exactly_p_percent():
    assert check_cell([100, 50, 10]).published  # 160 − 100 − 50 = 10 = 10 % of 100
    assert check_cell([100, 50, 9.99]).reason == DOMINANCE


def test_the_second_largest_could_estimate_the_largest_though_it_does_not_dominate_alone():
    contributions = [60, 38, 2]
    total = sum(contributions)
    # A single dominance rule on the largest contributor (at most 90 % of the cell) would
    # publish this cell: the largest holds only 60 %.
    assert max(contributions) < 0.9 * total
    # But the second (38) knows that the largest is total − 38 − (the rest, 2): within 2/60 ≈
    # 3 %, closer than p = 10 %. The p % rule suppresses it.
    cell = check_cell(contributions)
    assert (cell.published, cell.reason) == (False, DOMINANCE)


def test_zero_answers_count_as_contributors_but_carry_no_magnitude():
    assert check_cell([100, 0, 0]).reason == DOMINANCE  # three answers, one carries the value
    zeros = check_cell([0, 0, 0])
    assert zeros.published and zeros.value == 0


def test_an_empty_cell_discloses_nothing_and_is_published():
    cell = check_cell([])
    assert cell.published and cell.value == 0


def test_negative_contributions_are_refused():
    with pytest.raises(ValueError):
        check_cell([10, -1, 5])


def test_counts_of_one_or_two_organisations_are_suppressed_and_zero_is_published():
    assert count_cell(["a"]).reason == FEW
    assert count_cell(["a", "b"]).reason == FEW
    assert count_cell(["a", "b", "c"]).published
    assert count_cell([]).published
    # Counts are no magnitude: the p % rule does not apply to them.
    assert count_cell(["a", "b", "c"]).value == 3


def _kind_table():
    return {
        "company": check_cell({"c1": 10, "c2": 20, "c3": 30, "c4": 40}),  # 100
        "research": check_cell({"r1": 25, "r2": 35}),  # 60, two organisations
        "startup": check_cell({"s1": 5, "s2": 6, "s3": 7}),  # 18
    }


def test_secondary_suppression_adds_the_smallest_published_cell():
    cells = _kind_table()
    total = check_cell({k: v for cell in cells.values() for k, v in cell.contributions.items()})
    protected, total = protect_table(cells, total)
    assert total.published and total.value == 178
    assert protected["research"].reason == FEW
    assert (protected["startup"].published, protected["startup"].reason) == (False, SECONDARY)
    assert protected["company"].published and protected["company"].value == 100


def test_a_suppressed_cell_cannot_be_recovered_from_the_published_total():
    cells = _kind_table()
    true_values = {key: cell.value for key, cell in cells.items()}
    total = check_cell({k: v for cell in cells.values() for k, v in cell.contributions.items()})
    protected, total = protect_table(cells, total)

    # What a reader sees: the total and the published cells.
    published = {key: cell.public_value for key, cell in protected.items() if cell.published}
    hidden = [key for key, cell in protected.items() if not cell.published]
    residual = total.public_value - sum(published.values())

    # The attack: the total minus the published cells gives back … the sum of at least two
    # suppressed cells, never one of them.
    assert len(hidden) >= 2
    assert residual == sum(true_values[key] for key in hidden)
    for key in hidden:
        assert residual != true_values[key]
    # And what can be recovered together is itself safe by both primary rules.
    assert _union_passes(protected[key] for key in hidden)


def test_two_single_organisation_cells_do_not_protect_each_other():
    # Each could subtract its own value from the recovered pair and learn the other's exactly.
    cells = {
        "a": check_cell({"x": 500}),
        "b": check_cell({"y": 400}),
        "c": check_cell({"p": 30, "q": 30, "r": 30}),
        "d": check_cell({"s": 300, "t": 300, "u": 300}),
    }
    total = check_cell({k: v for cell in cells.values() for k, v in cell.contributions.items()})
    assert total.published
    protected, total = protect_table(cells, total)
    hidden = {key for key, cell in protected.items() if not cell.published}
    # a + b alone (two contributors) fails: x would learn y's 400 exactly. With c added
    # (three times 30) the union passes: 990 − 500 − 400 = 90 ≥ 10 % of 500.
    assert hidden == {"a", "b", "c"}
    assert _union_passes(protected[key] for key in hidden)
    residual = total.public_value - sum(c.public_value for c in protected.values() if c.published)
    # x knows its own 500; what is left is not y's 400.
    assert residual - 500 != 400


def test_secondary_suppression_prefers_the_smallest_cell_that_protects():
    cells = {
        "one": check_cell({"x": 100}),  # few
        "zeros": check_cell({"a": 0, "b": 0, "c": 0}),  # published 0, protects nothing
        "mid": check_cell({"d": 50, "e": 40, "f": 30}),
        "big": check_cell({"g": 500, "h": 400, "i": 300}),
    }
    total = check_cell({k: v for cell in cells.values() for k, v in cell.contributions.items()})
    protected, _total = protect_table(cells, total)
    assert [key for key, cell in protected.items() if not cell.published] == ["one", "mid"]


def test_nothing_more_is_suppressed_when_the_total_is_not_published():
    cells = {"a": check_cell({"x": 900}), "b": check_cell({"p": 5, "q": 4, "r": 3})}
    total = check_cell({"x": 900, "p": 5, "q": 4, "r": 3})
    assert total.reason == DOMINANCE
    protected, total = protect_table(cells, total)
    assert not total.published
    assert protected["b"].published  # the total is not shown: nothing to subtract from


def test_a_table_without_total_gets_primary_suppression_only():
    protected, total = protect_table({"a": check_cell([1, 1]), "b": check_cell([5, 5, 5])})
    assert total is None
    assert (protected["a"].published, protected["b"].published) == (False, True)


def test_frequency_tables_with_a_known_total_get_secondary_suppression():
    cells = {
        "easy": count_cell([]),
        "rather easy": count_cell(["d"]),
        "rather hard": count_cell(["a", "c", "f"]),
        "very hard": count_cell(["b", "e"]),
    }
    protected, _total = protect_table(cells, None, total_known=True)
    assert [k for k, c in protected.items() if not c.published] == ["rather easy", "very hard"]
    assert protected["easy"].published  # an empty category tells nothing


def test_shares_of_a_dominated_sum_are_not_published():
    cells = {"eu": check_cell({"a": 900, "b": 1, "c": 1}), "us": check_cell({"a": 100})}
    protected, total = protect_shares(cells)
    assert not total.published
    assert not any(cell.published for cell in protected.values())


def test_shares_get_secondary_suppression_because_they_add_up_to_100():
    cells = {
        "eu": check_cell({"a": 40, "b": 30, "c": 20, "d": 10}),
        "us": check_cell({"a": 20, "b": 20, "c": 20}),
        "cn": check_cell({"d": 10}),
    }
    protected, total = protect_shares(cells)
    assert total.published
    assert protected["cn"].reason == FEW
    assert protected["us"].reason == SECONDARY  # the smaller of the two that remain


def test_quartiles_need_five_values():
    assert quantiles([1, 2, 3, 4]) is None


def test_quartiles_are_the_inclusive_linear_method():
    # Positions 1 + (n − 1)·k/4 between order statistics: for 1..6 → 2.25, 3.5, 4.75.
    result = quantiles([6, 1, 5, 2, 4, 3])
    assert (result.q1, result.median, result.q3) == (2.25, 3.5, 4.75)
    assert result.median == statistics.median([1, 2, 3, 4, 5, 6])
    result = quantiles([0, 2, 3, 5, 10])
    assert (result.q1, result.median, result.q3) == (2, 3, 5)


def test_cells_keep_their_reason_for_the_office_but_hide_the_value():
    cell = Cell(value=42.0, contributions={"a": 42.0}, published=False, reason=FEW)
    assert cell.public_value is None
