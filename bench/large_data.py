"""A data set far beyond OptoNet's size, so that growth shows: 1,000 organisations, 20,000
people, 40 working groups, 2,000 meetings, 200,000 registrations, and two survey rounds of 1,000
responses each. Bulk inserts; a couple of minutes on the 2-core machine.

Used by `bench/portal_load.py` (`make bench`); also on its own against an empty, migrated
database:

    DATABASE_URL=postgres://... DJANGO_SETTINGS_MODULE=optonet.settings.local \\
        .venv/bin/python bench/large_data.py [--scale 1.0]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PASSWORD = "bench-Passwort-2026"
BATCH = 5000


@dataclass
class Sizes:
    organizations: int = 1000
    people: int = 20_000
    groups: int = 40
    meetings: int = 2000
    registrations_per_meeting: int = 100
    responses: int = 1000

    def scaled(self, factor: float) -> Sizes:
        return Sizes(
            organizations=max(10, int(self.organizations * factor)),
            people=max(100, int(self.people * factor)),
            groups=max(4, int(self.groups * min(1.0, factor * 4))),
            meetings=max(20, int(self.meetings * factor)),
            registrations_per_meeting=self.registrations_per_meeting,
            responses=max(10, int(self.responses * factor)),
        )


@dataclass
class Generated:
    """What the load tests need to find again."""

    burst_meeting_id: int
    busy_meeting_id: int
    busy_group_slug: str
    member_ids: list[int]
    counts: dict[str, int]
    seconds: float


def generate(sizes: Sizes, *, burst_seats: int = 50) -> Generated:
    """Fill the (empty, migrated) database. Django must be set up."""
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from members.models import Organization, OrganizationDomain, User
    from workinggroups.models import Follow, Meeting, Moderation, Registration, WorkingGroup

    started = time.perf_counter()
    rng = random.Random(2026)
    now = timezone.now()
    password = make_password(PASSWORD)  # hashed once: every bench person shares it

    organizations = Organization.objects.bulk_create(
        (
            Organization(
                name=f"Bench-Photonik {i:04d} GmbH",
                kind="research" if i % 7 == 0 else "company",
                city=rng.choice(["Jena", "Erfurt", "Ilmenau", "Weimar", "Gera"]),
                status=Organization.Status.ACTIVE,
                member_since=date(2010 + i % 15, 1, 1),
            )
            for i in range(sizes.organizations)
        ),
        batch_size=BATCH,
    )
    OrganizationDomain.objects.bulk_create(
        (
            OrganizationDomain(organization=org, domain=f"bench{index:04d}.example")
            for index, org in enumerate(organizations)
        ),
        batch_size=BATCH,
    )
    people = User.objects.bulk_create(
        (
            User(
                email=f"person{i:05d}@bench{i % sizes.organizations:04d}.example",
                first_name=rng.choice(["Anna", "Jürgen", "Sabine", "Ömer", "Lena", "Paul"]),
                last_name=f"Müller-{i:05d}",
                organization=organizations[i % sizes.organizations],
                language="de" if i % 4 else "en",
                function=rng.choice(["executive", "hr", "quality", "sales", "research", "other"]),
                source="signup",
                password=password,
                is_active=True,
                calendar_token=f"bench{i:05d}{rng.getrandbits(64):016x}",
            )
            for i in range(sizes.people)
        ),
        batch_size=BATCH,
    )
    groups = WorkingGroup.objects.bulk_create(
        WorkingGroup(
            slug=f"bench-gruppe-{g:02d}",
            position=g,
            name_de=f"Arbeitskreis {g:02d}",
            name_en=f"Working group {g:02d}",
            summary_de="Austausch zu Personal, Qualität, Vertrieb und Führung.",
            summary_en="Exchange on people, quality, sales and management.",
            goals_de="Austausch\nNetzwerk\nWeiterbildung",
            goals_en="Exchange\nNetwork\nTraining",
            topics_de="Recruiting\nArbeitgebermarke",
            topics_en="Recruiting\nEmployer brand",
            confidential=g % 10 == 9,
        )
        for g in range(sizes.groups)
    )
    Moderation.objects.bulk_create(
        Moderation(group=group, user=people[(g * 2 + k) % len(people)], position=k)
        for g, group in enumerate(groups)
        for k in range(2)
    )
    follows = []
    for person in people:
        for group in rng.sample(groups, k=2):
            follows.append(Follow(group=group, user=person, state=Follow.State.ACTIVE))
    Follow.objects.bulk_create(follows, batch_size=BATCH, ignore_conflicts=True)

    # Meetings from four years back to half a year ahead; the last two are the load tests'.
    meetings = []
    span_days = 4 * 365 + 180
    for m in range(sizes.meetings):
        group = groups[m % len(groups)]
        day = now - timedelta(days=4 * 365) + timedelta(days=span_days * m / sizes.meetings)
        starts = day.replace(hour=13, minute=0, second=0, microsecond=0)
        meetings.append(
            Meeting(
                group=group,
                title=f"Treffen {m:04d}: Erfahrungsaustausch {group.name_de}",
                description="Agenda:\n1. Begrüßung\n2. Impulsvortrag\n3. Austausch",
                starts_at=starts,
                ends_at=starts + timedelta(hours=3),
                format=Meeting.Format.ON_SITE,
                venue_name="Bench-Optik GmbH",
                venue_address="Musterstraße 1, 07745 Jena",
                capacity=rng.choice([40, 60, 80, 120]),
                status=Meeting.Status.PUBLISHED,
            )
        )
    meetings[-1].group = groups[0]
    meetings[-1].starts_at = (now + timedelta(days=21)).replace(hour=10, minute=0, second=0)
    meetings[-1].ends_at = meetings[-1].starts_at + timedelta(hours=3)
    meetings[-1].capacity = burst_seats
    meetings[-1].title = "Burst: 50 Plätze"
    meetings[-2].group = groups[0]
    meetings[-2].starts_at = (now + timedelta(days=14)).replace(hour=14, minute=0, second=0)
    meetings[-2].ends_at = meetings[-2].starts_at + timedelta(hours=3)
    meetings[-2].capacity = 120
    meetings = Meeting.objects.bulk_create(meetings, batch_size=BATCH)

    registrations = []
    for meeting in meetings[:-1]:  # the burst meeting starts empty
        chosen = rng.sample(people, k=min(sizes.registrations_per_meeting, len(people)))
        created = meeting.starts_at - timedelta(days=30)
        for position, person in enumerate(chosen):
            confirmed = position < (meeting.capacity or 10**9)
            registrations.append(
                Registration(
                    meeting=meeting,
                    user=person,
                    organization_id=person.organization_id,
                    status=Registration.Status.CONFIRMED
                    if confirmed
                    else Registration.Status.WAITLISTED,
                    created_at=created + timedelta(minutes=position),
                    confirmed_at=created + timedelta(minutes=position) if confirmed else None,
                    attendance="attended" if meeting.starts_at < now and confirmed else "",
                )
            )
        if len(registrations) >= BATCH * 4:
            Registration.objects.bulk_create(registrations, batch_size=BATCH)
            registrations = []
    Registration.objects.bulk_create(registrations, batch_size=BATCH)

    _survey_rounds(organizations[: sizes.responses], rng)

    # Members for the burst: people who are not registered for the burst meeting yet.
    members = [person.pk for person in people[: min(len(people), 2000)]]
    counts = {
        "organisations": Organization.objects.count(),
        "people": User.objects.count(),
        "working groups": WorkingGroup.objects.count(),
        "meetings": Meeting.objects.count(),
        "registrations": Registration.objects.count(),
    }
    from reports.models import SurveyResponse

    counts["survey responses"] = SurveyResponse.objects.count()
    # A database filled in bulk has no planner statistics until autovacuum comes round; a
    # production database of this size has them. Without them PostgreSQL scans whole tables
    # (measured: "my meetings" 5.4 ms in the database instead of 0.2 ms).
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return Generated(
        burst_meeting_id=meetings[-1].pk,
        busy_meeting_id=meetings[-2].pk,
        busy_group_slug=groups[0].slug,
        member_ids=members,
        counts=counts,
        seconds=time.perf_counter() - started,
    )


def _survey_rounds(organizations, rng: random.Random) -> None:
    from django.utils import timezone

    from reports.demo import SPECIAL_2024, random_profile, synthetic_answers
    from reports.demo import synthetic_special_answers as special
    from reports.models import SpecialQuestion, SurveyResponse, SurveyRound, TechnologyField

    year = timezone.localdate().year
    rounds = []
    for offset, status in ((2, SurveyRound.Status.PUBLISHED), (0, SurveyRound.Status.OPEN)):
        survey_round = SurveyRound.objects.create(
            year=year - offset,
            reference_year=year - offset - 1,
            opens_on=date(year - offset, 3, 1),
            closes_on=date(year - offset, 12, 31),
            status=status,
        )
        rounds.append(survey_round)
    questions = {
        (rounds[1].year, position): SpecialQuestion.objects.create(
            round=rounds[1],
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
    rows, chosen_fields = [], []
    submitted_at = timezone.now()
    for organization in organizations:
        profile = random_profile(rng, research=organization.kind == "research")
        for survey_round, year_index in ((rounds[1], 0), (rounds[0], 1)):
            answers = synthetic_answers(rng, profile, year_index)
            answers["special_answers"] = special(rng, survey_round, questions)
            rows.append(
                SurveyResponse(
                    round=survey_round,
                    organization=organization,
                    state=SurveyResponse.State.SUBMITTED,
                    submitted_at=submitted_at,
                    **answers,
                )
            )
            chosen_fields.append(rng.sample(fields, k=rng.randint(1, 3)))
    created = SurveyResponse.objects.bulk_create(rows, batch_size=BATCH)
    through = SurveyResponse.technology_fields.through
    through.objects.bulk_create(
        (
            through(surveyresponse_id=response.pk, technologyfield_id=field.pk)
            for response, picked in zip(created, chosen_fields, strict=True)
            for field in picked
        ),
        batch_size=BATCH,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0)
    args = parser.parse_args()
    import django

    django.setup()
    result = generate(Sizes().scaled(args.scale))
    print(f"generated in {result.seconds:.0f} s: {result.counts}")


if __name__ == "__main__":
    main()
