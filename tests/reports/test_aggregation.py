"""The figures of a round on a small data set computed by hand: totals, medians and quartiles,
response rates, panel growth, shares, balances, breakdowns and the special topic, with the
confidentiality rules applied."""

import json
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from members.models import Organization
from reports import disclosure
from reports.aggregation import Figure, RoundFigures, round_aggregate, round_progress
from reports.models import SpecialQuestion, SurveyResponse, SurveyRound, TechnologyField
from tests.members.factories import OrganizationFactory

pytestmark = pytest.mark.django_db

HIDDEN = Figure(None, False)
REGIONS_ZERO = {"region_europe_other": 0, "region_asia_other": 0, "region_other": 0}
SECTORS_ZERO = {
    "sector_semiconductors": 0,
    "sector_medical": 0,
    "sector_automotive": 0,
    "sector_mechanical": 0,
    "sector_aerospace": 0,
    "sector_research": 0,
    "sector_consumer": 0,
    "sector_energy": 0,
    "sector_other": 0,
}


def make_round(year, **fields):
    return SurveyRound.objects.create(
        year=year,
        reference_year=year - 1,
        opens_on=date(year, 3, 1),
        closes_on=date(year, 5, 31),
        status=fields.pop("status", SurveyRound.Status.CLOSED),
        **fields,
    )


def respond(survey_round, organization, *, state="submitted", fields=(), **answers):
    for name, value in answers.items():
        if isinstance(value, float):
            answers[name] = Decimal(str(value))
    response = SurveyResponse.objects.create(
        round=survey_round,
        organization=organization,
        state=state,
        submitted_at=timezone.now() if state == "submitted" else None,
        **answers,
    )
    if fields:
        response.technology_fields.set(fields)
    return response


def sectors(**shares):
    return {**SECTORS_ZERO, **{f"sector_{name}": value for name, value in shares.items()}}


@pytest.fixture
def data():
    """Six organisations answered the 2025 round (A–F), G was asked and did not; H's membership
    has ended. 2023 is the previous round (A, B, D and G answered it; C only drafted), 2021 an
    older one.

        org kind        revenue emp  train lead women exp rep diff rnd export sit expect
        A   company     1.0 M    10   1     2    1     2   1   3    5   40     2   better
        B   company     2.0 M    20   2     4    1     4   2   4   10   50     1   better
        C   research    3.0 M    30   3     5    2     1   1   3    8   60     3   same
        D   university  4.0 M    60   0    10    5     3   3   2   20   20     4   worse
        E   research    5.0 M    80   4     8    2     5   0   4   25   30     2   same
        F   startup     6.0 M   300  10    20   10    10   5   3   15   70     2   better
    """
    current = make_round(2025, special_topic_de="KI", special_topic_en="AI")
    previous = make_round(2023)
    older = make_round(2021)
    org = {
        name: OrganizationFactory(name=f"Org {name}", kind=kind)
        for name, kind in [
            ("A", Organization.Kind.COMPANY),
            ("B", Organization.Kind.COMPANY),
            ("C", Organization.Kind.RESEARCH),
            ("D", Organization.Kind.UNIVERSITY),
            ("E", Organization.Kind.RESEARCH),
            ("F", Organization.Kind.STARTUP),
            ("G", Organization.Kind.COMPANY),
        ]
    }
    org["H"] = OrganizationFactory(name="Org H", status=Organization.Status.ENDED)

    laser = TechnologyField.objects.create(name_de="Laser", name_en="Lasers", position=1)
    optics = TechnologyField.objects.create(name_de="Optik", name_en="Optics", position=2)
    retired = TechnologyField.objects.create(
        name_de="Alt", name_en="Old", position=3, is_active=False
    )
    sensing = TechnologyField.objects.create(name_de="Sensorik", name_en="Sensing", position=4)

    number = SpecialQuestion.objects.create(
        round=current, position=1, kind="number", text_de="KI-Projekte?", text_en="AI projects?"
    )
    single = SpecialQuestion.objects.create(
        round=current,
        position=2,
        kind="single",
        text_de="Wichtigste Technik?",
        text_en="Main technique?",
        choices_de="Lernen\nRegeln\nSuche",
        choices_en="Learning\nRules\nSearch",
    )
    multiple = SpecialQuestion.objects.create(
        round=current,
        position=3,
        kind="multiple",
        text_de="Einsatz?",
        text_en="Use?",
        choices_de="Qualität\nEntwicklung\nVertrieb",
        choices_en="Quality\nDevelopment\nSales",
    )
    text = SpecialQuestion.objects.create(
        round=current, position=4, kind="text", text_de="Pläne?", text_en="Plans?"
    )

    def special(n=None, s=None, m=None, t=None):
        answers = {}
        for question, value in ((number, n), (single, s), (multiple, m), (text, t)):
            if value is not None:
                answers[str(question.pk)] = value
        return answers

    # fmt: off
    rows = [
        # name, revenue, emp, trainees, leaders, women, exp, rep, difficulty, rnd, export,
        # situation, expectation, regions (eu, north america, china), sectors, fields, special
        ("A", 1_000_000, 10, 1, 2, 1, 2, 1, 3, 5, 40, 2, "better", (50, 30, 20),
         sectors(semiconductors=100), [laser], special("2", "0", ["0", "1"], "secret plan")),
        ("B", 2_000_000, 20, 2, 4, 1, 4, 2, 4, 10, 50, 1, "better", (50, 30, 20),
         sectors(semiconductors=50, medical=50), [laser], special(3, "0", ["0"], "")),
        ("C", 3_000_000, 30, 3, 5, 2, 1, 1, 3, 8, 60, 3, "same", (50, 30, 20),
         sectors(medical=100), [laser, optics], special("0", "1", ["0", "1"], "another")),
        ("D", 4_000_000, 60, 0, 10, 5, 3, 3, 2, 20, 20, 4, "worse", (100, 0, 0),
         sectors(research=100), [optics], special("5", "0", ["1"])),
        ("E", 5_000_000, 80, 4, 8, 2, 5, 0, 4, 25, 30, 2, "same", (50, 30, 20),
         sectors(semiconductors=40, medical=60), [optics], special("10", "2", ["0"])),
        ("F", 6_000_000, 300, 10, 20, 10, 10, 5, 3, 15, 70, 2, "better", (20, 30, 50),
         sectors(semiconductors=50, other=50), [laser], special(None, "1")),
    ]
    # fmt: on
    for (
        name,
        revenue,
        employees,
        trainees,
        leaders,
        women,
        expansion,
        replacement,
        difficulty,
        rnd,
        export,
        situation,
        expectation,
        (eu, america, china),
        sector_shares,
        fields,
        answers,
    ) in rows:
        respond(
            current,
            org[name],
            fields=fields,
            revenue=Decimal(revenue),
            employees=employees,
            trainees=trainees,
            leaders=leaders,
            leaders_women=women,
            positions_expansion=expansion,
            positions_replacement=replacement,
            hiring_difficulty=difficulty,
            rnd_share=Decimal(rnd),
            export_share=Decimal(export),
            business_situation=situation,
            business_expectation=expectation,
            region_eu=eu,
            region_north_america=america,
            region_china=china,
            **REGIONS_ZERO,
            **sector_shares,
            special_answers=answers,
            imported=name == "F",  # imported responses count like any submitted one
        )
    # G started this round's questionnaire but never submitted: it must not count.
    respond(current, org["G"], state="draft", revenue=Decimal(999_000_000), employees=5000)
    # The previous round: the panel is A, B and D.
    respond(previous, org["A"], revenue=Decimal(900_000), employees=8)
    respond(previous, org["B"], revenue=Decimal(1_600_000), employees=16)
    respond(previous, org["D"], revenue=Decimal(3_500_000), employees=56)
    respond(previous, org["G"], revenue=Decimal(500_000), employees=5)
    respond(previous, org["H"], revenue=Decimal(700_000), employees=7)
    respond(previous, org["C"], state="draft", revenue=Decimal(1), employees=1)
    respond(older, org["G"], revenue=Decimal(400_000), employees=12)
    respond(older, org["E"], revenue=Decimal(100), employees=1)
    return {
        "round": current,
        "org": org,
        "fields": {"laser": laser, "optics": optics, "retired": retired, "sensing": sensing},
        "questions": {"number": number, "single": single, "multiple": multiple, "text": text},
    }


def rows(table_rows):
    return {row.key: row.figures for row in table_rows}


def approx(value):
    return pytest.approx(value, rel=1e-12)


def test_totals_over_the_submitted_responses(data):
    figures = round_aggregate(data["round"])
    assert figures.totals == {
        "revenue": Figure(21_000_000.0, True),
        "employees": Figure(500, True),
        "employees_rnd": Figure(None, True),  # nobody answered: no data, not zero
        "trainees": Figure(20, True),
        "positions_expansion": Figure(25, True),
        "positions_replacement": Figure(12, True),
        "positions_total": Figure(37, True),
    }


def test_medians_and_quartiles(data, settings):
    d = round_aggregate(data["round"]).distributions
    # Revenue and employees: their totals are published, so six answers are too few for their
    # quartiles (twice the minimum, see the next test); the shares have no published sum.
    assert not d["revenue"].published and not d["employees"].published
    assert d["revenue"].median is None
    settings.REPORT_MIN_CONTRIBUTORS_QUANTILES = 3  # 6 needed where the sum is published
    d = round_aggregate(data["round"]).distributions
    # revenue 1 … 6 M: positions 2.25, 3.5, 4.75 between the order statistics
    assert (d["revenue"].q1, d["revenue"].median, d["revenue"].q3) == (
        2_250_000,
        3_500_000,
        4_750_000,
    )
    # employees 10 20 30 60 80 300
    assert (d["employees"].q1, d["employees"].median, d["employees"].q3) == (22.5, 45, 75)
    # R&D 5 8 10 15 20 25
    assert (d["rnd_share"].q1, d["rnd_share"].median, d["rnd_share"].q3) == (8.5, 12.5, 18.75)
    # export 20 30 40 50 60 70
    assert (d["export_share"].q1, d["export_share"].median, d["export_share"].q3) == (
        32.5,
        45,
        57.5,
    )
    # women in leadership: 50 25 40 50 25 50 → 25 25 40 50 50 50
    women = d["women_in_leadership"]
    assert (women.n, women.q1, women.median, women.q3) == (6, 28.75, 45, 50)
    assert all(dist.published and dist.n == 6 for dist in d.values())


def test_response_rate_overall_by_kind_and_by_size(data):
    rate = round_aggregate(data["round"]).response_rate
    # Asked: A–G (active members); H's membership ended. G drafted only.
    assert (rate.invited, rate.submitted) == (7, 6)
    assert rate.rate == approx(600 / 7)
    assert rows(rate.by_kind) == {
        "company": {"invited": Figure(4, True), "submitted": Figure(3, True), "rate": Figure(75.0)},
        "research": {
            "invited": Figure(3, True),
            "submitted": Figure(3, True),
            "rate": Figure(100.0),
        },
    }
    # G's size comes from its latest earlier submitted response (2023: 5 employees → 1–9, not
    # 2021's 12). 50–249 (D, E) and 250+ (F) have one or two respondents: suppressed together.
    assert rows(rate.by_size) == {
        "1-9": {"invited": Figure(1), "submitted": Figure(0), "rate": Figure(0.0)},
        "10-49": {"invited": Figure(3), "submitted": Figure(3), "rate": Figure(100.0)},
        "50-249": {"invited": Figure(2), "submitted": HIDDEN, "rate": HIDDEN},
        "250+": {"invited": Figure(1), "submitted": HIDDEN, "rate": HIDDEN},
    }
    assert rate.missing == [{"id": data["org"]["G"].id, "name": "Org G"}]


def test_growth_only_on_the_panel_that_answered_both_rounds(data):
    growth = round_aggregate(data["round"]).growth
    assert (growth.previous_year, growth.panel_size) == (2023, 3)
    # A, B, D: revenue 1 + 2 + 4 = 7 M against 0.9 + 1.6 + 3.5 = 6 M
    assert growth.revenue.n == 3
    assert growth.revenue.percent.value == approx(100 / 6)
    # employees 10 + 20 + 60 = 90 against 8 + 16 + 56 = 80
    assert growth.employees.percent == Figure(12.5, True)


def test_growth_of_a_panel_of_two_is_not_published(data):
    SurveyResponse.objects.filter(round__year=2023, organization=data["org"]["D"]).update(
        state="draft"
    )
    growth = round_aggregate(data["round"]).growth
    assert growth.panel_size == 2
    assert growth.revenue.percent == HIDDEN and growth.employees.percent == HIDDEN


def test_the_first_round_has_no_growth():
    survey_round = make_round(2019)
    growth = round_aggregate(survey_round).growth
    assert (growth.previous_year, growth.panel_size, growth.revenue.percent) == (None, 0, HIDDEN)


def test_hiring_difficulty_counts_with_small_categories_suppressed(data):
    table = round_aggregate(data["round"]).hiring_difficulty
    # 1: nobody, 2: D only, 3: A C F, 4: B E → 2 and 4 suppressed together
    assert rows(table.rows) == {
        "1": {"count": Figure(0), "share": Figure(0.0)},
        "2": {"count": HIDDEN, "share": HIDDEN},
        "3": {"count": Figure(3), "share": Figure(50.0)},
        "4": {"count": HIDDEN, "share": HIDDEN},
    }
    assert table.total == {"count": Figure(6)}


def test_export_regions_weighted_by_export_volume(data):
    regions = rows(round_aggregate(data["round"]).export_regions)
    # export volumes: A 0.4 M, B 1.0 M, C 1.8 M, D 0.8 M, E 1.5 M, F 4.2 M = 9.7 M
    # EU 0.2 + 0.5 + 0.9 + 0.8 + 0.75 + 0.84 = 3.99 M; North America 2.67 M; China 3.04 M
    assert regions["region_eu"]["share"].value == approx(3_990_000 / 9_700_000 * 100)
    assert regions["region_north_america"]["share"].value == approx(2_670_000 / 9_700_000 * 100)
    assert regions["region_china"]["share"].value == approx(3_040_000 / 9_700_000 * 100)
    for name in ("region_europe_other", "region_asia_other", "region_other"):
        assert regions[name]["share"] == Figure(0.0, True)


def test_customer_sectors_weighted_by_revenue_with_secondary_suppression(data):
    sectors_ = rows(round_aggregate(data["round"]).customer_sectors)
    # research (D's 4 M) and other (F's 3 M) each have one contributor with a value: suppressed.
    # Together they would still be F's and D's alone, so a third sector goes: of the two that
    # protect them (semiconductors 7 M, medical 7 M), the first.
    assert sectors_["sector_research"]["share"] == HIDDEN
    assert sectors_["sector_other"]["share"] == HIDDEN
    assert sectors_["sector_semiconductors"]["share"] == HIDDEN
    assert sectors_["sector_medical"]["share"].value == approx(7 / 21 * 100)
    assert sectors_["sector_energy"]["share"] == Figure(0.0, True)


def test_technology_fields(data):
    by_field = rows(round_aggregate(data["round"]).technology_fields)
    laser, optics = data["fields"]["laser"], data["fields"]["optics"]
    sensing, retired = data["fields"]["sensing"], data["fields"]["retired"]
    # Laser: A B C F; employees 10 20 30 300 pass on their own (360 − 300 − 30 = 30 = 10 % of
    # 300), but the total (500) is published: 500 − 360 = 140 would be D and E alone, two
    # organisations. The same for revenue (21 M − 12 M = D + E). Both suppressed.
    assert by_field[str(laser.id)] == {
        "organisations": Figure(4),
        "employees": HIDDEN,
        "revenue": HIDDEN,
    }
    # Optics: C D E; employees 30 60 80 pass, but 500 − 170 = 330 would be A B F, dominated by
    # F (330 − 300 − 20 = 10 < 30): suppressed. Revenue: 21 M − 12 M = 9 M of A B F, where
    # 9 − 6 − 2 = 1 ≥ 10 % of 6: published.
    assert by_field[str(optics.id)] == {
        "organisations": Figure(3),
        "employees": HIDDEN,
        "revenue": Figure(12_000_000.0),
    }
    assert by_field[str(sensing.id)]["organisations"] == Figure(0)
    assert str(retired.id) not in by_field  # inactive and unnamed


def test_no_hidden_figure_follows_from_the_total_minus_a_technology_field(data):
    """The cells of other tables that are suppressed must not be recoverable as total minus a
    published technology field (the fields overlap, so they are guarded one by one)."""
    figures = round_aggregate(data["round"])
    responses = {
        response.organization_id: response
        for response in SurveyResponse.objects.filter(round=data["round"], state="submitted")
    }
    for row in figures.technology_fields:
        field = TechnologyField.objects.get(pk=int(row.key))
        inside = set(field.responses.values_list("organization_id", flat=True))
        for column in ("employees", "revenue"):
            if row.figures[column].published:
                rest = {
                    org: float(getattr(response, column))
                    for org, response in responses.items()
                    if org not in inside and getattr(response, column) is not None
                }
                assert not rest or not disclosure.primary_reason(rest), (field, column, rest)


def test_a_technology_field_of_two_organisations_is_suppressed(data):
    response = SurveyResponse.objects.get(round=data["round"], organization=data["org"]["C"])
    data["fields"]["optics"].responses.remove(response)
    by_field = rows(round_aggregate(data["round"]).technology_fields)
    assert set(by_field[str(data["fields"]["optics"].id)].values()) == {HIDDEN}


def test_business_climate_balances(data):
    climate = round_aggregate(data["round"]).business_climate
    # today: good or very good A B E F (4), poor D (1) of 6 → (4 − 1) / 6 = 50 points
    assert (climate.situation_n, climate.situation_balance) == (6, Figure(50.0))
    # expected: better A B F (3), worse D (1) of 6 → 33.3 points
    assert climate.expectation_n == 6
    assert climate.expectation_balance.value == approx(200 / 6)


def test_breakdown_by_kind(data):
    table = round_aggregate(data["round"]).by_kind
    # companies A B F; research C D E
    assert rows(table.rows) == {
        "company": {
            "count": Figure(3),
            "revenue": Figure(9_000_000.0),
            # employees 10 20 300: 330 − 300 − 20 = 10 < 30: dominated by F
            "employees": HIDDEN,
        },
        "research": {
            "count": Figure(3),
            "revenue": Figure(12_000_000.0),
            # would pass on its own (170), but with the total shown it would give away F's
            "employees": HIDDEN,
        },
    }
    assert table.total == {
        "count": Figure(6),
        "revenue": Figure(21_000_000.0),
        "employees": Figure(500),
    }


def test_breakdown_by_size_class(data):
    table = round_aggregate(data["round"]).by_size
    assert rows(table.rows) == {
        # Nobody in the class: no organisations (a count), no sums (no data, shown as "–").
        "1-9": {"count": Figure(0), "revenue": Figure(None), "employees": Figure(None)},
        "10-49": {"count": Figure(3), "revenue": Figure(6_000_000.0), "employees": Figure(60)},
        "50-249": {"count": HIDDEN, "revenue": HIDDEN, "employees": HIDDEN},
        "250+": {"count": HIDDEN, "revenue": HIDDEN, "employees": HIDDEN},
    }


def test_special_topic_questions(data):
    figures = round_aggregate(data["round"])
    questions = {q.kind: q for q in figures.special_questions}
    number = questions["number"]
    # 2, 3, 0, 5, 10 (text and numbers alike): 0 2 3 5 10; the sum (20) is published, so five
    # answers are too few for the quartiles (they would be 2, 3 and 5: 20 − 10 = 0 + 10, the
    # smallest and the largest answer).
    assert number.answers == 5
    assert number.sum == Figure(20.0)
    assert not number.distribution.published and number.distribution.median is None
    single = questions["single"]
    assert single.answers == 6
    # "0": A B D (3); "1": C F (2); "2": E (1) → 1 and 2 suppressed together
    assert rows(single.choices) == {
        "0": {"count": Figure(3), "share": Figure(50.0)},
        "1": {"count": HIDDEN, "share": HIDDEN},
        "2": {"count": HIDDEN, "share": HIDDEN},
    }
    with translation.override("en"):
        assert [row.label for row in single.choices] == ["Learning", "Rules", "Search"]
    with translation.override("de"):
        assert single.choices[0].label == "Lernen"
        assert single.text == "Wichtigste Technik?"
    multiple = questions["multiple"]
    # "0": A B C E (4 of 5), "1": A C D (3 of 5); several choices each: no total to subtract from
    assert multiple.answers == 5
    assert rows(multiple.choices) == {
        "0": {"count": Figure(4), "share": Figure(80.0)},
        "1": {"count": Figure(3), "share": Figure(60.0)},
        "2": {"count": Figure(0), "share": Figure(0.0)},
    }
    text = questions["text"]
    assert (text.answers, text.choices, text.sum, text.distribution) == (2, [], None, None)


def test_no_answer_text_and_no_suppressed_value_leaves_the_computation(data):
    figures = round_aggregate(data["round"])
    dumped = json.dumps(figures.to_dict())
    assert "secret plan" not in dumped and "another" not in dumped

    # Every unpublished figure carries no value.
    def walk(node):
        if isinstance(node, dict):
            if set(node) == {"value", "published"} and not node["published"]:
                assert node["value"] is None
            for child in node.values():
                walk(child)
        elif isinstance(node, list):
            for child in node:
                walk(child)

    walk(figures.to_dict())


def test_key_figures_for_the_cover(data):
    key = round_aggregate(data["round"]).key_figures
    assert key["invited"] == Figure(7) and key["submitted"] == Figure(6)
    assert key["response_rate"].value == approx(600 / 7)
    assert key["revenue"] == Figure(21_000_000.0)
    assert key["employees"] == Figure(500)
    assert key["trainees"] == Figure(20)
    assert key["positions"] == Figure(37)
    assert key["export_share_median"] == Figure(45.0)
    assert key["rnd_share_median"] == Figure(12.5)


def test_the_figures_survive_a_json_round_trip(data):
    figures = round_aggregate(data["round"])
    again = RoundFigures.from_dict(json.loads(json.dumps(figures.to_dict())))
    assert again == figures
    with translation.override("en"):
        assert again.by_size.rows[0].label == "1–9 employees"
        assert again.special_topic == "AI"


def test_a_single_dominant_organisation_hides_the_revenue_total():
    survey_round = make_round(2027)
    for index, revenue in enumerate([100_000_000, 1_000, 2_000, 3_000]):
        respond(survey_round, OrganizationFactory(), revenue=Decimal(revenue), employees=10 + index)
    figures = round_aggregate(survey_round)
    assert figures.totals["revenue"] == HIDDEN
    assert figures.key_figures["revenue"] == HIDDEN
    assert figures.by_kind.total["revenue"] == HIDDEN
    assert figures.totals["employees"] == Figure(46)


def test_quartiles_and_the_published_sum_never_give_away_the_extremes():
    """Five organisations: the inclusive quartiles are the 2nd, 3rd and 4th value exactly, and
    the published total minus them is the smallest plus the largest; the smallest would know
    the largest's revenue. So the quartiles of a set whose sum is published need ten values."""
    survey_round = make_round(2033)
    revenues = [1_000_000, 2_000_000, 3_000_000, 4_000_000, 9_000_000]
    for index, revenue in enumerate(revenues):
        respond(survey_round, OrganizationFactory(), revenue=Decimal(revenue), employees=10 + index)
    figures = round_aggregate(survey_round)
    assert figures.totals["revenue"].published  # 19 M: passes the p % rule
    distribution = figures.distributions["revenue"]
    assert not distribution.published and distribution.median is None
    # The attack, had the quartiles been published: total − q1 − median − q3 = 1 M + 9 M.
    from reports.disclosure import quantiles

    exposed = quantiles(revenues)
    assert figures.totals["revenue"].value - sum(exposed) == revenues[0] + revenues[-1]
    # The shares keep their five-answer minimum: no sum of them is published.
    for index in range(5):
        respond(survey_round, OrganizationFactory(), rnd_share=Decimal(5 * (index + 1)))
    assert round_aggregate(survey_round).distributions["rnd_share"].published


def test_quartiles_need_five_answers(data):
    SurveyResponse.objects.filter(round=data["round"], organization=data["org"]["F"]).update(
        rnd_share=None
    )
    SurveyResponse.objects.filter(round=data["round"], organization=data["org"]["E"]).update(
        rnd_share=None
    )
    figures = round_aggregate(data["round"])
    assert figures.distributions["rnd_share"].n == 4
    assert not figures.distributions["rnd_share"].published
    assert figures.distributions["rnd_share"].median is None
    assert figures.key_figures["rnd_share_median"] == HIDDEN


def _add_responses(survey_round, count, start):
    fields = list(TechnologyField.objects.all()[:3])
    for index in range(start, start + count):
        respond(
            survey_round,
            OrganizationFactory(name=f"Bulk {index}"),
            fields=fields[: index % 3 + 1],
            revenue=Decimal(100_000 * (index + 1)),
            employees=5 + index,
            rnd_share=Decimal(10),
            export_share=Decimal(50),
            region_eu=Decimal(100),
            sector_other=Decimal(100),
            hiring_difficulty=index % 4 + 1,
        )


def test_the_number_of_queries_does_not_grow_with_the_responses():
    survey_round = make_round(2031)
    make_round(2029)
    _add_responses(survey_round, 5, 0)
    with CaptureQueriesContext(connection) as few:
        round_aggregate(survey_round)
    _add_responses(survey_round, 40, 5)
    with CaptureQueriesContext(connection) as many:
        round_aggregate(survey_round)
    assert len(few) == len(many) <= 10


def test_the_office_sees_the_raw_response_rate_and_who_is_missing(data, staff_client):
    """The report protects the small size classes; the office, who sees the responses anyway,
    gets the raw counts while the round runs, and the names of those still missing."""
    progress = round_progress(data["round"])
    assert rows(progress.by_size)["250+"] == {
        "invited": Figure(1),
        "submitted": Figure(1),
        "rate": Figure(100.0),
    }
    page = staff_client.get(f"/admin/reports/surveyround/{data['round'].pk}/change/")
    text = page.content.decode()
    assert "6 von 7 Organisationen haben geantwortet (86 %)" in text
    assert "Org G" in text and "Antworten begonnen, nicht eingereicht" in text
    assert "Org A</a>" not in text
