"""Demo data of the growth report: two rounds (2022 published, with its PDFs in German and
English, 2024 open) and about forty
fictitious organisations with plausible synthetic answers. Deterministic (a seeded random
generator), so that `seed_demo` run twice changes nothing.

The shape follows the published figures of the Thuringian photonics industry: a heavy-tailed
size distribution (two very large organisations employ more than a fifth of all staff, many
are small), revenue per employee around 100,000–250,000 EUR, R&D 5–25 % of revenue, export
40–90 %."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from members.models import Organization
from reports.models import (
    REGIONS,
    SECTORS,
    SpecialQuestion,
    SurveyResponse,
    SurveyRound,
    TechnologyField,
)

PREFIXES = [
    "Licht",
    "Laser",
    "Optik",
    "Photon",
    "Spektral",
    "Prisma",
    "Linsen",
    "Strahl",
    "Fokus",
    "Quanten",
    "Glas",
    "Infrarot",
    "Holo",
    "Mikro",
    "Präzisions",
]
SUFFIXES = ["werk", "technik", "systeme", "tec", "labs", "optics", "sensorik", "photonics"]
CITIES = ["Jena", "Jena", "Jena", "Erfurt", "Ilmenau", "Weimar", "Gera", "Suhl", "Saalfeld"]
SPECIAL_2022 = [
    (
        SpecialQuestion.Kind.SINGLE,
        "Wie schwer finden Sie Fachkräfte im Vergleich zu vor zwei Jahren?",
        "How hard is it to find skilled staff compared with two years ago?",
        "leichter\nunverändert\nschwerer",
        "easier\nunchanged\nharder",
    ),
    (
        SpecialQuestion.Kind.NUMBER,
        "Wie viele Beschäftigte haben Sie im Ausland angeworben?",
        "How many employees did you recruit abroad?",
        "",
        "",
    ),
]
SPECIAL_2024 = [
    (
        SpecialQuestion.Kind.MULTIPLE,
        "Wofür setzen Sie künstliche Intelligenz ein?",
        "What do you use artificial intelligence for?",
        "Produktion\nQualitätsprüfung\nEntwicklung\nVertrieb\nnoch nicht",
        "Production\nQuality inspection\nDevelopment\nSales\nNot yet",
    ),
    (
        SpecialQuestion.Kind.SINGLE,
        "Wie stark hängt Ihr Umsatz von der Halbleiterindustrie ab?",
        "How much does your revenue depend on the semiconductor industry?",
        "gar nicht\netwas\nstark\nsehr stark",
        "not at all\nsomewhat\nstrongly\nvery strongly",
    ),
]


@dataclass
class Profile:
    name: str
    kind: str
    city: str
    employees: int
    revenue_per_head: float
    rnd: float
    export: float
    growth: float


def random_profile(rng: random.Random, *, research: bool, name: str = "") -> Profile:
    """A fictitious organisation: heavy-tailed size, plausible revenue per head, R&D, export."""
    employees = max(3, min(420, int(rng.paretovariate(1.1) * 6)))
    return Profile(
        name,
        "research" if research else "company",
        rng.choice(CITIES),
        employees,
        rng.uniform(100_000, 250_000),
        rng.uniform(5, 25) if not research else rng.uniform(15, 25),
        rng.uniform(40, 90),
        rng.uniform(-0.05, 0.15),
    )


def _profiles(rng: random.Random) -> list[Profile]:
    profiles = [
        Profile("Großoptik Thüringen AG (Demo)", "company", "Jena", 2400, 230_000, 11, 78, 0.06),
        Profile("Präzisionsglas Jena GmbH (Demo)", "company", "Jena", 1850, 190_000, 8, 72, 0.04),
    ]
    used = set()
    while len(profiles) < 40:
        research = len(profiles) % 6 == 0
        if research:
            name = (
                f"Institut für {rng.choice(['angewandte', 'technische', 'integrierte'])} "
                f"{rng.choice(['Optik', 'Photonik', 'Lasertechnik', 'Sensorik'])} (Demo)"
            )
        else:
            name = (
                f"{rng.choice(PREFIXES)}{rng.choice(SUFFIXES)} "
                f"{rng.choice(['GmbH', 'GmbH & Co. KG', 'AG', 'UG'])} (Demo)"
            )
        if name in used:
            continue
        used.add(name)
        profiles.append(random_profile(rng, research=research, name=name))
    return profiles


def _shares(rng: random.Random, names: list[str]) -> dict[str, Decimal]:
    weights = [rng.random() ** 2 for _name in names]
    total = sum(weights)
    shares = [round(w / total * 100, 1) for w in weights]
    shares[0] = round(100 - sum(shares[1:]), 1)
    if shares[0] < 0:  # rounding pushed the first below zero: give it to the largest
        largest = max(range(len(shares)), key=lambda i: shares[i])
        shares[largest] += shares[0]
        shares[0] = 0
    return {name: Decimal(str(share)) for name, share in zip(names, shares, strict=True)}


def synthetic_answers(rng: random.Random, profile: Profile, year_index: int) -> dict:
    """The figures of one organisation; the round before was a little smaller."""
    factor = (1 + profile.growth) ** (-2 * year_index)
    employees = max(1, round(profile.employees * factor))
    revenue = round(employees * profile.revenue_per_head * factor**0.2, -3)
    leaders = max(2, round(employees * rng.uniform(0.08, 0.14)))
    return {
        "revenue": Decimal(str(revenue)),
        "revenue_previous": Decimal(str(round(revenue / (1 + profile.growth), -3))),
        "employees": employees,
        "employees_rnd": round(employees * profile.rnd / 100 * rng.uniform(0.8, 1.6)),
        "trainees": round(employees * rng.uniform(0.0, 0.06)),
        "leaders": leaders,
        "leaders_women": round(leaders * rng.uniform(0.15, 0.5)),
        "positions_expansion": round(employees * max(profile.growth, 0) * rng.uniform(0.5, 1.2)),
        "positions_replacement": round(employees * rng.uniform(0.02, 0.06)),
        "hiring_difficulty": rng.choices([1, 2, 3, 4], weights=[1, 3, 6, 5])[0],
        "rnd_share": Decimal(str(round(profile.rnd, 1))),
        "export_share": Decimal(str(round(profile.export, 1))),
        **_shares(rng, [name for name, _label in REGIONS]),
        **_shares(rng, [name for name, _label in SECTORS]),
        "business_situation": rng.choices([1, 2, 3, 4, 5], weights=[2, 5, 4, 2, 1])[0],
        "business_expectation": rng.choices(["better", "same", "worse"], weights=[4, 4, 2])[0],
        "expected_revenue_change": Decimal(str(round(profile.growth * 200, 1))),
    }


def seed_survey(upsert, *, member_organization: Organization | None, today: date) -> int:
    """Create or update the demo rounds and responses through `upsert(model, lookup, values)`
    (seed_demo's idempotent writer). Returns the number of responses."""
    rng = random.Random(2024)
    closed = upsert(
        SurveyRound,
        {"year": 2022},
        {
            "reference_year": 2021,
            "opens_on": date(2022, 3, 1),
            "closes_on": date(2022, 5, 31),
            "status": SurveyRound.Status.PUBLISHED,
            "special_topic_de": "Fachkräfte",
            "special_topic_en": "Skilled labour",
        },
    )[0]
    current = upsert(
        SurveyRound,
        {"year": 2024},
        {
            "reference_year": 2023,
            "opens_on": today - timedelta(days=30),
            "closes_on": today + timedelta(days=60),
            "status": SurveyRound.Status.OPEN,
            "special_topic_de": "KI und Halbleiter",
            "special_topic_en": "AI and semiconductors",
        },
    )[0]
    questions = {}
    for survey_round, specs in ((closed, SPECIAL_2022), (current, SPECIAL_2024)):
        for position, (kind, de, en, choices_de, choices_en) in enumerate(specs):
            questions[(survey_round.year, position)] = upsert(
                SpecialQuestion,
                {"round": survey_round, "position": position},
                {
                    "kind": kind,
                    "text_de": de,
                    "text_en": en,
                    "choices_de": choices_de,
                    "choices_en": choices_en,
                    "required": False,
                },
            )[0]
    fields = list(TechnologyField.objects.order_by("position"))
    count = 0
    for profile in _profiles(rng):
        organization = upsert(
            Organization,
            {"name": profile.name},
            {"kind": profile.kind, "city": profile.city, "status": Organization.Status.ACTIVE},
        )[0]
        technology = rng.sample(fields, k=rng.randint(1, 3)) if fields else []
        for survey_round, index in ((closed, 1), (current, 0)):
            answers = synthetic_answers(rng, profile, index)
            if survey_round is current and rng.random() < 0.35:
                continue  # has not answered (yet): the 2024 response rate is not 100 %
            answers["special_answers"] = synthetic_special_answers(rng, survey_round, questions)
            response = upsert(
                SurveyResponse,
                {"round": survey_round, "organization": organization},
                {
                    **answers,
                    "state": SurveyResponse.State.SUBMITTED,
                    "submitted_at": timezone.make_aware(
                        timezone.datetime(survey_round.year, 4, 15, 10, 0)
                    ),
                },
            )[0]
            if set(response.technology_fields.all()) != set(technology):
                response.technology_fields.set(technology)
            count += 1
    if member_organization is not None:
        profile = Profile(member_organization.name, "company", "Jena", 48, 160_000, 12, 65, 0.08)
        answers = synthetic_answers(rng, profile, 1)
        upsert(
            SurveyResponse,
            {"round": closed, "organization": member_organization},
            {
                **answers,
                "state": SurveyResponse.State.SUBMITTED,
                "submitted_at": timezone.make_aware(timezone.datetime(2022, 4, 20, 9, 30)),
            },
        )
        # 2024: opened, a draft with the first section begun (prefilled regions).
        upsert(
            SurveyResponse,
            {"round": current, "organization": member_organization},
            {"state": SurveyResponse.State.DRAFT, "revenue": answers["revenue"]},
        )
        count += 2
    return count


def synthetic_special_answers(rng: random.Random, survey_round: SurveyRound, questions) -> dict:
    answers = {}
    for (year, _position), question in questions.items():
        if year != survey_round.year or rng.random() < 0.2:
            continue
        keys = [key for key, _label in question.choices]
        if question.kind == SpecialQuestion.Kind.SINGLE:
            answers[str(question.pk)] = rng.choice(keys)
        elif question.kind == SpecialQuestion.Kind.MULTIPLE:
            answers[str(question.pk)] = sorted(rng.sample(keys, k=rng.randint(1, 2)))
        elif question.kind == SpecialQuestion.Kind.NUMBER:
            answers[str(question.pk)] = str(rng.randint(0, 12))
    return answers


def render_demo_reports() -> list[str]:
    """Freeze the published demo round's figures (once) and queue its PDFs in the languages not
    rendered with them yet (after the seed's transaction commits; with in-process tasks they
    are rendered right then). Returns the languages queued."""
    from reports.services import reports_render_stale, round_figures_freeze

    published = SurveyRound.objects.get(year=2022)
    if published.figures is None:
        round_figures_freeze(survey_round=published)
    return reports_render_stale(survey_round=published, actor=None)
